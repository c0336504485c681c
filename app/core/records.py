"""Rules every editable master record shares: codes, versions, duplicates."""

from sqlalchemy import select

from app.core.errors import Conflict, StaleVersion
from app.extensions import db


def normalise_code(code: str) -> str:
    """Codes (warehouse, location, supplier, SKU…) are compared and stored upper-case."""
    return code.strip().upper()


def check_version(record, version: int) -> None:
    """The client edited what it read: a different version means someone else saved first."""
    if version != record.version:
        raise StaleVersion()


def duplicate_code(what: str, code: str, field: str = "code") -> Conflict:
    return Conflict(
        f"A {what} with the code {code} already exists.",
        type="duplicate",
        errors={field: ["already exists"]},
    )


def code_taken(model, code: str, *where, except_id: int | None = None, column=None) -> bool:
    """Is `code` used by another row of `model` (within the extra `where` conditions)?"""
    column = column if column is not None else model.code
    stmt = select(model.id).where(column == code, *where)
    if except_id is not None:
        stmt = stmt.where(model.id != except_id)
    return db.session.scalar(stmt) is not None
