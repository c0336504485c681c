"""Web Push: each committed notification goes to every browser its owner subscribed, in
the background, signed with this installation's VAPID key (RFC 8292) and encrypted for
the browser (RFC 8291, aes128gcm).

A push service that answers 404 or 410 has forgotten the subscription: it is deleted.
Any other failure is kept in the subscription's `last_error`; the notification itself is
stored either way and shown when the app opens.
"""

import base64
import json
import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, current_app
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy import select

from app.core.db import write_intent
from app.core.events import Event
from app.core.transactions import run_transaction
from app.extensions import db
from app.notifications.models import Notification, PushSubscription

log = logging.getLogger(__name__)

KEY_FILE = "vapid_private.pem"
# Push services take about 4 KB after encryption; bigger data stays for the app to fetch.
MAX_PAYLOAD_BYTES = 3000
GONE = (404, 410)
FORGOTTEN = "forgotten by the push service"  # outcome of a send: delete the subscription
SEND_TIMEOUT_S = 10
WORKERS = 4


def _private_key_pem(path: Path) -> bytes:
    """The installation's VAPID private key, made once: when several workers start at once,
    O_EXCL lets exactly one of them write it and the others wait to read it."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        pass
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        with os.fdopen(fd, "wb") as key_file:
            key_file.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
    for _ in range(50):  # another worker may be between creating and writing it
        pem = path.read_bytes()
        if b"-----END" in pem:
            return pem
        time.sleep(0.02)
    raise RuntimeError(f"{path} holds no PEM private key; delete it to make a new VAPID key")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class PushSender:
    """Sends pushes on a small thread pool, so a request never waits for a push service."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pending: set[Future] = set()
        self._vapid: Vapid | None = None

    # --- the key ---

    def vapid(self) -> Vapid:
        with self._lock:
            if self._vapid is None:
                configured = self.app.config.get("VAPID_PRIVATE_KEY_FILE")
                path = Path(configured) if configured else Path(self.app.instance_path) / KEY_FILE
                self._vapid = Vapid.from_pem(_private_key_pem(path))
            return self._vapid

    def application_server_key(self) -> str:
        """The public key browsers subscribe with: base64url of the uncompressed point."""
        return _b64url(
            self.vapid().public_key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    # --- sending ---

    def on_event(self, evt: Event) -> None:
        """Hub subscriber: after commit, push each stored notification."""
        if evt.name == "notification":
            self.submit(evt.payload)

    def submit(self, notification: dict) -> None:
        with self._lock:
            if self._executor is None:  # made in the process that sends (after any fork)
                self._executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="jxc-push")
            future = self._executor.submit(self._deliver, notification)
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def flush(self, timeout: float = 30) -> bool:
        """Wait until every push submitted so far is sent (or has failed)."""
        with self._lock:
            pending = list(self._pending)
        _done, not_done = wait(pending, timeout)
        return not not_done

    def _deliver(self, notification: dict) -> None:
        try:
            with self.app.app_context():
                subscriptions = self._subscriptions_for(notification["id"])
                if not subscriptions:
                    return
                body = _payload(notification)
                outcomes = {sub.id: self._send(sub, body) for sub in subscriptions}
                _record(outcomes, {sub.id: sub.last_error for sub in subscriptions})
        except Exception:  # a worker thread has nobody to raise to
            log.exception("push of notification %s failed", notification.get("id"))

    def _subscriptions_for(self, notification_id: int) -> list:
        with write_intent(False):
            rows = db.session.execute(
                select(
                    PushSubscription.id,
                    PushSubscription.endpoint,
                    PushSubscription.p256dh,
                    PushSubscription.auth,
                    PushSubscription.last_error,
                )
                .join(Notification, Notification.user_id == PushSubscription.user_id)
                .where(Notification.id == notification_id)
                .order_by(PushSubscription.id)
            ).all()
        db.session.rollback()  # no transaction stays open while the network is slow
        return rows

    def _send(self, subscription, body: str) -> str | None:
        """Send one push: None when accepted, FORGOTTEN, or the error to keep."""
        config = self.app.config
        try:
            webpush(
                {
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=body,
                vapid_private_key=self.vapid(),
                vapid_claims={"sub": config["VAPID_SUBJECT"]},  # aud: the endpoint's origin
                ttl=config["WEBPUSH_TTL_S"],
                timeout=SEND_TIMEOUT_S,
            )
        except WebPushException as error:
            if error.status_code in GONE:
                return FORGOTTEN
            return _short(f"HTTP {error.status_code}: {error.message}")
        except requests.RequestException as error:
            return _short(f"{type(error).__name__}: {error}")
        except Exception as error:  # a subscription we cannot encrypt for, say
            log.exception("push to subscription %s failed", subscription.id)
            return _short(f"{type(error).__name__}: {error}")
        return None


def _short(message: str) -> str:
    return " ".join(message.split())[:500]


def _payload(notification: dict) -> str:
    """{id, kind, data} as JSON; without data when too big (the app reads it over REST)."""
    full = {"id": notification["id"], "kind": notification["kind"], "data": notification["data"]}
    body = json.dumps(full, ensure_ascii=False, separators=(",", ":"))
    if len(body.encode()) <= MAX_PAYLOAD_BYTES:
        return body
    return json.dumps({"id": full["id"], "kind": full["kind"]}, separators=(",", ":"))


def _record(outcomes: dict[int, str | None], previous: dict[int, str | None]) -> None:
    """Delete the subscriptions push services have forgotten; keep the other errors (and
    clear an old one once a push goes through)."""
    changed = {sid: outcome for sid, outcome in outcomes.items() if outcome != previous[sid]}
    if not changed:
        return

    def work():
        for subscription_id, outcome in changed.items():
            subscription = db.session.get(PushSubscription, subscription_id)
            if subscription is None:
                continue
            if outcome == FORGOTTEN:
                db.session.delete(subscription)
            else:
                subscription.last_error = outcome

    run_transaction(work)


def init_push(app: Flask) -> PushSender:
    sender = PushSender(app)
    app.extensions["jxc_push"] = sender
    if app.config["WEBPUSH_ENABLED"]:
        app.extensions["jxc_events"].subscribe(sender.on_event)
    return sender


def sender() -> PushSender:
    return current_app.extensions["jxc_push"]
