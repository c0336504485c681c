"""Web Push: a local receiver stands in for the push service (FCM, Mozilla autopush…) and
checks what a browser's push service would: the VAPID signature and the encryption."""

import base64
import json
import os
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import PushSubscription
from app.notifications.push import _private_key_pem
from tests.notifications.support import drop_below_safety, move, notifications
from tests.support import assert_problem


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Receiver:
    """A push service on 127.0.0.1 that records each POST and answers with `status`."""

    def __init__(self):
        self.status = 201
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def receiver(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    running = Receiver()
    yield running
    running.close()


class Browser:
    """A browser's side of a subscription: its P-256 key pair and its auth secret."""

    def __init__(self, endpoint: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.subscription = {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": _b64url(public), "auth": _b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def _flush(app):
    assert app.extensions["jxc_push"].flush(timeout=30)


def _subscriptions(app) -> list[PushSubscription]:
    with app.app_context():
        return list(db.session.scalars(select(PushSubscription).order_by(PushSubscription.id)))


def _verified_claims(authorization: str, public_key: str) -> dict:
    """The JWT of a `vapid t=<jwt>, k=<key>` header, checked against our public key."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(param.strip().split("=", 1) for param in params.split(","))
    assert parts["k"] == public_key
    header, claims, signature = parts["t"].split(".")
    assert json.loads(_unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = _unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64url(public_key))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if bad
    return json.loads(_unb64url(claims))


def test_a_notification_is_pushed_signed_and_encrypted_for_the_browser(depot, receiver):
    app, manager = depot["app"], depot["manager"]
    public_key = manager.get("/api/v1/push/key").json["public_key"]
    assert len(_unb64url(public_key)) == 65 and _unb64url(public_key)[0] == 4
    browser = Browser(f"{receiver.origin}/push/manager-phone")
    made = manager.post("/api/v1/push/subscriptions", json=browser.subscription)
    assert made.status_code == 201, made.json
    assert made.json["endpoint"] == browser.subscription["endpoint"]

    drop_below_safety(depot)
    _flush(app)

    (push,) = receiver.received  # the admin and the purchaser have no browser subscribed
    headers = push["headers"]
    assert push["path"] == "/push/manager-phone"
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["ttl"] == str(app.config["WEBPUSH_TTL_S"])
    claims = _verified_claims(headers["authorization"], public_key)
    assert claims["aud"] == receiver.origin
    assert claims["sub"] == "mailto:admin@localhost" and claims["exp"] > time.time()

    payload = browser.decrypt(push["body"])
    (stored,) = notifications(manager)
    assert payload == {"id": stored["id"], "kind": "stock.low", "data": stored["data"]}
    assert len(push["body"]) < 4096


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_forgot_is_deleted(depot, receiver, status):
    app = depot["app"]
    receiver.status = status
    gone, kept = Browser(f"{receiver.origin}/push/gone"), Browser(f"{receiver.origin}/push/x")
    assert depot["manager"].post("/api/v1/push/subscriptions",
                                 json=gone.subscription).status_code == 201  # fmt: skip
    assert depot["sales"].post("/api/v1/push/subscriptions",
                               json=kept.subscription).status_code == 201  # fmt: skip
    drop_below_safety(depot)
    _flush(app)
    assert [r["path"] for r in receiver.received] == ["/push/gone"]
    assert [s.endpoint for s in _subscriptions(app)] == [kept.subscription["endpoint"]]


def test_other_failures_are_kept_on_the_subscription_until_a_push_goes_through(depot, receiver):
    app, manager = depot["app"], depot["manager"]
    receiver.status = 503
    browser = Browser(f"{receiver.origin}/push/busy")
    manager.post("/api/v1/push/subscriptions", json=browser.subscription)
    drop_below_safety(depot)
    _flush(app)
    (subscription,) = _subscriptions(app)
    assert subscription.last_error.startswith("HTTP 503")

    receiver.status = 201
    # Back above the safety stock and below it again: a second alert, pushed fine.
    assert move(depot["admin"], "in", depot["w1"], depot["coke"], "5").status_code == 201
    assert move(depot["admin"], "out", depot["w1"], depot["coke"], "5").status_code == 201
    _flush(app)
    assert len(receiver.received) == 2
    (subscription,) = _subscriptions(app)
    assert subscription.last_error is None


def test_subscriptions_move_to_whoever_registers_them_and_are_removed(depot):
    app, sales, manager = depot["app"], depot["sales"], depot["manager"]
    browser = Browser("https://push.example.com/send/abc")
    first = sales.post("/api/v1/push/subscriptions", json=browser.subscription)
    assert first.status_code == 201
    again = sales.post("/api/v1/push/subscriptions", json=browser.subscription)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    moved = manager.post("/api/v1/push/subscriptions", json=browser.subscription)
    assert moved.status_code == 200
    (subscription,) = _subscriptions(app)
    assert subscription.user_id == manager.get("/api/v1/auth/me").json["id"]

    endpoint = {"endpoint": browser.subscription["endpoint"]}
    assert sales.delete("/api/v1/push/subscriptions", json=endpoint).status_code == 204
    assert len(_subscriptions(app)) == 1  # not theirs any more: left alone
    assert manager.delete("/api/v1/push/subscriptions", json=endpoint).status_code == 204
    assert _subscriptions(app) == []
    assert manager.delete("/api/v1/push/subscriptions", json=endpoint).status_code == 204


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"keys": {"p256dh": _b64url(b"\x04" + b"\x01" * 64), "auth": _b64url(b"a" * 16)}}, "keys"),
        ({"keys": {"p256dh": "@@@", "auth": _b64url(b"a" * 16)}}, "keys"),
        ({"auth_short": True}, "keys"),
        ({"endpoint": "ftp://push.example.com/x"}, "endpoint"),
        ({"endpoint": "not a url"}, "endpoint"),
        ({"keys": None}, "keys"),
    ],
)
def test_bad_subscriptions_are_a_422_naming_the_field(depot, change, field):
    body = Browser("https://push.example.com/send/abc").subscription
    change = dict(change)  # the parameters are shared by both databases' runs
    if change.pop("auth_short", False):
        body["keys"]["auth"] = _b64url(b"short")
    body.update(change)
    refused = depot["sales"].post("/api/v1/push/subscriptions", json=body)
    assert_problem(refused, 422, "validation-error", field=field)
    assert _subscriptions(depot["app"]) == []


def test_plain_http_endpoints_only_where_allowed(depot):
    depot["app"].config["WEBPUSH_ALLOW_HTTP"] = False
    body = Browser("http://push.example.com/send/abc").subscription
    refused = depot["sales"].post("/api/v1/push/subscriptions", json=body)
    assert_problem(refused, 422, "validation-error", field="endpoint")


def test_the_vapid_key_is_made_once_and_kept_private(app, login_as, tmp_path):
    client = login_as("clerk")
    key = client.get("/api/v1/push/key").json["public_key"]
    assert client.get("/api/v1/push/key").json["public_key"] == key
    path = tmp_path / "instance" / "vapid_private.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    # Workers starting at once: exactly one writes the key, all read the same one.
    racing = tmp_path / "racing.pem"
    keys = []
    threads = [threading.Thread(target=lambda: keys.append(_private_key_pem(racing)))
               for _ in range(8)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1


def test_without_web_push_there_is_no_key(app, login_as):
    app.config["WEBPUSH_ENABLED"] = False
    assert_problem(login_as("sales").get("/api/v1/push/key"), 404, "push-disabled")
