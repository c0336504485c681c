"""Report benchmark: every report of GET /api/v1/reports/<name> (first page and totals) on a
large, consistent company — by default 1,000,000 stock ledger lines, 20,000 products,
5 warehouses and two years of documents — on SQLite and on PostgreSQL. Prints the seed
counts and one table; each figure is the median of --runs after a warm-up, and reports
at or over 1 s are marked.

    .venv/bin/python -m bench.reports [--lines 1000000] [--products 20000] [--warehouses 5]
        [--days 730] [--runs 3] [--only sqlite|postgres] [--reuse] [--report NAME ...]
        [--explain-ms 500]

SQLite: /tmp/jxc-bench-reports.sqlite. PostgreSQL: the database jxc_bench on this machine,
created when missing. The seed is written with SQLAlchemy Core bulk inserts, as the
services would leave it: ledger lines with the running quantity and value per product ×
warehouse (moving average on the way out, first expiry first out for batches, never below
zero), balances and valuations equal to the ledger's final totals, sales orders shipped,
invoiced, paid and sometimes returned, purchase orders received and billed, a few open
orders holding stock reserved or on order; the demand forecasts come from their own daily
refresh. History runs up to the start of the day, so seeds made on one day are the same
rows on both databases (PostgreSQL loads them without per-row foreign key checks, as
pg_restore --disable-triggers does; SQLite checks them). --reuse keeps a database that
already holds a seed of the same parameters (table bench_seed), to re-time after changing
queries or indexes; otherwise the database is emptied and seeded again. The reports at or
over --explain-ms get the plans of their slowest statements printed (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN ANALYZE on PostgreSQL).
"""

import argparse
import heapq
import json
import math
import queue
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    create_engine,
    event,
    inspect,
    select,
    text,
    update,
)

SQLITE_PATH = Path("/tmp/jxc-bench-reports.sqlite")
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "jxc_bench"
SEED_FORMAT = 2  # bump when the generator changes: older seeds are then not reused
RANDOM_SEED = 20240601
CHUNK = 20_000  # ledger lines per flush (and commit)
INSERT_ROWS = 10_000  # rows per executemany
SLOW_MS = 1000
PASSWORD = "bench-password-1"

ZERO = Decimal(0)
CENT = Decimal("0.01")
COST_PLACES = Decimal("0.000001")
TAX = Decimal("0.13")
DISCOUNTS = (ZERO, ZERO, ZERO, Decimal("0.02"), Decimal("0.05"))
UNITS = ("个", "个", "箱", "瓶", "袋", "件", "包", "kg")
KINDS = ("纸巾", "矿泉水", "洗衣液", "饼干", "牛奶", "酱油", "大米", "食用油", "牙膏", "电池")
BRANDS = ("金鼎", "华联", "康乐", "恒源", "顺达", "美佳", "天成", "丰收")

bench_seed = Table(
    "bench_seed",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("params", Text, nullable=False),
    Column("seeded_at", Text, nullable=False),
    Column("seconds", Float, nullable=False),
)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _cost(value: Decimal) -> Decimal:
    return value.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, clock(12), tzinfo=UTC)


@dataclass(frozen=True)
class Params:
    lines: int
    products: int
    warehouses: int
    days: int

    def key(self) -> str:
        return json.dumps(
            {**asdict(self), "format": SEED_FORMAT, "seed": RANDOM_SEED}, sort_keys=True
        )


# --- databases ------------------------------------------------------------------------------


def _service_app(url: str):
    from app import create_app
    from app.extensions import db
    from config import ProductionConfig

    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench")
    with app.app_context():
        db.create_all()
    return app


def _sqlite_url() -> str:
    return f"sqlite:///{SQLITE_PATH}"


def _postgres_url() -> str:
    """The bench database, created (over an AUTOCOMMIT connection to `test`) when missing."""
    engine = create_engine(f"{POSTGRES_SERVER}/test", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": POSTGRES_DATABASE}
        ).first()
        if found is None:
            conn.execute(text(f'CREATE DATABASE "{POSTGRES_DATABASE}"'))
    engine.dispose()
    return f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"


def _stored_seed(url: str) -> dict | None:
    """What bench_seed says the database holds, or None."""
    if url.startswith("sqlite") and not SQLITE_PATH.exists():
        return None
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("bench_seed"):
            return None
        with engine.connect() as conn:
            row = conn.execute(select(bench_seed).order_by(bench_seed.c.id.desc())).first()
        return dict(row._mapping) if row else None
    finally:
        engine.dispose()


def _empty(url: str) -> None:
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _finish_database(app) -> None:
    """Sequences past the explicit ids, statistics, and a checkpoint on SQLite."""
    from app.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in db.metadata.sorted_tables:
                    if "id" not in table.c or not table.c.id.primary_key:
                        continue
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false) '
                            f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
                        )
                    )
                conn.execute(text("VACUUM (ANALYZE)"))
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
            with engine.connect() as conn:  # outside a transaction: straight to the driver
                conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- the company ----------------------------------------------------------------------------


class _Place:
    """One stock_balances row as the ledger keeps it."""

    __slots__ = ("id", "location_id", "batch_id", "expiry", "on_hand", "reserved", "on_order")

    def __init__(self, id_: int, location_id, batch_id, expiry):
        self.id, self.location_id, self.batch_id, self.expiry = id_, location_id, batch_id, expiry
        self.on_hand = self.reserved = self.on_order = 0

    def fefo(self) -> tuple:
        """The order stock leaves in (inventory.ledger.fefo_order)."""
        return (self.expiry or date.max, self.batch_id or 0, self.location_id or 0, self.id)


class _Writer(threading.Thread):
    """Runs the inserts on a connection of its own, one transaction per chunk, while the
    next chunk is being made (the driver lets go of the GIL while the database works)."""

    def __init__(self, engine):
        super().__init__(name="bench-writer", daemon=True)
        self.engine, self.queue = engine, queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.seconds = 0.0  # spent writing

    def run(self):
        try:
            with self.engine.connect() as conn:
                if conn.dialect.name == "postgresql":
                    # As pg_restore --disable-triggers: no per-row foreign key checks while
                    # loading (SQLite checks them: the same generator writes the same rows).
                    conn.exec_driver_sql("SET session_replication_role = replica")
                    conn.commit()
                while (work := self.queue.get()) is not None:
                    started = time.perf_counter()
                    for statement, rows in work:
                        for offset in range(0, len(rows), INSERT_ROWS):
                            conn.execute(statement, rows[offset : offset + INSERT_ROWS])
                    conn.commit()
                    self.seconds += time.perf_counter() - started
                if conn.dialect.name == "postgresql":  # the connection goes back to the pool
                    conn.exec_driver_sql("RESET session_replication_role")
                    conn.commit()
        except BaseException as exc:  # handed to the making thread
            self.error = exc

    def put(self, work) -> None:
        while True:
            if self.error is not None:
                raise RuntimeError("writing the seed failed") from self.error
            try:
                self.queue.put(work, timeout=1)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        self.put(None)
        self.join()
        if self.error is not None:
            raise RuntimeError("writing the seed failed") from self.error


class Seeder:
    """Makes the company in time order, replaying what each service would write, and
    hands it to the writer in chunks of CHUNK ledger lines."""

    def __init__(self, writer: _Writer, tables: list, params: Params, users: dict,
                 now: datetime):  # fmt: skip
        self.writer, self.params, self.users = writer, params, users
        self.tables = {table.name: table for table in tables}
        self.order = [table.name for table in tables]  # parents first
        self.rng = random.Random(RANDOM_SEED)
        self.now, self.today = now, now.date()
        self.start = now - timedelta(days=params.days)
        self.at = self.start
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.last_id: Counter = Counter()
        self.numbers: Counter = Counter()  # (prefix, year) → last number
        self.ledger_lines = 0
        self.valuations: dict[tuple[int, int], list] = {}  # (p, w) → [qty, value, avg]
        self.places: dict[tuple[int, int], dict[str, _Place]] = defaultdict(dict)
        self.needed: set[tuple[int, int]] = set()
        self.returns: list = []  # heap of (when, n, planned return)
        self.customer_receipts: dict[tuple, dict] = {}
        self.supplier_payments: dict[tuple, dict] = {}
        from app.trade.lines import line_amounts

        self._line_amounts = line_amounts

    def _amounts(self, qty, unit_price: Decimal, discount: Decimal) -> tuple:
        """(amount, tax, total) of an order line, as trade.lines works them out."""
        return self._line_amounts(Decimal(qty), unit_price, discount, TAX)

    # --- plumbing ---------------------------------------------------------------------------

    def _id(self, table: str) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    def _add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)

    def _number(self, prefix: str, at) -> str:
        self.numbers[(prefix, at.year)] += 1
        return f"{prefix}-{at.year}-{self.numbers[(prefix, at.year)]:06d}"

    def flush(self) -> None:
        """Hand what was made to the writer, parents first."""
        work = [(self.tables[name].insert(), self.rows.pop(name))
                for name in self.order if self.rows.get(name)]  # fmt: skip
        self.writer.put(work)

    def _advance(self) -> datetime:
        """The time of the next document: the share of the ledger written so far of the
        whole period, so documents spread over it and posted_at grows with the id."""
        at = self.start + (self.now - self.start) * (self.ledger_lines / self.params.lines)
        self.at = max(at, self.at + timedelta(seconds=1))
        return self.at

    # --- master data ------------------------------------------------------------------------

    def master_data(self) -> None:
        rng, params = self.rng, self.params
        at = self.start - timedelta(days=30)
        stamp = {"created_at": at, "updated_at": at}
        self.warehouses = list(range(1, params.warehouses + 1))
        self.locations: dict[int, list[int]] = {}
        for w in self.warehouses:
            self._add("warehouses", {"id": self._id("warehouses"), "code": f"WH{w}",
                                     "name": f"{w}号仓", "address": "", "active": True,
                                     "version": 1, **stamp})  # fmt: skip
            self.locations[w] = []
            for n in range(1, 5):
                location_id = self._id("locations")
                self.locations[w].append(location_id)
                self._add("locations", {"id": location_id, "warehouse_id": w,
                                        "code": f"A-{n:02d}-01", "name": "", "active": True,
                                        "version": 1, **stamp})  # fmt: skip
        leaves = []
        for top in range(8):
            top_id = self._id("categories")
            self._add("categories", {"id": top_id, "name": f"{KINDS[top]}类", "parent_id": None,
                                     "sort_order": top, "version": 1, **stamp})  # fmt: skip
            for child in range(5):
                leaf_id = self._id("categories")
                leaves.append(leaf_id)
                self._add("categories", {"id": leaf_id, "name": f"{KINDS[top]}{child + 1}",
                                         "parent_id": top_id, "sort_order": child, "version": 1,
                                         **stamp})  # fmt: skip
        self._products(leaves, stamp)
        self.suppliers = list(range(1, 101))
        self.supplier_terms, self.lead_time = {}, {}
        for s in self.suppliers:
            self.supplier_terms[s] = rng.choice((30, 45, 60))
            self.lead_time[s] = rng.randint(3, 14)
            self._add("suppliers", {"id": self._id("suppliers"), "code": f"S{s:03d}",
                                    "name": f"{rng.choice(BRANDS)}供应商{s}", "contact": "",
                                    "phone": "", "address": "", "tax_id": "",
                                    "payment_terms_days": self.supplier_terms[s],
                                    "lead_time_days": self.lead_time[s],
                                    "rating": rng.randint(1, 5), "opening_payable": ZERO,
                                    "active": True, "note": "", "version": 1,
                                    **stamp})  # fmt: skip
        self.supplier_of = [0] + [rng.choice(self.suppliers) for _ in range(params.products)]
        self.customers = list(range(1, 301))
        self.credit_days, self.wholesale, self.salesperson = {}, {}, {}
        for c in self.customers:
            self.credit_days[c] = rng.choice((15, 30, 30, 45, 60))
            self.wholesale[c] = rng.random() < 0.4
            self.salesperson[c] = rng.choice(self.users["sales"])
            self._add("customers", {"id": self._id("customers"), "code": f"C{c:04d}",
                                    "name": f"{rng.choice(BRANDS)}客户{c}", "pinyin_initials": "",
                                    "contacts": [], "delivery_addresses": [],
                                    "price_level": "wholesale" if self.wholesale[c] else "retail",
                                    "credit_limit": Decimal(200_000), "credit_days":
                                    self.credit_days[c], "salesperson_id": self.salesperson[c],
                                    "opening_receivable": ZERO, "active": True, "note": "",
                                    "version": 1, **stamp})  # fmt: skip

    def _products(self, leaves: list[int], stamp: dict) -> None:
        """Products with a popularity; a quarter stop selling at some point (dead stock
        later), a few never sell; a tenth are batch-tracked with a shelf life."""
        rng, params = self.rng, self.params
        count = params.products
        span = self.now - self.start
        self.weight, self.cost, self.retail, self.trade = [0.0], [ZERO], [ZERO], [ZERO]
        self.unit, self.shelf_life, self.sales_end, self.purchase_end = [""], [0], [None], [None]
        for _ in range(count):
            never = rng.random() < 0.04
            self.weight.append(0.0 if never else rng.lognormvariate(0, 1.0))
            cost = Decimal(str(round(math.exp(rng.uniform(math.log(2), math.log(400))), 2)))
            self.cost.append(cost)
            self.retail.append(_money(cost * Decimal(str(rng.uniform(1.3, 1.8)))))
            self.trade.append(_money(cost * Decimal(str(rng.uniform(1.12, 1.25)))))
            self.unit.append(rng.choice(UNITS))
            self.shelf_life.append(rng.randint(120, 720) if rng.random() < 0.1 else 0)
            end = None
            if rng.random() < 0.25:  # fades out of the range before the last 100 days
                end = self.start + span * rng.uniform(0.1, max(0.1, 1 - 100 / params.days))
            self.sales_end.append(end)
            self.purchase_end.append(end - timedelta(days=20) if end else None)
        # Every product in the first warehouse, about a third of them in each other one.
        self.carried = {w: [p for p in range(1, count + 1) if w == 1 or rng.random() < 0.35]
                        for w in self.warehouses}  # fmt: skip
        self.carried_set = {w: set(ps) for w, ps in self.carried.items()}
        self.share = {w: (0.4 if w == 1 else 0.6 / max(1, len(self.warehouses) - 1))
                      for w in self.warehouses}  # fmt: skip
        if len(self.warehouses) == 1:
            self.share[1] = 1.0
        self.cum_weights = {}
        for w, ps in self.carried.items():
            total, cumulative = 0.0, []
            for p in ps:
                total += self.weight[p]
                cumulative.append(total)
            self.cum_weights[w] = cumulative
        # Units a day each product × warehouse sells, from the expected sales lines.
        sold_per_day = self.params.lines / 5.4 * 0.58 * 5 * 6.5 / params.days
        self.rate = {}
        for w, ps in self.carried.items():
            total = self.cum_weights[w][-1] if ps else 1
            for p in ps:
                self.rate[(p, w)] = sold_per_day * self.share[w] * self.weight[p] / total
        safety, rows = [], []
        for p in range(1, count + 1):
            daily = self.rate.get((p, 1), 0.0)
            stock_level = Decimal(max(1, round(daily * 7))) if rng.random() < 0.3 else ZERO
            safety.append(stock_level)
            rows.append({
                "id": self._id("products"), "sku": f"P{p:06d}",
                "name": f"{BRANDS[p % len(BRANDS)]}{KINDS[p % len(KINDS)]} {p}",
                "pinyin_initials": f"sp{p}", "spec": "", "brand": BRANDS[p % len(BRANDS)],
                "category_id": leaves[p % len(leaves)], "unit": self.unit[p],
                "retail_price": self.retail[p], "wholesale_price": self.trade[p],
                "min_price": _money(self.cost[p] * Decimal("1.05")), "last_cost": ZERO,
                "avg_cost": ZERO, "safety_stock": stock_level,
                "reorder_point": stock_level * 2, "reorder_qty": stock_level * 4,
                "track_batches": bool(self.shelf_life[p]),
                "track_expiry": bool(self.shelf_life[p]),
                "shelf_life_days": self.shelf_life[p] or None, "expiry_alert_days": None,
                "allow_negative_stock": False, "active": True, "archived_at": None,
                "image_key": None, "version": 1, **stamp,
            })  # fmt: skip
        for row in rows:
            self._add("products", row)
        for w in self.warehouses[1:]:  # a few per-warehouse safety stocks
            for p in rng.sample(self.carried[w], min(len(self.carried[w]), count // 50)):
                level = Decimal(max(1, round(self.rate[(p, w)] * 10)))
                self._add("product_warehouse_settings", {"product_id": p, "warehouse_id": w,
                                                         "safety_stock": level,
                                                         "reorder_point": None,
                                                         "reorder_qty": None})  # fmt: skip
        self.last_cost = [ZERO] * (count + 1)
        self.avg_cost = [ZERO] * (count + 1)
        self.cost_at: dict[int, datetime] = {}
        self.need_queue = {w: deque() for w in self.warehouses}

    # --- the ledger, as inventory.ledger posts ----------------------------------------------

    def _home(self, p: int, w: int) -> int | None:
        """The location a product is kept at in a warehouse (none for some)."""
        if p % 10 < 3:
            return None
        locations = self.locations[w]
        return locations[(p + w) % len(locations)]

    def _place(self, pw, location_id, batch_id, expiry=None) -> _Place:
        key = f"{location_id or 0}:{batch_id or 0}"
        place = self.places[pw].get(key)
        if place is None:
            place = _Place(self._id("stock_balances"), location_id, batch_id, expiry)
            self.places[pw][key] = place
        return place

    def _document(self, kind, w, at, *, to=None, source=None, note="", reason="") -> int:
        doc_id = self._id("stock_documents")
        prefix = {"in": "IN", "out": "OUT", "transfer": "TR", "adjust": "ADJ"}[kind]
        self._add("stock_documents", {
            "id": doc_id, "number": self._number(prefix, at), "type": kind,
            "status": "posted", "warehouse_id": w, "to_warehouse_id": to, "reason": reason,
            "note": note, "user_id": self.users["manager" if kind == "adjust" else "warehouse"],
            "posted_at": at, "cancelled_at": None, "cancelled_by_id": None,
            "source_type": source[0] if source else None,
            "source_id": source[1] if source else None, "created_at": at, "updated_at": at,
        })  # fmt: skip
        return doc_id

    def _document_line(self, doc_id, line_no, p, qty, *, location_id=None, to_location_id=None,
                       batch_id=None, unit_cost=None) -> int:  # fmt: skip
        line_id = self._id("stock_document_lines")
        self._add("stock_document_lines", {
            "id": line_id, "document_id": doc_id, "line_no": line_no, "product_id": p,
            "unit": self.unit[p], "factor": Decimal(1), "qty": qty, "base_qty": qty,
            "location_id": location_id, "to_location_id": to_location_id,
            "batch_id": batch_id, "unit_cost": unit_cost,
        })  # fmt: skip
        return line_id

    def _entry(self, doc_id, line_id, pw, place: _Place, qty, unit_cost, value, at) -> None:
        valuation = self.valuations.setdefault(pw, [0, ZERO, ZERO])
        valuation[0] += qty
        valuation[1] += value
        if qty > 0 and valuation[0] > 0:
            valuation[2] = _cost(valuation[1] / valuation[0])
        elif valuation[0] <= 0 and qty > 0:
            valuation[2] = _cost(unit_cost)
        self.ledger_lines += 1
        self._add("stock_ledger", {
            "id": self._id("stock_ledger"), "document_id": doc_id, "document_line_id": line_id,
            "product_id": pw[0], "warehouse_id": pw[1], "location_id": place.location_id,
            "batch_id": place.batch_id, "qty": qty, "unit_cost": unit_cost, "value": value,
            "qty_after": valuation[0], "value_after": valuation[1], "reverses_id": None,
            "user_id": self.users["warehouse"], "posted_at": at,
        })  # fmt: skip

    def _put(self, doc_id, line_id, pw, place: _Place, qty, unit_cost, at, value=None) -> None:
        place.on_hand += qty
        valuation = self.valuations.setdefault(pw, [0, ZERO, ZERO])
        if value is None:
            value = _money(qty * unit_cost)
        if valuation[0] + qty == 0:
            value = -valuation[1]
        self._entry(doc_id, line_id, pw, place, qty, unit_cost, value, at)

    def _available(self, pw, day: date) -> int:
        """Unexpired stock free to take (nothing is reserved while history is made)."""
        return sum(place.on_hand for place in self.places[pw].values()
                   if place.expiry is None or place.expiry >= day)  # fmt: skip

    def _take(self, doc_id, line_id, pw, qty, at, exact: _Place | None = None) -> list:
        """Take `qty` (which the caller checked is there) first expiry first out, at the
        moving average; [(place, qty, unit cost, value)]."""
        if exact is not None:
            candidates = [exact]
        else:
            day = at.date()
            candidates = sorted(
                (place for place in self.places[pw].values()
                 if place.on_hand > 0 and (place.expiry is None or place.expiry >= day)),
                key=_Place.fefo,
            )  # fmt: skip
        taken, wanted = [], qty
        valuation = self.valuations[pw]
        for place in candidates:
            if wanted <= 0:
                break
            part = min(wanted, place.on_hand)
            wanted -= part
            place.on_hand -= part
            cost = valuation[2]
            value = valuation[1] if valuation[0] == part else _money(part * cost)
            self._entry(doc_id, line_id, pw, place, -part, cost, -value, at)
            taken.append((place, part, cost, value))
        assert wanted == 0, (pw, qty)
        return taken

    def _check_need(self, p: int, w: int, at: datetime) -> None:
        """Queue a product × warehouse for purchasing when it runs low."""
        ended = self.purchase_end[p]
        if (p, w) in self.needed or (ended and at > ended) or not self.weight[p]:
            return
        if self._available((p, w), at.date()) < max(2.0, self.rate[(p, w)] * 10):
            self.needed.add((p, w))
            self.need_queue[w].append(p)

    def _pick_products(self, w: int, count: int, at: datetime, *, tries: int = 3) -> list[int]:
        """Up to `count` different products of a warehouse by popularity, still selling."""
        if not self.carried[w] or not self.cum_weights[w][-1]:
            return []
        seen, picked = set(), []
        for p in self.rng.choices(self.carried[w], cum_weights=self.cum_weights[w],
                                  k=count * tries):  # fmt: skip
            if p in seen:
                continue
            seen.add(p)
            ended = self.sales_end[p]
            if ended and at > ended:
                continue
            picked.append(p)
        return picked

    def _warehouse(self) -> int:
        shares = [self.share[w] for w in self.warehouses]
        return self.rng.choices(self.warehouses, weights=shares)[0]

    # --- purchasing -------------------------------------------------------------------------

    def _receive(self, w: int, wanted: list[tuple[int, int]]) -> None:
        """An approved purchase order received in full as one stock-in (IN-, GR-), billed
        by the supplier a few days later."""
        rng, at = self.rng, self._advance()
        supplier = self.supplier_of[wanted[0][0]]
        created = at - timedelta(days=rng.uniform(1, 10))
        order_id = self._id("purchase_orders")
        order_number = self._number("PO", created)
        doc_id = self._document("in", w, at, source=("purchase_order", order_id),
                                note=order_number)  # fmt: skip
        receipt_id = self._id("purchase_receipts")
        amounts, billed = [ZERO, ZERO, ZERO], []
        for line_no, (p, qty) in enumerate(wanted, 1):
            price = _money(self.cost[p] * Decimal(str(rng.uniform(0.93, 1.07))))
            discount = Decimal("0.03") if rng.random() < 0.1 else ZERO
            amount, tax, total = self._amounts(Decimal(qty), price, discount)
            for n, figure in enumerate((amount, tax, total)):
                amounts[n] += figure
            order_line_id = self._id("purchase_order_lines")
            self._add("purchase_order_lines", {
                "id": order_line_id, "order_id": order_id, "line_no": line_no, "product_id": p,
                "unit": self.unit[p], "factor": Decimal(1), "qty": qty, "base_qty": qty,
                "unit_price": price, "tax_rate": TAX, "discount": discount, "amount": amount,
                "tax": tax, "total": total, "received_base_qty": qty,
            })  # fmt: skip
            pw = (p, w)
            self._place(pw, None, None)  # approval put it on order: the warehouse-level row
            batch_id = expiry = None
            if self.shelf_life[p]:
                batch_id = self._id("batches")
                expiry = at.date() + timedelta(days=self.shelf_life[p])
                self._add("batches", {"id": batch_id, "product_id": p,
                                      "number": f"L{at:%y%m%d}-{batch_id}", "expiry": expiry,
                                      "created_at": at, "updated_at": at})  # fmt: skip
            unit_cost = price * (1 - discount)  # purchasing.services.net_unit_cost
            location_id = self._home(p, w)
            line_id = self._document_line(doc_id, line_no, p, qty, location_id=location_id,
                                          batch_id=batch_id, unit_cost=unit_cost)  # fmt: skip
            place = self._place(pw, location_id, batch_id, expiry)
            self._put(doc_id, line_id, pw, place, qty, unit_cost, at)
            receipt_line_id = self._id("purchase_receipt_lines")
            self._add("purchase_receipt_lines", {
                "id": receipt_line_id, "receipt_id": receipt_id, "order_line_id": order_line_id,
                "document_line_id": line_id, "unit": self.unit[p], "qty": qty, "base_qty": qty,
                "returned_base_qty": 0,
            })  # fmt: skip
            self._note_costs(p, w, unit_cost, at)
            billed.append((receipt_line_id, order_line_id, p, qty, price * (1 - discount)))
        self._add("purchase_orders", {
            "id": order_id, "number": order_number, "supplier_id": supplier, "warehouse_id": w,
            "state": "received", "expected_date": (created + timedelta(
                days=self.lead_time[supplier])).date(), "note": "", "amount": amounts[0],
            "tax": amounts[1], "total": amounts[2], "created_by_id": self.users["manager"],
            "created_at": created, "updated_at": at, "version": 3,
        })  # fmt: skip
        self._add("purchase_receipts", {"id": receipt_id, "number": self._number("GR", at),
                                        "order_id": order_id, "document_id": doc_id,
                                        "user_id": self.users["warehouse"], "received_at": at,
                                        "note": ""})  # fmt: skip
        self._bill(supplier, at, billed)

    def _note_costs(self, p: int, w: int, unit_cost: Decimal, at: datetime) -> None:
        """Last purchase cost and the average over the warehouses holding stock."""
        qty, value = 0, ZERO
        for other in self.warehouses:
            valuation = self.valuations.get((p, other))
            if valuation and valuation[0] > 0:
                qty += valuation[0]
                value += valuation[1]
        self.last_cost[p] = _cost(unit_cost)
        if qty > 0:
            self.avg_cost[p] = _cost(value / qty)
        self.cost_at[p] = at

    def _purchase_only(self, w: int, state: str) -> None:
        """A purchase order that never arrived: a draft or a cancelled one."""
        rng = self.rng
        created = self.at
        order_id = self._id("purchase_orders")
        products = self._pick_products(w, rng.randint(1, 5), created)
        if not products:
            return
        amounts = [ZERO, ZERO, ZERO]
        for line_no, p in enumerate(products, 1):
            qty = rng.randint(5, 40)
            amount, tax, total = self._amounts(Decimal(qty), self.cost[p], ZERO)
            for n, figure in enumerate((amount, tax, total)):
                amounts[n] += figure
            self._add("purchase_order_lines", {
                "id": self._id("purchase_order_lines"), "order_id": order_id,
                "line_no": line_no, "product_id": p, "unit": self.unit[p],
                "factor": Decimal(1), "qty": qty, "base_qty": qty, "unit_price": self.cost[p],
                "tax_rate": TAX, "discount": ZERO, "amount": amount, "tax": tax,
                "total": total, "received_base_qty": 0,
            })  # fmt: skip
        supplier = self.supplier_of[products[0]]
        self._add("purchase_orders", {
            "id": order_id, "number": self._number("PO", created), "supplier_id": supplier,
            "warehouse_id": w, "state": state, "expected_date": None, "note": "",
            "amount": amounts[0], "tax": amounts[1], "total": amounts[2],
            "created_by_id": self.users["manager"], "created_at": created,
            "updated_at": created, "version": 1,
        })  # fmt: skip

    def _bill(self, supplier: int, received: datetime, billed: list) -> None:
        rng = self.rng
        bill_date = received.date() + timedelta(days=rng.randint(0, 7))
        if bill_date > self.today:
            return  # not billed yet
        bill_id = self._id("supplier_bills")
        due = bill_date + timedelta(days=self.supplier_terms[supplier])
        amounts = [ZERO, ZERO, ZERO]
        for line_no, (receipt_line_id, order_line_id, p, qty, price) in enumerate(billed, 1):
            amount, tax, total = self._amounts(Decimal(qty), price, ZERO)
            for n, figure in enumerate((amount, tax, total)):
                amounts[n] += figure
            self._add("supplier_bill_lines", {
                "id": self._id("supplier_bill_lines"), "bill_id": bill_id, "line_no": line_no,
                "receipt_line_id": receipt_line_id, "order_line_id": order_line_id,
                "product_id": p, "unit": self.unit[p], "qty": qty, "base_qty": qty,
                "unit_price": price, "tax_rate": TAX, "amount": amount, "tax": tax,
                "total": total, "order_unit_price": price, "order_tax_rate": TAX,
                "price_variance": ZERO, "qty_variance": ZERO,
            })  # fmt: skip
        total = amounts[2]
        paid_on, part = self._payment_plan(bill_date, due)
        paid = ZERO
        if paid_on is not None:
            paid = total if part == "full" else _money(total / 2)
            self._allocate(self.supplier_payments, supplier, paid_on, bill_id, paid)
        posted_at = min(self.now, _at_noon(bill_date))
        self._add("supplier_bills", {
            "id": bill_id, "number": self._number("BL", bill_date), "supplier_id": supplier,
            "bill_no": f"FP{bill_id:08d}", "bill_date": bill_date, "due_date": due,
            "state": "paid" if paid >= total else "posted", "note": "", "amount": amounts[0],
            "tax": amounts[1], "total": total, "paid": paid, "has_variances": False,
            "created_by_id": self.users["manager"], "posted_at": posted_at,
            "created_at": posted_at, "updated_at": posted_at,
        })  # fmt: skip

    def _payment_plan(self, issued: date, due: date) -> tuple[date | None, str]:
        """When an invoice or bill is paid (None: not yet), in full or half of it."""
        rng, today = self.rng, self.today
        draw = rng.random()
        if due <= today:
            if draw < 0.04:
                return None, "full"  # overdue, unpaid
            when = due + timedelta(days=rng.randint(-10, 25))
            part = "half" if draw < 0.09 else "full"
        else:
            if draw > 0.25:
                return None, "full"  # not due yet
            when = issued + timedelta(days=rng.randint(0, max(0, (today - issued).days)))
            part = "full"
        when = min(max(when, issued), today)
        return when, part

    def _allocate(self, payments: dict, party: int, day: date, document_id: int, amount) -> None:
        """One payment per party and month, allocated to what it paid."""
        if amount <= 0:
            return
        payment = payments.setdefault((party, day.year, day.month),
                                      {"party": party, "day": day, "allocations": []})  # fmt: skip
        payment["day"] = max(payment["day"], day)
        payment["allocations"].append((document_id, amount))

    # --- sales ------------------------------------------------------------------------------

    def _ship(self) -> None:
        """A sales order shipped in full in one shipment (OUT-, SH-), invoiced a few days
        later; now and then part of it comes back."""
        rng, at = self.rng, self._advance()
        w = self._warehouse()
        wanted = []
        for p in self._pick_products(w, rng.randint(1, 9), at):
            available = self._available((p, w), at.date())
            if available > 0:
                wanted.append((p, min(rng.randint(1, 12), available)))
        if not wanted:
            return
        customer = rng.choice(self.customers)
        wholesale = self.wholesale[customer]
        order_id = self._id("sales_orders")
        created = at - timedelta(hours=rng.uniform(1, 72))
        order_number = self._number("SO", created)
        shipment_id = self._id("shipments")
        shipment_number = self._number("SH", at)
        doc_id = self._document("out", w, at, source=("sales_order", order_id),
                                note=f"{shipment_number} {order_number}")  # fmt: skip
        amounts, lines = [ZERO, ZERO, ZERO], []
        for line_no, (p, qty) in enumerate(wanted, 1):
            price = self.trade[p] if wholesale else self.retail[p]
            discount = rng.choice(DISCOUNTS)
            amount, tax, total = self._amounts(Decimal(qty), price, discount)
            for n, figure in enumerate((amount, tax, total)):
                amounts[n] += figure
            pw = (p, w)
            self._place(pw, None, None)  # confirming reserved it on the warehouse-level row
            line_id = self._document_line(doc_id, line_no, p, qty)
            taken = self._take(doc_id, line_id, pw, qty, at)
            cost = sum((value for _, _, _, value in taken), ZERO)
            self._check_need(p, w, at)
            order_line_id = self._id("sales_order_lines")
            self._add("sales_order_lines", {
                "id": order_line_id, "order_id": order_id, "line_no": line_no, "product_id": p,
                "unit": self.unit[p], "factor": Decimal(1), "qty": qty, "base_qty": qty,
                "list_price": price, "unit_price": price, "tax_rate": TAX,
                "discount": discount, "amount": amount, "tax": tax, "total": total,
                "price_approved_by_id": None, "reserved_base_qty": 0, "shipped_base_qty": qty,
            })  # fmt: skip
            lines.append({"id": self._id("shipment_lines"), "order_line_id": order_line_id,
                          "document_line_id": line_id, "p": p, "qty": qty, "cost": cost,
                          "price": price, "discount": discount, "amount": amount,
                          "tax": tax, "total": total})  # fmt: skip
        invoice = self._invoice(customer, (order_id, shipment_id, w), at, lines)
        for line in lines:
            self._add("shipment_lines", {
                "id": line["id"], "shipment_id": shipment_id,
                "order_line_id": line["order_line_id"],
                "document_line_id": line["document_line_id"], "unit": self.unit[line["p"]],
                "qty": line["qty"], "base_qty": line["qty"], "cost": line["cost"],
                "returned_base_qty": line.get("returned", 0),
                "invoiced_base_qty": line["qty"] if invoice else 0,
            })  # fmt: skip
        self._add("shipments", {"id": shipment_id, "number": shipment_number,
                                "order_id": order_id, "document_id": doc_id,
                                "user_id": self.users["warehouse"], "shipped_at": at,
                                "carrier": "", "tracking_no": "", "note": ""})  # fmt: skip
        self._add("sales_orders", {
            "id": order_id, "number": order_number, "client_id": None,
            "customer_id": customer, "warehouse_id": w,
            "salesperson_id": self.salesperson[customer],
            "state": "completed" if invoice else "shipped", "hold_reason": None,
            "delivery_address": "", "note": "", "amount": amounts[0], "tax": amounts[1],
            "total": amounts[2], "created_by_id": self.salesperson[customer],
            "created_at": created, "updated_at": at, "version": 3,
        })  # fmt: skip

    def _invoice(self, customer: int, shipped_as: tuple, shipped: datetime, lines: list) -> bool:
        """The order's invoice (IV-) with its payment and any return planned: the
        invoice's paid and credited figures are final when it is written. `shipped_as`:
        (order, shipment, warehouse)."""
        rng = self.rng
        order_id = shipped_as[0]
        invoice_date = shipped.date() + timedelta(days=rng.randint(0, 3))
        if invoice_date > self.today:
            return False
        invoice_id = self._id("customer_invoices")
        due = invoice_date + timedelta(days=self.credit_days[customer])
        total = sum((line["total"] for line in lines), ZERO)
        paid_on, part = self._payment_plan(invoice_date, due)
        returned = self._plan_return(customer, shipped_as, invoice_id, shipped, lines)
        events = []
        if paid_on is not None:
            events.append((paid_on, 1, "pay"))
        if returned is not None:
            events.append((returned["at"].date(), 0, "return"))
        open_amount, paid, credited = total, ZERO, ZERO
        for _, _, what in sorted(events):
            if what == "pay":
                paid = open_amount if part == "full" else min(open_amount, _money(total / 2))
                paid = max(paid, ZERO)
                open_amount -= paid
            else:  # a credit note, up to what is open (the rest stays on account)
                applied = min(returned["credit"], max(open_amount, ZERO))
                credited += applied
                open_amount -= applied
        if paid_on is not None:
            self._allocate(self.customer_receipts, customer, paid_on, invoice_id, paid)
        created = min(self.now, _at_noon(invoice_date))
        self._add("customer_invoices", {
            "id": invoice_id, "number": self._number("IV", invoice_date),
            "customer_id": customer, "order_id": order_id, "invoice_date": invoice_date,
            "due_date": due, "state": "paid" if open_amount <= 0 else "posted", "note": "",
            "amount": sum((line["amount"] for line in lines), ZERO),
            "tax": sum((line["tax"] for line in lines), ZERO), "total": total, "paid": paid,
            "credited": credited, "created_by_id": self.users["manager"],
            "created_at": created, "updated_at": created,
        })  # fmt: skip
        for line_no, line in enumerate(lines, 1):
            self._add("customer_invoice_lines", {
                "id": self._id("customer_invoice_lines"), "invoice_id": invoice_id,
                "line_no": line_no, "shipment_line_id": line["id"],
                "order_line_id": line["order_line_id"], "product_id": line["p"],
                "unit": self.unit[line["p"]], "qty": line["qty"], "base_qty": line["qty"],
                "unit_price": line["price"], "discount": line["discount"], "tax_rate": TAX,
                "amount": line["amount"], "tax": line["tax"], "total": line["total"],
            })  # fmt: skip
        return True

    def _plan_return(self, customer, shipped_as, invoice_id, shipped, lines) -> dict | None:
        """Now and then some of a shipment comes back 5–30 days later (after its invoice):
        restocked, or written off when damaged."""
        rng = self.rng
        if rng.random() >= 0.02:
            return None
        when = shipped + timedelta(days=rng.uniform(5, 30))
        plain = [line for line in lines if not self.shelf_life[line["p"]]]
        if when > self.now - timedelta(days=1) or not plain:
            return None
        back = []
        for line in rng.sample(plain, min(len(plain), rng.randint(1, 2))):
            qty = rng.randint(1, line["qty"])
            line["returned"] = qty
            credit = self._amounts(Decimal(qty), line["price"], line["discount"])[2]
            back.append({**line, "back": qty, "credit": credit})
        order_id, shipment_id, w = shipped_as
        planned = {
            "at": when,
            "customer": customer,
            "order_id": order_id,
            "invoice_id": invoice_id,
            "shipment_id": shipment_id,
            "warehouse_id": w,
            "lines": back,
            "credit": sum((line["credit"] for line in back), ZERO),
            "restock": rng.random() < 0.85,
        }
        heapq.heappush(self.returns, (when, self._id("planned_returns"), planned))
        return planned

    def _due_returns(self, until: datetime) -> None:
        while self.returns and self.returns[0][0] <= until:
            when, _, planned = heapq.heappop(self.returns)
            self._sales_return(planned, max(when, self.at + timedelta(seconds=1)))

    def _sales_return(self, planned: dict, at: datetime) -> None:
        """sales.returns: back into the order's warehouse at the cost it left with."""
        self.at = at
        order, w = planned["order_id"], planned["warehouse_id"]
        return_id = self._id("sales_returns")
        number = self._number("SR", at)
        doc_id = None
        if planned["restock"]:
            doc_id = self._document("in", w, at, source=("sales_order", order), note=number)
        for line_no, line in enumerate(planned["lines"], 1):
            p, qty = line["p"], line["back"]
            if doc_id is not None:
                unit_cost = line["cost"] / line["qty"]
                location_id = self._home(p, w)
                line_id = self._document_line(doc_id, line_no, p, qty, location_id=location_id,
                                              unit_cost=unit_cost)  # fmt: skip
                place = self._place((p, w), location_id, None)
                self._put(doc_id, line_id, (p, w), place, qty, unit_cost, at)
            self._add("sales_return_lines", {
                "id": self._id("sales_return_lines"), "return_id": return_id,
                "shipment_line_id": line["id"], "unit": self.unit[p], "qty": qty,
                "base_qty": qty, "cost": _money(line["cost"] * qty / line["qty"]),
                "revenue": _money(line["amount"] * qty / line["qty"]),
                "credit": line["credit"], "invoice_id": planned["invoice_id"],
            })  # fmt: skip
        credit = planned["credit"]
        self._add("sales_returns", {
            "id": return_id, "number": number, "shipment_id": planned["shipment_id"],
            "order_id": order, "customer_id": planned["customer"], "warehouse_id": w,
            "disposition": "restock" if doc_id else "write_off", "document_id": doc_id,
            "user_id": self.users["warehouse"], "returned_at": at, "reason": "质量问题",
            "note": "", "credit_note_number": self._number("CN", at) if credit > 0 else None,
            "credit": credit,
        })  # fmt: skip

    # --- transfers and counts ---------------------------------------------------------------

    def _transfer(self) -> None:
        rng = self.rng
        if len(self.warehouses) < 2:
            return
        source, target = rng.sample(self.warehouses, 2)
        at = self._advance()
        wanted = []
        for p in self._pick_products(source, rng.randint(1, 6), at):
            available = self._available((p, source), at.date())
            if p in self.carried_set[target] and available > 0:
                wanted.append((p, min(rng.randint(2, 10), available)))
        if not wanted:
            return
        doc_id = self._document("transfer", source, at, to=target)
        for line_no, (p, qty) in enumerate(wanted, 1):
            to_location = self._home(p, target)
            line_id = self._document_line(doc_id, line_no, p, qty, to_location_id=to_location)
            for place, part, cost, value in self._take(doc_id, line_id, (p, source), qty, at):
                there = self._place((p, target), to_location, place.batch_id, place.expiry)
                self._put(doc_id, line_id, (p, target), there, part, cost, at, value=value)
            self._check_need(p, source, at)

    def _adjust(self) -> None:
        """A count: each line sets one place to what was counted."""
        rng = self.rng
        w = self._warehouse()
        at = self._advance()
        counted = []
        for p in self._pick_products(w, rng.randint(1, 8), at):
            place = self.places[(p, w)].get(f"{self._home(p, w) or 0}:0")
            if self.shelf_life[p] or place is None:
                continue
            delta = rng.choice((-3, -2, -1, -1, 1, 2))
            if place.on_hand + delta >= 0:
                counted.append((p, place, place.on_hand + delta))
        if not counted:
            return
        doc_id = self._document("adjust", w, at, reason="count")
        for line_no, (p, place, qty) in enumerate(counted, 1):
            pw = (p, w)
            line_id = self._document_line(doc_id, line_no, p, qty, location_id=place.location_id)
            difference = qty - place.on_hand
            if difference > 0:
                cost = self.valuations[pw][2] or self.last_cost[p]
                self._put(doc_id, line_id, pw, place, difference, cost, at)
            else:
                self._take(doc_id, line_id, pw, -difference, at, exact=place)

    # --- the history ------------------------------------------------------------------------

    def history(self) -> None:
        """Opening receipts for most of the range, then two years of trading."""
        rng = self.rng
        self._opening()
        lines = self.params.lines
        while self.ledger_lines < lines:
            self._due_returns(self.at)
            draw = rng.random()
            if draw < 0.34:
                self._restock()
            elif draw < 0.92:
                self._ship()
            elif draw < 0.96:
                self._transfer()
            else:
                self._adjust()
            if len(self.rows["stock_ledger"]) >= CHUNK:
                self.flush()
                print(f"  … {self.ledger_lines:,} ledger lines, {self.at:%Y-%m-%d}",
                      file=sys.stderr, flush=True)  # fmt: skip
        self._due_returns(self.now)
        self._open_orders()

    def _opening(self) -> None:
        """Every product × warehouse that will trade gets a first receipt in the first weeks
        (at most 15 % of the ledger, the most popular first)."""
        rng = self.rng
        pairs = sorted(((p, w) for w in self.warehouses for p in self.carried[w]),
                       key=lambda pw: -self.weight[pw[0]])  # fmt: skip
        pairs = pairs[: int(self.params.lines * 0.15)]
        rng.shuffle(pairs)
        by_warehouse = defaultdict(list)
        for p, w in pairs:
            by_warehouse[w].append((p, max(5, math.ceil(self.rate[(p, w)] * 45))
                                    + rng.randint(0, 10)))  # fmt: skip
        batches = []
        for w, wanted in by_warehouse.items():
            while wanted:
                size = rng.randint(3, 9)
                batches.append((w, wanted[:size]))
                wanted = wanted[size:]
        rng.shuffle(batches)
        for w, wanted in batches:
            self._receive(w, wanted)
            if len(self.rows["stock_ledger"]) >= CHUNK:
                self.flush()

    def _restock(self) -> None:
        """A receipt for a warehouse: what ran low first, else popular products."""
        rng = self.rng
        w = self._warehouse()
        if rng.random() < 0.03:
            self._purchase_only(w, rng.choice(("draft", "cancelled")))
        count, wanted, seen = rng.randint(1, 9), [], set()
        queue = self.need_queue[w]
        while queue and len(wanted) < count:
            p = queue.popleft()
            self.needed.discard((p, w))
            ended = self.purchase_end[p]
            if p in seen or (ended and self.at > ended):
                continue
            seen.add(p)
            wanted.append((p, max(4, math.ceil(self.rate[(p, w)] * 30)) + rng.randint(0, 6)))
        if len(wanted) < count:
            for p in self._pick_products(w, count - len(wanted), self.at):
                ended = self.purchase_end[p]
                if p not in seen and not (ended and self.at > ended):
                    seen.add(p)
                    wanted.append((p, max(3, math.ceil(self.rate[(p, w)] * 10))
                                   + rng.randint(1, 8)))  # fmt: skip
        if wanted:
            self._receive(w, wanted)

    def _open_orders(self) -> None:
        """Approved purchase orders on their way (on order) and confirmed sales orders not
        yet shipped (reserved), from the last days."""
        rng = self.rng
        for w in self.warehouses:
            for _ in range(20):
                created = self.now - timedelta(days=rng.uniform(0.1, 7))
                products, queue = [], self.need_queue[w]
                while queue and len(products) < 5:
                    p = queue.popleft()
                    self.needed.discard((p, w))
                    ended = self.purchase_end[p]
                    if p not in products and not (ended and created > ended):
                        products.append(p)
                products = products or self._pick_products(w, rng.randint(1, 5), created)
                self._open_purchase(w, products, created)
            for _ in range(30):
                created = self.now - timedelta(days=rng.uniform(0.05, 3))
                self._open_sale(w, created)

    def _open_purchase(self, w: int, products: list[int], created: datetime) -> None:
        if not products:
            return
        rng = self.rng
        order_id = self._id("purchase_orders")
        supplier = self.supplier_of[products[0]]
        amounts = [ZERO, ZERO, ZERO]
        for line_no, p in enumerate(products, 1):
            qty = max(4, math.ceil(self.rate[(p, w)] * 30)) + rng.randint(0, 6)
            amount, tax, total = self._amounts(Decimal(qty), self.cost[p], ZERO)
            for n, figure in enumerate((amount, tax, total)):
                amounts[n] += figure
            self._add("purchase_order_lines", {
                "id": self._id("purchase_order_lines"), "order_id": order_id,
                "line_no": line_no, "product_id": p, "unit": self.unit[p],
                "factor": Decimal(1), "qty": qty, "base_qty": qty, "unit_price": self.cost[p],
                "tax_rate": TAX, "discount": ZERO, "amount": amount, "tax": tax,
                "total": total, "received_base_qty": 0,
            })  # fmt: skip
            self._place((p, w), None, None).on_order += qty
        self._add("purchase_orders", {
            "id": order_id, "number": self._number("PO", created), "supplier_id": supplier,
            "warehouse_id": w, "state": "approved",
            "expected_date": (created + timedelta(days=self.lead_time[supplier])).date(),
            "note": "", "amount": amounts[0], "tax": amounts[1], "total": amounts[2],
            "created_by_id": self.users["manager"], "created_at": created,
            "updated_at": created, "version": 2,
        })  # fmt: skip

    def _open_sale(self, w: int, created: datetime) -> None:
        rng = self.rng
        day = self.today
        wanted = []
        for p in self._pick_products(w, rng.randint(1, 5), created):
            places = self.places[(p, w)].values()
            free = sum(place.on_hand for place in places
                       if place.expiry is None or place.expiry >= day)  # fmt: skip
            free -= sum(place.reserved for place in places)
            if free > 0:
                wanted.append((p, min(rng.randint(1, 12), free)))
        if not wanted:
            return
        customer = rng.choice(self.customers)
        order_id = self._id("sales_orders")
        amounts = [ZERO, ZERO, ZERO]
        for line_no, (p, qty) in enumerate(wanted, 1):
            price = self.trade[p] if self.wholesale[customer] else self.retail[p]
            amount, tax, total = self._amounts(Decimal(qty), price, ZERO)
            for n, figure in enumerate((amount, tax, total)):
                amounts[n] += figure
            self._add("sales_order_lines", {
                "id": self._id("sales_order_lines"), "order_id": order_id, "line_no": line_no,
                "product_id": p, "unit": self.unit[p], "factor": Decimal(1), "qty": qty,
                "base_qty": qty, "list_price": price, "unit_price": price, "tax_rate": TAX,
                "discount": ZERO, "amount": amount, "tax": tax, "total": total,
                "price_approved_by_id": None, "reserved_base_qty": qty, "shipped_base_qty": 0,
            })  # fmt: skip
            self._place((p, w), None, None).reserved += qty
            self.valuations.setdefault((p, w), [0, ZERO, ZERO])
        self._add("sales_orders", {
            "id": order_id, "number": self._number("SO", created), "client_id": None,
            "customer_id": customer, "warehouse_id": w,
            "salesperson_id": self.salesperson[customer], "state": "confirmed",
            "hold_reason": None, "delivery_address": "", "note": "", "amount": amounts[0],
            "tax": amounts[1], "total": amounts[2], "created_by_id": self.salesperson[customer],
            "created_at": created, "updated_at": created, "version": 2,
        })  # fmt: skip

    # --- what is left: caches, counters, payments -------------------------------------------

    def finish(self) -> None:
        for (p, w), places in self.places.items():
            for key, place in places.items():
                self._add("stock_balances", {
                    "id": place.id, "product_id": p, "warehouse_id": w, "place": key,
                    "location_id": place.location_id, "batch_id": place.batch_id,
                    "on_hand": place.on_hand, "reserved": place.reserved,
                    "on_order": place.on_order,
                })  # fmt: skip
        self.rows["stock_balances"].sort(key=lambda row: row["id"])
        for (p, w), (qty, value, avg) in sorted(self.valuations.items()):
            self._add("stock_valuations", {"product_id": p, "warehouse_id": w, "qty": qty,
                                           "value": value, "avg_cost": avg})  # fmt: skip
        for (prefix, year), last in sorted(self.numbers.items()):
            self._add("document_sequences", {"prefix": prefix, "year": year, "last": last})
        self._payments(self.customer_receipts, "customer_receipts", "customer_receipt_allocations",
                       "RC", "customer_id", "received_on", "receipt_id", "invoice_id")  # fmt: skip
        self._payments(self.supplier_payments, "supplier_payments", "supplier_payment_allocations",
                       "PM", "supplier_id", "paid_on", "payment_id", "bill_id")  # fmt: skip
        self.flush()
        products = self.tables["products"]
        costs = [{"pid": p, "lc": self.last_cost[p], "ac": self.avg_cost[p], "at": at}
                 for p, at in sorted(self.cost_at.items())]  # fmt: skip
        statement = (
            update(products)
            .where(products.c.id == bindparam("pid"))
            .values(last_cost=bindparam("lc"), avg_cost=bindparam("ac"), updated_at=bindparam("at"))
        )
        self.writer.put([(statement, costs)])

    def _payments(self, payments, table, allocations, prefix, party, day, parent, child) -> None:
        for key in sorted(payments, key=lambda k: (payments[k]["day"], k)):
            payment = payments[key]
            payment_id = self._id(table)
            paid_at = min(self.now, _at_noon(payment["day"]))
            amount = sum((amount for _, amount in payment["allocations"]), ZERO)
            self._add(table, {
                "id": payment_id, "number": self._number(prefix, payment["day"]),
                party: payment["party"], day: payment["day"], "amount": amount,
                "allocated": amount, "method": "bank", "account": "", "reference": "",
                "note": "", "created_by_id": self.users["manager"], "created_at": paid_at,
                "updated_at": paid_at,
            })  # fmt: skip
            for document_id, part in payment["allocations"]:
                self._add(allocations, {"id": self._id(allocations), parent: payment_id,
                                        child: document_id, "amount": part,
                                        "allocated_at": paid_at,
                                        "user_id": self.users["manager"]})  # fmt: skip


def _users() -> dict:
    """The people, through the service (roles and passwords as the app makes them)."""
    from app.auth.services import create_user
    from app.extensions import db

    people = {
        "admin": create_user("bench-admin", PASSWORD, ["admin"]).id,
        "manager": create_user("bench-manager", PASSWORD, ["manager"], display_name="经理").id,
        "warehouse": create_user("bench-warehouse", PASSWORD, ["warehouse"]).id,
    }
    people["sales"] = [
        create_user(f"bench-sales-{n}", PASSWORD, ["sales"], display_name=f"业务员{n}").id
        for n in range(1, 5)
    ]
    db.session.remove()  # reading the ids began a transaction: end it before bulk writes
    return people


def _forecasts(app) -> None:
    """The demand forecasts the replenishment report reads, made by their daily refresh
    from the ledger just written, as the scheduler would."""
    try:
        from app.purchasing.replenishment import refresh
    except ImportError:
        return
    started = time.perf_counter()
    with app.app_context():
        made = refresh()
    print(f"  forecasts: {made.count:,} in {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)  # fmt: skip


def _month_totals(app, *, unless_made: bool = False) -> bool:
    """The ledger's monthly running totals, made from the ledger just written as the
    migration that adds them does (a reused seed older than them gets them too)."""
    from app.extensions import db
    from app.inventory import periods

    with app.app_context():
        if unless_made and db.session.scalar(select(periods.totals.c.month).limit(1)):
            return False
        started = time.perf_counter()
        made = periods.rebuild()
        db.session.commit()
    print(f"  month totals: {made:,} rows in {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)  # fmt: skip
    return True


COUNTED = (
    ("stock_ledger", "ledger lines"),
    ("stock_documents", "stock documents"),
    ("stock_document_lines", "document lines"),
    ("stock_balances", "balances"),
    ("stock_valuations", "valuations"),
    ("batches", "batches"),
    ("products", "products"),
    ("customers", "customers"),
    ("suppliers", "suppliers"),
    ("sales_orders", "sales orders"),
    ("shipments", "shipments"),
    ("shipment_lines", "shipment lines"),
    ("sales_returns", "sales returns"),
    ("customer_invoices", "customer invoices"),
    ("customer_invoice_lines", "invoice lines"),
    ("customer_receipts", "customer receipts"),
    ("purchase_orders", "purchase orders"),
    ("purchase_receipts", "purchase receipts"),
    ("purchase_receipt_lines", "receipt lines"),
    ("supplier_bills", "supplier bills"),
    ("supplier_payments", "supplier payments"),
    ("demand_forecasts", "demand forecasts"),
    ("stock_month_totals", "month totals"),
)


def seed(url: str, params: Params, reuse: bool) -> tuple[object, dict, dict]:
    """The app on a seeded database: (app, bench_seed row, row counts). Seeds unless
    --reuse finds the same parameters already there."""
    from app.extensions import db

    stored = _stored_seed(url)
    if reuse and stored and stored["params"] == params.key():
        app = _service_app(url)
        if _month_totals(app, unless_made=True):
            _finish_database(app)
    else:
        if reuse:
            print("  no seed of these parameters there: seeding", file=sys.stderr)
        _empty(url)
        started = time.perf_counter()
        app = _service_app(url)
        # History up to the start of today: seeds made on the same day are the same rows.
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        with app.app_context():
            users = _users()
            writer = _Writer(db.engine)
            writer.start()
            try:
                seeder = Seeder(writer, db.metadata.sorted_tables, params, users, now)
                seeder.master_data()
                seeder.flush()
                seeder.history()
                seeder.finish()
            finally:
                writer.close()
        made = time.perf_counter() - started
        print(f"  made and written in {made:.0f} s (the writer busy {writer.seconds:.0f} s)",
              file=sys.stderr, flush=True)  # fmt: skip
        _forecasts(app)
        _month_totals(app)
        finishing = time.perf_counter()
        _finish_database(app)
        print(f"  sequences and statistics: {time.perf_counter() - finishing:.0f} s",
              file=sys.stderr, flush=True)  # fmt: skip
        seconds = time.perf_counter() - started
        with app.app_context(), db.engine.begin() as conn:
            bench_seed.create(conn, checkfirst=True)
            row = {"params": params.key(), "seeded_at": now.isoformat(), "seconds": seconds}
            conn.execute(bench_seed.insert().values(**row))
        stored = _stored_seed(url)
    counts = {}
    with app.app_context(), db.engine.connect() as conn:
        for table, _ in COUNTED:
            counts[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    return app, stored, counts


# --- timing ---------------------------------------------------------------------------------

# Arguments per report beyond the period; a period report also runs over the whole history.
REPORT_ARGS = {
    "gross-margin": {"group_by": "product"},
    "sales-summary": {"group_by": "customer"},
    "purchase-summary": {"group_by": "supplier"},
    "dead-stock": {"days": 90},
    "expiry": {"within_days": 90},
}
# Further variants worth a row of their own: (label, args).
EXTRA_VARIANTS = {
    "stock-balance": (("as_of a year ago", lambda day: {"as_of": day - timedelta(days=365)}),),
}


def _is_period(report) -> bool:
    fields = report.args().fields.values()
    return any(f.data_key == "from" and f.required for f in fields)


def _variants(report, seeded: date, days: int) -> list[tuple[str, dict]]:
    """(label, query args) to time for one report."""
    base = dict(REPORT_ARGS.get(report.name, {}))
    unknown = [
        f.data_key or name
        for name, f in report.args().fields.items()
        if f.required and (f.data_key or name) not in ("from", "to", *base)
    ]
    if unknown:
        print(f"  {report.name}: no value for required {unknown}", file=sys.stderr)
    if _is_period(report):
        month = {"from": seeded - timedelta(days=29), "to": seeded}
        history = {"from": seeded - timedelta(days=days), "to": seeded}
        variants = [("30 days", {**base, **month}), (f"{days} days", {**base, **history})]
    else:
        variants = [("", base)]
    for label, make in EXTRA_VARIANTS.get(report.name, ()):
        variants.append((label, {**base, **make(seeded)}))
    return [(label, {k: str(v) for k, v in args.items()}) for label, args in variants]


class _Statements:
    """The SQL a request runs, with how long each statement took."""

    def __init__(self, engine):
        self.engine, self.seen, self._started = engine, [], []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started.append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = (time.perf_counter() - self._started.pop()) * 1000
        self.seen.append((elapsed, statement, parameters))


def _plan(engine, statement: str, parameters) -> list[str]:
    from app.core.db import write_intent

    with write_intent(False), engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            return [row[0] for row in rows]
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    depth, lines = {0: -1}, []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def time_reports(app, seeded: dict, params: Params, runs: int, only: list[str] | None,
                 explain_ms: float) -> dict:  # fmt: skip
    """{(report, label): {ms, status, total, args, plans}} through the test client."""
    from app.auth.models import User
    from app.auth.services import issue_token
    from app.extensions import db
    from app.reports.api import REPORTS

    with app.app_context():
        manager = db.session.scalars(select(User).filter_by(username="bench-manager")).one()
        _, token = issue_token(manager.id, "bench-reports")
    headers = {"Authorization": f"Bearer {token}"}
    day = datetime.fromisoformat(seeded["seeded_at"]).date()
    client = app.test_client()
    results = {}
    for report in REPORTS:
        if only and report.name not in only:
            continue
        for label, args in _variants(report, day, params.days):
            url = f"/api/v1/reports/{report.name}" + (f"?{urlencode(args)}" if args else "")
            response = client.get(url, headers=headers)  # warm-up
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
            body = response.get_json(silent=True) or {}
            if response.status_code != 200:
                print(f"  {report.name} {label}: {response.status_code} "
                      f"{response.get_data(as_text=True)[:2000]}", file=sys.stderr)  # fmt: skip
            result = {"ms": statistics.median(timings), "status": response.status_code,
                      "total": body.get("total"), "args": args, "plans": []}  # fmt: skip
            if result["ms"] >= explain_ms:
                with app.app_context():
                    with _Statements(db.engine) as statements:
                        client.get(url, headers=headers)
                    slowest = sorted(statements.seen, key=lambda s: -s[0])[:2]
                    for elapsed, statement, parameters in slowest:
                        if elapsed >= explain_ms / 4:
                            plan = _plan(db.engine, statement, parameters)
                            result["plans"].append((elapsed, statement, plan))
            results[(report.name, label)] = result
            shown = f"  {report.name} {label}".rstrip()
            print(f"{shown}: {result['ms']:.0f} ms, {result['total']} rows",
                  file=sys.stderr, flush=True)  # fmt: skip
    return results


# --- output ---------------------------------------------------------------------------------


def _ms(result: dict | None) -> str:
    if result is None:
        return "—"
    if result["status"] != 200:
        return f"HTTP {result['status']}"
    figure = f"{result['ms']:,.0f}"
    return f"**{figure} ⚠**" if result["ms"] >= SLOW_MS else figure


def print_counts(seeds: dict) -> None:
    names = list(seeds)
    print("\nSeed (rows per table)\n")
    print("| table | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for table, label in COUNTED:
        print(f"| {label} | " + " | ".join(f"{seeds[n]['counts'][table]:,}" for n in names) + " |")
    seconds = " | ".join(f"{seeds[n]['seed']['seconds']:.0f} s" for n in names)
    print(f"| seeding time | {seconds} |")
    seeded = " | ".join(seeds[n]["seed"]["seeded_at"] for n in names)
    print(f"| seeded at (UTC) | {seeded} |")


def print_table(results: dict, runs: int) -> None:
    sqlite, postgres = results.get("sqlite", {}), results.get("postgres", {})
    keys = list(dict.fromkeys([*sqlite, *postgres]))
    print(f"\nReports: first page and totals, GET as a manager (bearer token), median of {runs} "
          f"after a warm-up; ≥ {SLOW_MS} ms marked ⚠; rows: `total`, SQLite / PostgreSQL "
          "where they differ\n")  # fmt: skip
    print("| report | args | SQLite ms | PostgreSQL ms | rows |")
    print("|---|---|---:|---:|---:|")
    for key in keys:
        one, other = sqlite.get(key), postgres.get(key)
        shown = (one or other)["args"]
        args = "&".join(f"{k}={v}" for k, v in shown.items()) or "(defaults)"
        totals = list(dict.fromkeys(r["total"] for r in (one, other) if r is not None))
        rows = " / ".join(f"{t:,}" if isinstance(t, int) else "—" for t in totals)
        name = key[0] + (f" ({key[1]})" if key[1] else "")
        print(f"| {name} | {args} | {_ms(one)} | {_ms(other)} | {rows} |")
    slow = [
        key[0] + (f" ({key[1]})" if key[1] else "")
        for key in keys
        if any((r or {}).get("ms", 0) >= SLOW_MS for r in (sqlite.get(key), postgres.get(key)))
    ]
    print(f"\nAt or over {SLOW_MS} ms on either database: {', '.join(slow) or 'none'}")


def print_plans(results: dict) -> None:
    for database, timed in results.items():
        for (name, label), result in timed.items():
            for elapsed, statement, plan in result["plans"]:
                print(f"\n### {name} {label} — {database}, statement of {elapsed:.0f} ms\n")
                print("```")
                print(" ".join(statement.split())[:600])
                print("--")
                print("\n".join(plan[:150]))
                print("```")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--warehouses", type=int, default=5)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--reuse", action="store_true", help="keep a seed of the same parameters")
    parser.add_argument("--report", nargs="+", metavar="NAME", help="time only these reports")
    parser.add_argument("--explain-ms", type=float, default=500,
                        help="print query plans of reports at or over this")  # fmt: skip
    options = parser.parse_args()
    params = Params(options.lines, options.products, options.warehouses, options.days)

    databases = {}
    if options.only != "postgres":
        databases["sqlite"] = _sqlite_url
    if options.only != "sqlite":
        databases["postgres"] = _postgres_url
    seeds, results = {}, {}
    for name, url_of in databases.items():
        print(f"{name}: {params}", file=sys.stderr, flush=True)
        app, stored, counts = seed(url_of(), params, options.reuse)
        seeds[name] = {"seed": stored, "counts": counts}
        print(f"{name}: seeded in {stored['seconds']:.0f} s; timing", file=sys.stderr, flush=True)
        results[name] = time_reports(app, stored, params, options.runs, options.report,
                                     options.explain_ms)  # fmt: skip
        from app.extensions import db

        with app.app_context():
            db.engine.dispose()
    print_counts(seeds)
    print_table(results, options.runs)
    print_plans(results)


if __name__ == "__main__":
    main()
