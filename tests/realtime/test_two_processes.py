"""Several server processes share live events through Redis: a write served by one
reaches a client connected to another."""

import os
import queue
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
import socketio as socketio_client

from app import create_app
from app.auth import services
from app.extensions import db
from app.inventory.services import ensure_warehouse
from config import TestingConfig
from tests.realtime.conftest import move
from tests.services.test_redis_rate_limit import redis_url as redis_url  # noqa: F401 - fixture
from tests.support import ApiClient

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
TIMEOUT = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_database(tmp_path, database_url) -> dict:
    """Schema, a manager with an API token, a warehouse, and 12 coke (safety stock 10)."""
    app = create_app(
        TestingConfig,
        instance_path=tmp_path / "instance",
        SQLALCHEMY_DATABASE_URI=database_url,
        PWA_DIST=str(tmp_path / "no-dist"),
    )
    app.test_client_class = ApiClient
    with app.app_context():
        db.create_all()
        services.create_user("boss", "correct-horse-1", ["manager"])
        warehouse_id = ensure_warehouse("W1", "Main").id
    manager = app.test_client()
    assert manager.login("boss", "correct-horse-1").status_code == 200
    product = {"sku": "coke-500", "name": "可口可乐", "unit": "瓶", "safety_stock": "10"}
    coke = manager.post("/api/v1/products", json=product).json
    move(manager, "in", warehouse_id, coke["id"], "12")
    token = manager.post("/api/v1/auth/tokens", json={"name": "device"}).json["token"]
    with app.app_context():
        db.engine.dispose()
    return {"token": token, "warehouse": warehouse_id, "coke": coke["id"]}


def _start_server(port, env, log_path):
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [str(GUNICORN), "--no-control-socket", "-w", "1", "--threads", "8",
             "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _wait_until_healthy(port, server, log_path):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, log_path.read_text()
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).ok:
                return
        except requests.RequestException:  # not listening yet, or the worker still booting
            pass
        time.sleep(0.1)
    pytest.fail(f"server on port {port} did not start:\n{log_path.read_text()}")


def _wait_for_subscriber(redis_url, channel, at_least):
    """A socket process listens on the queue from its first connection on."""
    queue_client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + TIMEOUT
    while queue_client.pubsub_numsub(channel)[0][1] < at_least:
        assert time.monotonic() < deadline, "the socket process never subscribed"
        time.sleep(0.05)
    queue_client.close()


def _stop(server):
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:  # open sockets hold a graceful stop for 30 s
        server.kill()
        server.wait()


@pytest.mark.redis
def test_stock_low_from_a_write_on_a_reaches_a_client_of_b(redis_url, tmp_path):  # noqa: F811
    database_url = f"sqlite:///{tmp_path / 'shared.db'}"
    shop = _prepare_database(tmp_path, database_url)
    channel = f"jxc-test-{uuid.uuid4().hex}"
    env = dict(
        os.environ,
        JXC_CONFIG="production",
        DATABASE_URL=database_url,
        SECRET_KEY="two-processes",
        SOCKETIO_MESSAGE_QUEUE=redis_url,
        SOCKETIO_CHANNEL=channel,
        PWA_DIST=str(tmp_path / "no-dist"),
    )
    ports = {"a": _free_port(), "b": _free_port()}
    logs = {name: tmp_path / f"server-{name}.log" for name in ports}
    servers = {}
    # On B over WebSocket (through Redis); on A by long-polling (the writer's own process).
    clients = {"b": socketio_client.Client(), "a": socketio_client.Client()}
    heard = {name: queue.Queue() for name in clients}
    for name, client in clients.items():
        client.on("stock.low", heard[name].put)
    try:
        for name, port in ports.items():
            servers[name] = _start_server(port, env, logs[name])
        for name, port in ports.items():
            _wait_until_healthy(port, servers[name], logs[name])

        for name, transport in (("b", "websocket"), ("a", "polling")):
            clients[name].connect(f"http://127.0.0.1:{ports[name]}", transports=[transport],
                                  auth={"token": shop["token"]}, wait_timeout=TIMEOUT)  # fmt: skip
            assert clients[name].transport() == transport
        _wait_for_subscriber(redis_url, channel, at_least=2)

        written = requests.post(
            f"http://127.0.0.1:{ports['a']}/api/v1/stock/movements",
            headers={"Authorization": f"Bearer {shop['token']}"},
            json={"type": "out", "warehouse_id": shop["warehouse"],
                  "lines": [{"product_id": shop["coke"], "qty": "5"}]},
            timeout=TIMEOUT,
        )  # fmt: skip
        assert written.status_code == 201, written.text

        via_redis, local = heard["b"].get(timeout=TIMEOUT), heard["a"].get(timeout=TIMEOUT)
        assert via_redis == local
        assert (local["product"]["id"], local["warehouse_id"]) == (shop["coke"], shop["warehouse"])
        assert (local["available"], local["safety_stock"]) == ("7.000", "10.000")
        assert local["event_id"] and local["at"]
        time.sleep(0.3)
        assert heard["a"].empty() and heard["b"].empty(), "one crossing, one stock.low"
    finally:
        for client in clients.values():
            if client.connected:
                client.disconnect()
        for server in servers.values():
            _stop(server)
