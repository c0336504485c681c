"""The yardstick for the stock-out API: a bare Flask endpoint that does only the
conditional UPDATE, on the same database with the same connection settings.

It takes from `bench_balances` (made by bench.ledger: the balance columns of
stock_balances), so the ledger itself stays whole for `flask stock verify`.

    gunicorn bench.bare_stock_out:app   (DATABASE_URL as for the app)
"""

import os

from flask import Flask, jsonify
from sqlalchemy import create_engine, text

from app.core.db import configure_sqlite
from config.settings import normalise_database_url

engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]))
if engine.dialect.name == "sqlite":
    configure_sqlite(engine, busy_timeout_ms=15000)


def create_table(on_hand: int) -> int:
    """The table the endpoint takes from, with one row; returns its id."""
    numeric = "BIGINT" if engine.dialect.name == "sqlite" else "NUMERIC(18, 3)"
    scale = 1000 if engine.dialect.name == "sqlite" else 1
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_balances"))
        conn.execute(
            text(
                f"CREATE TABLE bench_balances (id INTEGER PRIMARY KEY, "
                f"on_hand {numeric} NOT NULL, reserved {numeric} NOT NULL)"
            )
        )
        conn.execute(text("INSERT INTO bench_balances VALUES (1, :q, 0)"), {"q": on_hand * scale})
    return 1


app = Flask(__name__)
TAKE_ONE = text(
    "UPDATE bench_balances SET on_hand = on_hand - :q WHERE id = :id AND on_hand - reserved >= :q"
)


@app.post("/bare/take/<int:balance_id>")
def take(balance_id):
    # The quantity is in the column's stored unit (thousandths on SQLite, units on PostgreSQL).
    q = 1000 if engine.dialect.name == "sqlite" else 1
    with engine.begin() as conn:
        taken = conn.execute(TAKE_ONE, {"q": q, "id": balance_id}).rowcount
    return (jsonify(taken=True), 201) if taken else (jsonify(taken=False), 409)
