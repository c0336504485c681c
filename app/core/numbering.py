"""Document numbers: PREFIX-YEAR-000001, unique and without gaps per prefix and year.

The counter row is updated inside the document's own transaction, so a rolled-back
document gives its number back and concurrent creators queue on the row.
"""

from datetime import datetime

from sqlalchemy import Integer, String, bindparam, update
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import utcnow
from app.core.driver import Driver
from app.core.transactions import insert_ignoring_duplicates
from app.extensions import db


class DocumentSequence(db.Model):
    __tablename__ = "document_sequences"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


_table = DocumentSequence.__table__
_TAKE_NEXT = (
    update(_table)
    .where(_table.c.prefix == bindparam("seq_prefix"), _table.c.year == bindparam("seq_year"))
    .values(last=_table.c.last + 1)
    .returning(_table.c.last)
)  # built once: documents are numbered on every posting


def next_number(prefix: str, at: datetime | None = None, run: Driver | None = None) -> str:
    """The next number, inside the current transaction (`run`: a Driver already open on it)."""
    run = run or Driver(db.session.connection())
    year = (at or utcnow()).year
    key = {"seq_prefix": prefix, "seq_year": year}
    taken = run(_TAKE_NEXT, key).scalar()
    if taken is None:  # first number of the year
        db.session.execute(
            insert_ignoring_duplicates(_table).values(prefix=prefix, year=year, last=0)
        )
        taken = run(_TAKE_NEXT, key).scalar()
    return f"{prefix}-{year}-{taken:06d}"
