"""Stock ledger benchmark: postings/s through the service, the oversell race over HTTP, and
HTTP stock-out against a bare conditional-UPDATE endpoint. Prints tables; each figure is
the median of --runs.

    .venv/bin/python -m bench.ledger [--postgres URL] [--runs 3] [--postings 2000]

PostgreSQL runs in a private schema of the given database (default: the test database on
this machine), dropped at the end.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# --- through the service ------------------------------------------------------------------


def _service_app(url: str):
    from app import create_app
    from app.extensions import db
    from config import ProductionConfig

    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench")
    with app.app_context():
        db.create_all()
    return app


def _setup_products(app, count: int):
    from app.auth.services import create_user
    from app.catalog.services import create_product
    from app.inventory.services import ensure_warehouse

    with app.app_context():
        user = create_user(f"bench-{uuid.uuid4().hex[:6]}", "bench-password-1", ["warehouse"])
        warehouse = ensure_warehouse("BENCH", "Bench")
        tag = uuid.uuid4().hex[:6].upper()
        products = [
            create_product({"sku": f"B{tag}-{n}", "name": f"基准 {n}", "unit": "个"}).id
            for n in range(count)
        ]
        return user.id, warehouse.id, products


def _postings_per_second(app, lines_per_document: int, documents: int, threads: int) -> float:
    """Alternate stock-in and stock-out documents, each thread on products of its own
    (postings of one product × warehouse queue on its lock by design); documents/s."""
    from app.extensions import db
    from app.inventory import ledger

    cost = {"in": Decimal("2.5"), "out": None}
    setups = [_setup_products(app, lines_per_document) for _ in range(threads)]

    def work(setup):
        user_id, warehouse_id, product_ids = setup
        with app.app_context():
            for n in range(documents // threads):
                kind = "in" if n % 2 == 0 else "out"
                lines = [
                    ledger.Line(product_id=pid, qty=Decimal(1), unit_cost=cost[kind])
                    for pid in product_ids
                ]
                ledger.post_movements(kind, warehouse_id, lines, user_id=user_id)
                db.session.remove()  # as at the end of a request

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, setups))
    return documents // threads * threads / (time.perf_counter() - started)


def service_table(databases: dict[str, str], runs: int, postings: int) -> None:
    print("\nPostings per second through inventory.ledger.post_movements "
          f"(alternating in/out, median of {runs})\n")  # fmt: skip
    print(
        f"| {'database':<10} | {'lines/doc':>9} | {'threads':>7} | {'docs/s':>8} | {'lines/s':>8} |"
    )
    print(f"|{'-' * 12}|{'-' * 11}|{'-' * 9}|{'-' * 10}|{'-' * 10}|")
    for name, url in databases.items():
        app = _service_app(url)
        for lines, threads in ((1, 1), (1, 4), (10, 1)):
            count = postings if lines == 1 else postings // 5
            rates = [_postings_per_second(app, lines, count, threads) for _ in range(runs)]
            rate = statistics.median(rates)
            print(
                f"| {name:<10} | {lines:>9} | {threads:>7} | {rate:>8.0f} | {rate * lines:>8.0f} |"
            )


# --- over HTTP ----------------------------------------------------------------------------


class Server:
    """gunicorn on a port, with the app or the bare yardstick."""

    def __init__(self, target: str, env: dict, workers: int, threads: int):
        self.port = 18000 + (os.getpid() + hash(target)) % 1000
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"), "--no-control-socket", "-w", str(workers),
                "--threads", str(threads), "-b", f"127.0.0.1:{self.port}",
                "--log-level", "warning", target,
            ],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{target} did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait()


def _post(port: int, path: str, body: dict | None, headers: dict) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    conn.request("POST", path, body=json.dumps(body or {}),
                 headers={"Content-Type": "application/json", **headers})  # fmt: skip
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def _hammer(port: int, path: str, body, headers, clients: int, total: int, key: bool = False):
    """`clients` threads send `total` requests between them; statuses and latencies."""
    outcomes: list[tuple[int, float]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(count: int):
        start.wait()
        for _ in range(count):
            extra = {"Idempotency-Key": uuid.uuid4().hex} if key else {}
            result = _post(port, path, body, {**headers, **extra})
            with lock:
                outcomes.append(result)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(total // clients,)) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(lat for _, lat in outcomes)
    return {
        "rps": len(outcomes) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "statuses": [status for status, _ in outcomes],
    }


def _prepare_http_database(url: str, workdir: Path) -> tuple[dict, str]:
    """Migrate, create a user with a token, a product and a warehouse; returns (env, token)."""
    env = dict(os.environ, JXC_CONFIG="production", SECRET_KEY="bench", DATABASE_URL=url)
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    create_user = [*flask, "create-user", "bench", "--role", "warehouse"]
    create_user += ["--password", "bench-password-1"]
    subprocess.run(create_user, cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ["DATABASE_URL"] = url  # for the in-process setup below
    app = _service_app(url)
    from app.auth.models import User
    from app.auth.services import issue_token
    from app.extensions import db

    with app.app_context():
        user = db.session.query(User).filter_by(username="bench").one()
        _, token = issue_token(user.id, "bench")
    return env, token


def _stock(app, qty: int):
    """A fresh product with `qty` on hand: (warehouse id, product id, balance id)."""
    from app.extensions import db
    from app.inventory import ledger
    from app.inventory.models import StockBalance

    user_id, warehouse_id, (product_id,) = _setup_products(app, 1)
    with app.app_context():
        line = ledger.Line(product_id=product_id, qty=Decimal(qty), unit_cost=Decimal(3))
        ledger.post_movements("in", warehouse_id, [line], user_id=user_id)
        balance_id = db.session.query(StockBalance.id).filter_by(product_id=product_id).scalar()
    return warehouse_id, product_id, balance_id


def _bare_balance(env: dict) -> int:
    """A row for the bare endpoint, outside the ledger (made in its own process)."""
    code = "from bench.bare_stock_out import create_table; print(create_table(1_000_000))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout.strip())


def http_table(databases: dict[str, str], runs: int, workers: int, threads: int) -> None:
    print(f"\nOver HTTP: gunicorn {workers} worker(s) × {threads} threads, bearer token, "
          f"median of {runs}\n")  # fmt: skip
    print(f"| {'database':<10} | {'scenario':<34} | {'req/s':>7} | {'p50 ms':>7} | "
          f"{'p95 ms':>7} | {'201':>5} | {'409':>5} | {'other':>5} |")  # fmt: skip
    print(f"|{'-' * 12}|{'-' * 36}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 7}|{'-' * 7}|{'-' * 7}|")
    for name, url in databases.items():
        workdir = Path(tempfile.mkdtemp(prefix="jxc-bench-ledger-"))
        env, token = _prepare_http_database(url, workdir)
        app = _service_app(url)
        auth = {"Authorization": f"Bearer {token}"}
        app_server = Server("wsgi:app", env, workers, threads)
        bare_server = Server("bench.bare_stock_out:app", env, workers, threads)
        try:
            scenarios = []
            for _ in range(runs):
                warehouse_id, product_id, _ = _stock(app, 50)
                body = {"type": "out", "warehouse_id": warehouse_id,
                        "lines": [{"product_id": product_id, "qty": "1"}]}  # fmt: skip
                scenarios.append(("oversell: 200 clients, 50 on hand",
                                  _hammer(app_server.port, "/api/v1/stock/movements", body, auth,
                                          200, 200)))  # fmt: skip
                warehouse_id, product_id, _ = _stock(app, 1_000_000)
                balance_id = _bare_balance(env)
                body = {"type": "out", "warehouse_id": warehouse_id,
                        "lines": [{"product_id": product_id, "qty": "1"}]}  # fmt: skip
                scenarios.append(("stock-out API, 16 clients",
                                  _hammer(app_server.port, "/api/v1/stock/movements", body, auth,
                                          16, 1600)))  # fmt: skip
                scenarios.append(("stock-out API + Idempotency-Key",
                                  _hammer(app_server.port, "/api/v1/stock/movements", body, auth,
                                          16, 1600, key=True)))  # fmt: skip
                scenarios.append(("bare conditional UPDATE, 16 clients",
                                  _hammer(bare_server.port, f"/bare/take/{balance_id}", None, {},
                                          16, 1600)))  # fmt: skip
        finally:
            app_server.stop()
            bare_server.stop()
        medians = {}
        for label in dict.fromkeys(label for label, _ in scenarios):
            results = [r for lab, r in scenarios if lab == label]
            med = {k: statistics.median(r[k] for r in results) for k in ("rps", "p50", "p95")}
            statuses = [s for r in results for s in r["statuses"]]
            created, refused = statuses.count(201), statuses.count(409)
            other = len(statuses) - created - refused
            medians[label] = med["rps"]
            print(f"| {name:<10} | {label:<34} | {med['rps']:>7.0f} | {med['p50']:>7.1f} | "
                  f"{med['p95']:>7.1f} | {created:>5} | {refused:>5} | {other:>5} |")  # fmt: skip
        ratio = (
            medians["stock-out API, 16 clients"] / medians["bare conditional UPDATE, 16 clients"]
        )
        print(f"| {name:<10} | {'API ÷ bare':<34} | {ratio:>7.2f} | {'':>7} | {'':>7} | "
              f"{'':>5} | {'':>5} | {'':>5} |")  # fmt: skip
        _check_ledger(env)


def _check_ledger(env: dict) -> None:
    result = subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", "stock", "verify"],
                            cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
    print(f"\n`flask stock verify`: {result.stdout.strip() or result.stderr.strip()}")


# --- main -----------------------------------------------------------------------------------


def _postgres_schema(base: str) -> tuple[str, callable]:
    schema = f"jxc_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}", drop


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postings", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--only", choices=("service", "http"), help="run one part")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="jxc-bench-"))
    postgres_url, drop_schema = _postgres_schema(options.postgres)
    try:
        if options.only != "http":
            service_table(
                {"sqlite": f"sqlite:///{workdir / 'service.db'}", "postgresql": postgres_url},
                options.runs,
                options.postings,
            )
        if options.only != "service":
            http_postgres, drop_http = _postgres_schema(options.postgres)
            try:
                http_table(
                    {"sqlite": f"sqlite:///{workdir / 'http.db'}", "postgresql": http_postgres},
                    options.runs,
                    options.workers,
                    options.threads,
                )
            finally:
                drop_http()
    finally:
        drop_schema()


if __name__ == "__main__":
    main()
