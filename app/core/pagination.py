"""Paged, searchable, sortable lists with one envelope: {items, total, page, per_page}."""

from collections.abc import Mapping, Sequence

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from app.core.errors import ValidationProblem
from app.extensions import db


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_search(stmt: Select, q: str | None, columns: Sequence[ColumnElement]) -> Select:
    """Case-insensitive substring match of q on any of the columns."""
    if not q or not q.strip():
        return stmt
    pattern = f"%{escape_like(q.strip().lower())}%"
    return stmt.where(or_(*(func.lower(col).like(pattern, escape="\\") for col in columns)))


def apply_sort(
    stmt: Select, sort: str | None, allowed: Mapping[str, ColumnElement], default: str
) -> Select:
    """?sort=name,-created_at from an allowed list; an unknown key is a 422."""
    order = []
    for key in (sort or default).split(","):
        key = key.strip()
        if not key:
            continue
        name = key.lstrip("-")
        if name not in allowed:
            choices = ", ".join(sorted(allowed))
            raise ValidationProblem({"sort": [f"cannot sort by '{name}'; use one of: {choices}"]})
        column = allowed[name]
        order.append(column.desc() if key.startswith("-") else column.asc())
    return stmt.order_by(*order)


def paginate(stmt: Select, page: int, per_page: int | None, *, rows: bool = False) -> dict:
    """Run a select for one page; `stmt` must already be filtered and sorted.

    Items are the first column's objects, or whole result rows with `rows=True`."""
    config = current_app.config
    per_page = min(per_page or config["API_DEFAULT_PER_PAGE"], config["API_MAX_PER_PAGE"])
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    window = stmt.limit(per_page).offset((page - 1) * per_page)
    items = (db.session.execute if rows else db.session.scalars)(window).all()
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def list_page(
    stmt: Select,
    args: Mapping,
    *,
    search: Sequence[ColumnElement] = (),
    sortable: Mapping[str, ColumnElement],
    default_sort: str,
    rows: bool = False,
) -> dict:
    """Search, sort and page a select from the standard list arguments."""
    stmt = apply_search(stmt, args.get("q"), search)
    stmt = apply_sort(stmt, args.get("sort"), sortable, default_sort)
    return paginate(stmt, args.get("page", 1), args.get("per_page"), rows=rows)


def changed_since(stmt: Select, model, args: Mapping, default_sort: str) -> tuple[Select, str]:
    """With ?updated_since=: only the records changed at or after it (a device that keeps
    the largest updated_at it saw misses nothing, at worst gets a record twice), oldest
    change first. Returns the filtered statement and the sort to default to."""
    since = args.get("updated_since")
    if since is None:
        return stmt, default_sort
    return stmt.where(model.updated_at >= since), "updated_at,id"
