"""Money and quantities are exact Decimals on SQLite and PostgreSQL alike."""

from decimal import Decimal

import pytest
from marshmallow import Schema, ValidationError
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, func, insert, select, update

from app.core.db import Money, Quantity, UnitCost
from app.core.schemas import DecimalString

metadata = MetaData()
amounts = Table(
    "amounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("price", Money()),
    Column("qty", Quantity()),
    Column("cost", UnitCost()),
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    url = (
        request.getfixturevalue("postgres_schema_url")
        if request.param == "postgresql"
        else f"sqlite:///{tmp_path / 'decimals.db'}"
    )
    engine = create_engine(url)
    metadata.create_all(engine)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


def test_values_come_back_exact_with_their_scale(engine):
    with engine.begin() as conn:
        conn.execute(insert(amounts), [{"price": "19.9", "qty": "1.5", "cost": "0.083333"}])
        row = conn.execute(select(amounts)).one()
    assert row.price == Decimal("19.90") and str(row.price) == "19.90"
    assert row.qty == Decimal("1.500") and row.cost == Decimal("0.083333")


def test_sql_arithmetic_is_exact(engine):
    with engine.begin() as conn:
        conn.execute(insert(amounts), [{"qty": "0.1"} for _ in range(10)])
        assert conn.execute(select(func.sum(amounts.c.qty))).scalar() == Decimal("1.000")
        conn.execute(update(amounts).values(qty=amounts.c.qty - Decimal("0.1")))
        assert conn.execute(select(func.sum(amounts.c.qty))).scalar() == Decimal("0.000")


def test_binding_rounds_half_up_to_the_scale(engine):
    with engine.begin() as conn:
        conn.execute(insert(amounts), [{"price": Decimal("2.345")}])
        assert conn.execute(select(amounts.c.price)).scalar() == Decimal("2.35")


class PriceSchema(Schema):
    price = DecimalString(2, minimum=0)


def test_decimal_strings_refuse_extra_places_negatives_and_nan():
    assert PriceSchema().load({"price": "12.5"}) == {"price": Decimal("12.5")}
    assert PriceSchema().dump({"price": Decimal("12.5")}) == {"price": "12.50"}
    for bad in ("12.345", "-1", "NaN", "abc", "Infinity"):
        with pytest.raises(ValidationError) as refused:
            PriceSchema().load({"price": bad})
        assert "price" in refused.value.messages
