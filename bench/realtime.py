"""Live events benchmark: how long a committed stock change takes to reach Socket.IO
clients, in one process and across two processes through Redis, and how many clients one
process serves before the 95th percentile passes 100 ms.

Latency is the client's receive time minus the event's `at` (same machine clock). `at` is
stamped when the service emits the event, inside its transaction, so the figure covers
the commit as well. Writes are REST stock-ins at a steady --rate per second (a busy
shop's pace, not the server's limit: every event goes to every client, so the work grows
with rate × clients); clients use the WebSocket transport and are spread over processes
of at most 50 clients each, on the same machine as the server.

    .venv/bin/python -m bench.realtime [--events 500] [--rate 20] [--step-events 100]
        [--steps 50,100,200,500] [--redis redis://127.0.0.1:6379/0]
"""

import argparse
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CLIENTS_PER_PROCESS = 50
BUDGET_MS = 100
STRAGGLER_SECONDS = 5
WARM_UP_WRITES = 20  # the first requests of a process pay for lazy imports and connections


# --- setup --------------------------------------------------------------------------------


def _prepare_database(url: str, workdir: Path) -> dict:
    """Schema, a manager's API token, one warehouse and one product."""
    from app import create_app
    from app.auth.services import create_user, issue_token
    from app.catalog.services import create_product
    from app.extensions import db
    from app.inventory.services import ensure_warehouse
    from config import ProductionConfig

    app = create_app(
        ProductionConfig,
        instance_path=workdir / "instance",
        SQLALCHEMY_DATABASE_URI=url,
        SECRET_KEY="bench",
    )
    with app.app_context():
        db.create_all()
        user = create_user("bench", "bench-password-1", ["manager"])
        _, token = issue_token(user.id, "bench")
        warehouse = ensure_warehouse("BENCH", "Bench")
        product = create_product({"sku": "BENCH-1", "name": "基准", "unit": "个"})
        facts = {"token": token, "warehouse": warehouse.id, "product": product.id}
        db.engine.dispose()
    return facts


class Server:
    """One gunicorn socket process: one worker, a thread per client and some to spare."""

    def __init__(self, env: dict, threads: int, workdir: Path, name: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"gunicorn-{name}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "--no-control-socket", "-w", "1",
                 "--threads", str(threads), "-b", f"127.0.0.1:{self.port}",
                 "--log-level", "warning", "wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_until_up(self, deadline: float = 30) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited:\n{self.log_path.read_text()}")
            try:
                if requests.get(f"{self.url}/api/v1/health", timeout=2).ok:
                    return
            except requests.RequestException:  # not listening yet, or still booting
                time.sleep(0.2)
        raise SystemExit(f"server did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # open sockets hold a graceful stop for 30 s
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- clients ------------------------------------------------------------------------------


def _listen(url, token, count, expected, ready, writes_done, results):
    """One client process: `count` clients, each timing the `expected` events it hears."""
    import socketio

    latencies = []
    lock = threading.Lock()
    all_heard = threading.Event()

    def heard(event):
        arrived = time.time()
        sent = datetime.fromisoformat(event["at"]).timestamp()
        with lock:
            latencies.append((arrived - sent) * 1000)
            if len(latencies) >= count * expected:
                all_heard.set()

    clients = []
    for _ in range(count):
        client = socketio.Client(reconnection=False)
        client.on("stock.changed", heard)
        client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
        clients.append(client)
    ready.put(count)
    writes_done.wait()
    all_heard.wait(timeout=STRAGGLER_SECONDS)
    with lock:
        results.put(list(latencies))
    for client in clients:
        client.disconnect()


def _measure(listen_url, write_url, facts, clients, events, rate, *, until_subscribed=None):
    """Connect `clients`, post `events` stock-ins, return (latencies in ms, lost events)."""
    context = multiprocessing.get_context("spawn")
    ready, results, writes_done = context.Queue(), context.Queue(), context.Event()
    shares = [min(CLIENTS_PER_PROCESS, clients - n) for n in range(0, clients, CLIENTS_PER_PROCESS)]
    listeners = [
        context.Process(
            target=_listen,
            args=(listen_url, facts["token"], share, events, ready, writes_done, results),
        )
        for share in shares
    ]
    for listener in listeners:
        listener.start()
    try:
        for _ in listeners:
            ready.get(timeout=120)
        if until_subscribed:
            until_subscribed()
        _write(write_url, facts, events, rate)
        writes_done.set()
        latencies = []
        for _ in listeners:
            latencies.extend(results.get(timeout=STRAGGLER_SECONDS + 60))
    finally:
        for listener in listeners:
            listener.join(timeout=30)
            if listener.is_alive():
                listener.kill()
    return latencies, clients * events - len(latencies)


def _write(url, facts, events, rate):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {facts['token']}"
    line = {"product_id": facts["product"], "qty": "1", "unit_cost": "1.00"}
    body = {"type": "in", "warehouse_id": facts["warehouse"], "lines": [line]}
    started = time.monotonic()
    for n in range(events):
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
        response = session.post(f"{url}/api/v1/stock/movements", json=body, timeout=30)
        if response.status_code != 201:
            raise SystemExit(f"stock-in failed: {response.status_code} {response.text}")
    session.close()


def _subscribed(redis_url, channel):
    """Wait until a socket process listens on the queue (it starts at its first client)."""

    def wait():
        queue_client = redis.Redis.from_url(redis_url)
        end = time.monotonic() + 30
        while queue_client.pubsub_numsub(channel)[0][1] < 1:
            if time.monotonic() > end:
                raise SystemExit("the socket process never subscribed to the queue")
            time.sleep(0.05)
        queue_client.close()

    return wait


# --- report -------------------------------------------------------------------------------


def _percentiles(latencies):
    if len(latencies) < 2:
        return (math.nan,) * 3
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _row(scenario, clients, events, latencies, lost):
    p50, p95, p99 = _percentiles(latencies)
    print(
        f"| {scenario:<34} | {clients:>7} | {events:>6} | {p50:>7.1f} | {p95:>7.1f} | "
        f"{p99:>7.1f} | {lost:>5} |",
        flush=True,
    )
    return p95


def _redis_reachable(url):
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return True
    except (redis.RedisError, ValueError):
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20, help="stock-ins per second")
    parser.add_argument("--step-events", type=int, default=100)
    parser.add_argument("--steps", default="50,100,200,500")
    parser.add_argument(
        "--redis",
        default=os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0",
        help="message queue for the two-process run (skipped when unreachable)",
    )
    options = parser.parse_args()
    steps = [int(step) for step in options.steps.split(",")]
    threads = max(steps) + 32

    workdir = Path(tempfile.mkdtemp(prefix="jxc-bench-realtime-"))
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    facts = _prepare_database(database_url, workdir)
    env = dict(
        os.environ,
        JXC_CONFIG="production",
        SECRET_KEY="bench",
        DATABASE_URL=database_url,
        PWA_DIST=str(workdir / "no-dist"),
    )
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)

    print(
        f"\nJXC live events — commit → client latency in ms (receive time − event `at`), "
        f"{options.rate:g} events/s, SQLite, gunicorn -w 1 --threads {threads} per process, "
        f"{os.cpu_count()} CPUs shared with the clients\n"
    )
    print(
        f"| {'scenario':<34} | {'clients':>7} | {'events':>6} | {'p50':>7} | {'p95':>7} | "
        f"{'p99':>7} | {'lost':>5} |"
    )
    print(f"|{'-' * 36}|{'-' * 9}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 7}|")

    started = time.monotonic()
    single = Server(env, threads, workdir, "single")
    try:
        single.wait_until_up()
        _write(single.url, facts, WARM_UP_WRITES, rate=1000)
        latencies, lost = _measure(single.url, single.url, facts, 1, options.events, options.rate)
        _row("one process", 1, options.events, latencies, lost)
        within_budget = None
        for clients in steps:
            latencies, lost = _measure(
                single.url, single.url, facts, clients, options.step_events, options.rate
            )
            p95 = _row(f"one process, {clients} clients", clients, options.step_events,
                       latencies, lost)  # fmt: skip
            if p95 > BUDGET_MS or lost:
                break
            within_budget = clients
    finally:
        single.stop()

    if _redis_reachable(options.redis):
        channel = f"jxc-bench-{uuid.uuid4().hex}"
        queued = dict(env, SOCKETIO_MESSAGE_QUEUE=options.redis, SOCKETIO_CHANNEL=channel)
        a = Server(queued, threads, workdir, "a")
        b = Server(queued, threads, workdir, "b")
        try:
            a.wait_until_up()
            b.wait_until_up()
            _write(a.url, facts, WARM_UP_WRITES, rate=1000)
            latencies, lost = _measure(
                b.url, a.url, facts, 1, options.events, options.rate,
                until_subscribed=_subscribed(options.redis, channel),
            )  # fmt: skip
            _row("two processes via Redis (A → B)", 1, options.events, latencies, lost)
        finally:
            a.stop()
            b.stop()
    else:
        print(f"| two processes via Redis: skipped, no Redis at {options.redis} |")

    if within_budget is None:
        verdict = f"fewer than {steps[0]}"
    elif within_budget == steps[-1]:
        verdict = f"at least {within_budget} (the largest step tried)"
    else:
        verdict = f"{within_budget} (the next step passed it)"
    print(f"\nClients per process with p95 ≤ {BUDGET_MS} ms: {verdict}.")
    print(f"Took {time.monotonic() - started:.0f} s; logs in {workdir}")


if __name__ == "__main__":
    main()
