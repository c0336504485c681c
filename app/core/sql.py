"""SQL the two databases spell differently, for figures worked out in the database.

SQLite keeps exact decimals as integer counts of 10^-scale units (app.core.db.ScaledDecimal),
so arithmetic that changes the scale is integer arithmetic there and NUMERIC on PostgreSQL.
Every function here takes non-negative scaled decimals unless it says otherwise.
"""

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from app.core.db import Money, Quantity


def _args(element, compiler, **kw) -> list[str]:
    """Each argument compiled and parenthesised, so `a - b` stays one operand."""
    return [f"({compiler.process(arg, **kw)})" for arg in element.clauses]


def _scales(element) -> list[int]:
    return [arg.type.scale for arg in element.clauses]


class prorated_cents(FunctionElement):  # noqa: N801 - reads as a SQL function
    """amount × part / whole to the cent, half up; exactly `amount` for the whole — as a
    shipment line's revenue is worked out (app.sales.shipping._revenue)."""

    type = Money()
    inherit_cache = True


@compiles(prorated_cents)
def _prorated_numeric(element, compiler, **kw):
    amount, part, whole = _args(element, compiler, **kw)
    return (
        f"CASE WHEN {part} = {whole} THEN {amount} ELSE ROUND({amount} * {part} / {whole}, 2) END"
    )


@compiles(prorated_cents, "sqlite")
def _prorated_scaled(element, compiler, **kw):
    # Cents and thousandths are integers: round half up in integer division.
    amount, part, whole = _args(element, compiler, **kw)
    return (
        f"CASE WHEN {part} = {whole} THEN {amount} "
        f"ELSE (2 * {amount} * {part} + {whole}) / (2 * {whole}) END"
    )


class qty_times(FunctionElement):  # noqa: N801
    """A quantity × a scaled factor (both ScaledDecimal-typed), half up to a quantity."""

    type = Quantity()
    inherit_cache = True


class money_times(FunctionElement):  # noqa: N801
    """A quantity × a unit cost or price, half up to the cent."""

    type = Money()
    inherit_cache = True


@compiles(qty_times)
@compiles(money_times)
def _times_numeric(element, compiler, **kw):
    a, b = _args(element, compiler, **kw)
    return f"ROUND({a} * {b}, {element.type.scale})"


@compiles(qty_times, "sqlite")
@compiles(money_times, "sqlite")
def _times_scaled(element, compiler, **kw):
    a, b = _args(element, compiler, **kw)
    divisor = 10 ** (sum(_scales(element)) - element.type.scale)
    return f"((2 * {a} * {b} + {divisor}) / {2 * divisor})"


class round_up_to(FunctionElement):  # noqa: N801
    """The smallest whole number of `multiple` at least `qty` (two quantities)."""

    type = Quantity()
    inherit_cache = True


@compiles(round_up_to)
def _round_up_numeric(element, compiler, **kw):
    qty, multiple = _args(element, compiler, **kw)
    return f"(CEIL({qty} / {multiple}) * {multiple})"


@compiles(round_up_to, "sqlite")
def _round_up_scaled(element, compiler, **kw):
    qty, multiple = _args(element, compiler, **kw)
    return f"(({qty} + {multiple} - 1) / {multiple} * {multiple})"


class month_of(FunctionElement):  # noqa: N801
    """'YYYY-MM' of a UTC timestamp."""

    type = String()
    inherit_cache = True


@compiles(month_of)
def _month_postgresql(element, compiler, **kw):
    (moment,) = _args(element, compiler, **kw)
    return f"to_char({moment} AT TIME ZONE 'UTC', 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    # Stored as 'YYYY-MM-DD HH:MM:SS…' in UTC.
    (moment,) = _args(element, compiler, **kw)
    return f"substr({moment}, 1, 7)"


class day_of(FunctionElement):  # noqa: N801
    """'YYYY-MM-DD' of a UTC timestamp."""

    type = String()
    inherit_cache = True


@compiles(day_of)
def _day_postgresql(element, compiler, **kw):
    (moment,) = _args(element, compiler, **kw)
    return f"to_char({moment} AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@compiles(day_of, "sqlite")
def _day_sqlite(element, compiler, **kw):
    (moment,) = _args(element, compiler, **kw)
    return f"substr({moment}, 1, 10)"
