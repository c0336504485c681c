"""Idempotency-Key: a write sent twice runs once."""

import threading
from datetime import timedelta

from sqlalchemy import func, select, update

from app.auth import services as auth_services
from app.auth.models import ApiToken
from app.core.db import utcnow
from app.core.idempotency import IdempotencyKey
from app.extensions import db
from tests.support import assert_problem


def _token_count(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))
        )


def test_replay_returns_the_first_response_and_runs_once(app, login_as):
    client = login_as("sales")
    key = {"Idempotency-Key": "order-7f3a"}
    first = client.post("/api/v1/auth/tokens", json={"name": "phone"}, headers=key)
    again = client.post("/api/v1/auth/tokens", json={"name": "phone"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json  # the same token, not a second one
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _token_count(app) == 1


def test_same_key_with_a_different_body_is_422(app, login_as):
    client = login_as("sales")
    key = {"Idempotency-Key": "k-1"}
    assert client.post("/api/v1/auth/tokens", json={"name": "a"}, headers=key).status_code == 201
    reused = client.post("/api/v1/auth/tokens", json={"name": "b"}, headers=key)
    assert_problem(reused, 422, "idempotency-key-reused", field="Idempotency-Key")
    assert _token_count(app) == 1


def test_keys_belong_to_one_user(app, login_as):
    key = {"Idempotency-Key": "shared-key"}
    one, two = login_as("sales"), login_as("sales")
    assert one.post("/api/v1/auth/tokens", json={"name": "a"}, headers=key).status_code == 201
    other = two.post("/api/v1/auth/tokens", json={"name": "a"}, headers=key)
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert _token_count(app) == 2


def test_refusals_are_replayed_too(login_as):
    client = login_as("admin")
    key = {"Idempotency-Key": "bad-user"}
    body = {"username": "x y", "password": "short", "roles": []}
    first = client.post("/api/v1/users", json=body, headers=key)
    again = client.post("/api/v1/users", json=body, headers=key)
    assert_problem(first, 422)
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"


def test_an_expired_key_can_be_used_again(app, login_as):
    client = login_as("sales")
    key = {"Idempotency-Key": "old"}
    client.post("/api/v1/auth/tokens", json={"name": "a"}, headers=key)
    with app.app_context():
        db.session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
    fresh = client.post("/api/v1/auth/tokens", json={"name": "a"}, headers=key)
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert _token_count(app) == 2


def _hold_first_call(monkeypatch):
    """Make issue_token wait inside the first request until the test lets it go."""
    entered, release = threading.Event(), threading.Event()
    original = auth_services.issue_token

    def slow_issue_token(*args, **kwargs):
        if not entered.is_set():
            entered.set()
            assert release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(auth_services, "issue_token", slow_issue_token)
    return entered, release


def _post_in_thread(app, bearer, key, results, name):
    def run():
        client = app.test_client()
        results[name] = client.post(
            "/api/v1/auth/tokens",
            json={"name": "race"},
            headers={"Authorization": bearer, "Idempotency-Key": key},
        )

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _bearer(login_as) -> str:
    client = login_as("sales")
    return "Bearer " + client.post("/api/v1/auth/tokens", json={"name": "api"}).json["token"]


def _start_race(app, login_as, monkeypatch, key):
    """The first request is held inside the service; a duplicate is sent meanwhile."""
    bearer = _bearer(login_as)
    entered, release = _hold_first_call(monkeypatch)
    results = {}
    first = _post_in_thread(app, bearer, key, results, "first")
    assert entered.wait(10)
    second = _post_in_thread(app, bearer, key, results, "second")
    return first, second, release, results


def test_racing_duplicates_run_once_and_both_get_the_result(app, login_as, monkeypatch):
    first, second, release, results = _start_race(app, login_as, monkeypatch, "race-1")
    second.join(0.5)
    assert second.is_alive()  # the duplicate waits for the first instead of running
    release.set()
    first.join(10)
    second.join(10)
    assert results["first"].status_code == results["second"].status_code == 201
    assert results["second"].json == results["first"].json
    assert results["second"].headers["Idempotent-Replayed"] == "true"
    assert _token_count(app) == 2  # the bearer's own token and exactly one more


def test_a_duplicate_that_waits_too_long_gets_409_in_progress(app, login_as, monkeypatch):
    app.config["IDEMPOTENCY_WAIT_SECONDS"] = 0.3
    first, second, release, results = _start_race(app, login_as, monkeypatch, "race-2")
    second.join(10)
    body = assert_problem(results["second"], 409, "idempotency-in-progress")
    assert "still being processed" in body["detail"]
    release.set()
    first.join(10)
    assert results["first"].status_code == 201
    assert _token_count(app) == 2


def test_a_server_error_releases_the_key_for_a_retry(app, login_as, monkeypatch):
    client = login_as("sales")
    key = {"Idempotency-Key": "flaky"}
    original = auth_services.issue_token
    monkeypatch.setattr(auth_services, "issue_token", lambda *a, **k: 1 / 0)
    assert_problem(client.post("/api/v1/auth/tokens", json={"name": "a"}, headers=key), 500)
    monkeypatch.setattr(auth_services, "issue_token", original)
    retry = client.post("/api/v1/auth/tokens", json={"name": "a"}, headers=key)
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert _token_count(app) == 1


def test_a_blank_or_overlong_key_is_400(login_as):
    client = login_as("sales")
    for key in (" ", "k" * 201):
        response = client.post(
            "/api/v1/auth/tokens", json={"name": "a"}, headers={"Idempotency-Key": key}
        )
        assert_problem(response, 400, "invalid-idempotency-key")


def _leave_claim(app, client, key, *, committed):
    """A claim left 'in progress' by a worker that died ten minutes ago."""
    user_id = client.get("/api/v1/auth/me").json["id"]
    fingerprint_source = client.post(
        "/api/v1/auth/tokens", json={"name": "probe"}, headers={"Idempotency-Key": key}
    )
    assert fingerprint_source.status_code == 201
    with app.app_context():
        db.session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
            .values(
                state="in_progress",
                committed=committed,
                created_at=utcnow() - timedelta(minutes=10),
                response_body=None,
            )
        )
        db.session.commit()


def test_a_claim_abandoned_before_its_work_committed_runs_again(app, login_as):
    client = login_as("sales")
    _leave_claim(app, client, "crashed-early", committed=False)
    retry = client.post(
        "/api/v1/auth/tokens", json={"name": "probe"}, headers={"Idempotency-Key": "crashed-early"}
    )
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers


def test_a_claim_abandoned_after_its_work_committed_is_not_run_twice(app, login_as):
    client = login_as("sales")
    _leave_claim(app, client, "crashed-late", committed=True)
    retry = client.post(
        "/api/v1/auth/tokens", json={"name": "probe"}, headers={"Idempotency-Key": "crashed-late"}
    )
    assert_problem(retry, 409, "idempotency-response-lost")
    assert _token_count(app) == 1


def test_the_claim_knows_whether_the_work_committed(app, login_as):
    client = login_as("admin")
    client.post("/api/v1/auth/tokens", json={"name": "a"}, headers={"Idempotency-Key": "did"})
    client.post("/api/v1/users", json={"username": "?"}, headers={"Idempotency-Key": "refused"})
    with app.app_context():
        rows = db.session.execute(select(IdempotencyKey.key, IdempotencyKey.committed))
        committed = {key: flag for key, flag in rows}
    assert committed == {"did": True, "refused": False}
