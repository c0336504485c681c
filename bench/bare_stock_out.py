"""The yardstick for the stock-out API: a bare Flask endpoint that does only the
conditional UPDATE, on the same database with the same connection settings.

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

app = Flask(__name__)
TAKE_ONE = text(
    "UPDATE stock_balances SET on_hand = on_hand - :q WHERE id = :id AND on_hand - reserved >= :q"
)


@app.post("/bare/take/<int:balance_id>")
def take(balance_id):
    # The quantity is in the column's stored unit (thousandths on SQLite, units on PostgreSQL).
    q = 1000 if engine.dialect.name == "sqlite" else 1
    with engine.begin() as conn:
        taken = conn.execute(TAKE_ONE, {"q": q, "id": balance_id}).rowcount
    return (jsonify(taken=True), 201) if taken else (jsonify(taken=False), 409)
