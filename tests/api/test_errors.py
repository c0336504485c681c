"""Every error under /api is problem+json, never HTML or a stack trace, and changes nothing."""

import pytest
from sqlalchemy import func, select

from app.core.security import public
from app.extensions import db
from app.inventory.models import Warehouse
from tests.support import assert_problem


@pytest.fixture
def app_with_test_routes(app):
    """Routes that fail on purpose, added before the app serves its first request."""

    @app.route("/api/v1/test/boom")
    @public
    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    @app.route("/api/v1/test/duplicate-warehouse", methods=["POST"])
    @public
    def duplicate_warehouse():
        db.session.add(Warehouse(code="DUP", name="first"))
        db.session.add(Warehouse(code="DUP", name="second"))
        db.session.commit()
        return {}

    return app


def test_unknown_api_path_is_404_problem(client):
    body = assert_problem(client.get("/api/v1/no-such-thing"), 404)
    assert "<html" not in str(body).lower()


def test_wrong_method_is_405_problem_with_allow(client):
    response = client.delete("/api/v1/health")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_body_that_is_not_json_is_415(client):
    response = client.post("/api/v1/auth/login", data="username=a", content_type="text/plain")
    assert_problem(response, 415, "unsupported-media-type")


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/login", data="{oops", content_type="application/json")
    assert_problem(response, 400)


def test_validation_error_is_422_naming_each_field(client):
    response = client.post("/api/v1/auth/login", json={"password": 5, "extra": True})
    body = assert_problem(response, 422, "validation-error")
    assert set(body["errors"]) == {"username", "password", "extra"}


def test_too_large_body_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/api/v1/auth/login", json={"username": "x" * 4000, "password": "p"})
    assert_problem(response, 413)


def test_unhandled_exception_is_500_problem_without_internals(app_with_test_routes, caplog):
    client = app_with_test_routes.test_client()
    response = client.get("/api/v1/test/boom")
    body = assert_problem(response, 500, "server-error")
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "passwd" not in text
    assert "boom" in caplog.text or "unhandled" in caplog.text  # but it is logged
    assert body["detail"]


def test_integrity_error_is_409_naming_the_field_and_saves_nothing(app_with_test_routes):
    client = app_with_test_routes.test_client()
    body = assert_problem(client.post("/api/v1/test/duplicate-warehouse"), 409, "duplicate")
    assert "code" in body["errors"]
    with app_with_test_routes.app_context():
        assert db.session.scalar(select(func.count()).select_from(Warehouse)) == 0


def test_non_api_404_is_not_problem_json(client):
    # Outside /api the PWA answers (here: not built, so a plain-text hint).
    response = client.get("/some/client/route")
    assert response.mimetype != "application/problem+json"
