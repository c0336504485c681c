import pytest

from app.extensions import socketio


@pytest.fixture
def connect(app):
    """A Socket.IO test client for an API client's session: connect(client), or
    connect(auth={"token": …}) for a device with an API token."""
    sockets = []

    def _connect(flask_client=None, *, auth=None):
        sock = socketio.test_client(app, flask_test_client=flask_client, auth=auth)
        sockets.append(sock)
        return sock

    yield _connect
    for sock in sockets:
        if sock.is_connected():
            sock.disconnect()


@pytest.fixture
def shop(app, login_as, warehouses):
    """A manager and two warehouses; coke keeps a safety stock of 10 and sells at 3.00."""
    manager = login_as("manager")
    coke = manager.post(
        "/api/v1/products",
        json={"sku": "coke-500", "name": "可口可乐 500ml", "unit": "瓶",
              "safety_stock": "10", "retail_price": "3.00"},
    )  # fmt: skip
    assert coke.status_code == 201, coke.json
    return {"manager": manager, "coke": coke.json["id"], "w1": warehouses[0], "w2": warehouses[1]}


def move(client, type_, warehouse_id, product_id, qty, **line):
    """Post a stock movement of one line and insist it went through."""
    if type_ == "in":
        line.setdefault("unit_cost", "2.00")
    body = {"type": type_, "warehouse_id": warehouse_id,
            "lines": [{"product_id": product_id, "qty": qty, **line}]}  # fmt: skip
    posted = client.post("/api/v1/stock/movements", json=body)
    assert posted.status_code == 201, posted.json
    return posted.json


def received(sock, name):
    """The payloads of the `name` events the client got since it last looked."""
    return [event["args"][0] for event in sock.get_received() if event["name"] == name]
