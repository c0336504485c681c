"""Prebuilt statements run straight on the database driver, inside the session's transaction."""

from dataclasses import dataclass
from typing import NamedTuple


class Rows:
    """What a statement run on the driver gives back: rows (named tuples) and rowcount."""

    def __init__(self, rows: list, rowcount: int):
        self.rows, self.rowcount = rows, rowcount

    def first(self):
        return self.rows[0] if self.rows else None

    def all(self) -> list:
        return self.rows

    def scalar(self):
        return self.rows[0][0] if self.rows else None

    def scalars(self) -> list:
        return [row[0] for row in self.rows]


@dataclass
class _Ready:
    sql: str
    names: tuple[str, ...]  # bind names in the order the driver wants them (qmark)
    binders: dict  # bind name → SQLAlchemy's bind processor for its type
    fixed: dict  # values the statement carries itself (literals such as coalesce's 0)
    columns: list  # the result's columns
    row: type | None  # a named tuple for the result
    readers: tuple | None = None  # result processors, made at the first result


class Driver:
    """Runs the statements above straight on the database driver's cursor.

    SQLAlchemy spends about 35 µs readying each execution (measured); a posting runs
    about nine statements, so on SQLite that overhead was most of a posting's time. Here
    each statement is compiled once per database and each call only converts its
    parameters with SQLAlchemy's own type processors (exact decimals stay exact) and
    runs. It works inside the session's transaction, on the session's connection.
    """

    _cache: dict = {}

    def __init__(self, connection):
        self.dialect = connection.dialect
        self.cursor = connection.connection.driver_connection.cursor()
        self.positional = self.dialect.paramstyle == "qmark"

    def __call__(self, statement, params=None) -> Rows:
        many = isinstance(params, list)
        first = (params[0] if many else params) or {}
        ready = self._ready(statement, tuple(sorted(first)))
        if many:
            self.cursor.executemany(ready.sql, [self._bind(ready, p) for p in params])
            return Rows([], self.cursor.rowcount)
        self.cursor.execute(ready.sql, self._bind(ready, first))
        rows = []
        if ready.row is not None:
            if ready.readers is None:  # the driver's column types are known now
                ready.readers = tuple(
                    column.type.dialect_impl(self.dialect).result_processor(
                        self.dialect, description[1]
                    )
                    for column, description in zip(
                        ready.columns, self.cursor.description, strict=True
                    )
                )
            rows = [
                ready.row(
                    *(read(v) if read else v for read, v in zip(ready.readers, raw, strict=True))
                )
                for raw in self.cursor.fetchall()
            ]
        return Rows(rows, self.cursor.rowcount)

    def _bind(self, ready: _Ready, params: dict):
        binders = ready.binders
        if ready.fixed:
            params = {**ready.fixed, **params}
        if self.positional:
            return tuple(
                binders[n](params[n]) if binders.get(n) else params[n] for n in ready.names
            )
        return {n: binders[n](v) if binders.get(n) else v for n, v in params.items()}

    def _ready(self, statement, keys: tuple[str, ...]) -> _Ready:
        key = (id(statement), self.dialect.name, keys)
        ready = self._cache.get(key)
        if ready is None:
            is_insert = statement.is_insert
            compiled = statement.compile(
                dialect=self.dialect, column_keys=list(keys) if is_insert else None
            )
            # The dialect's own form of each type, as SQLAlchemy itself converts with.
            binders = {
                name: bind.type.dialect_impl(self.dialect).bind_processor(self.dialect)
                for name, bind in compiled.binds.items()
            }
            columns = list(statement.exported_columns)  # selected, or RETURNING
            row = NamedTuple("Row", [(c.key, object) for c in columns]) if columns else None
            # Python-side column defaults (updated_at…) are not applied here: statements
            # run this way name every column they write.
            fixed = {
                n: b.effective_value
                for n, b in compiled.binds.items()
                if not b.required and b.effective_value is not None
            }
            names = tuple(compiled.positiontup or ())
            ready = _Ready(compiled.string, names, binders, fixed, columns, row)
            self._cache[key] = ready
        return ready
