import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.support import PASSWORD, ApiClient, unavailable


def _postgres_base_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        unavailable("TEST_DATABASE_URL is not set (PostgreSQL tests)")
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def postgres_schema_url():
    """A private schema in the test database for this run, dropped at the end."""
    base = _postgres_base_url()
    schema = f"jxc_test_{uuid.uuid4().hex[:8]}"
    engine = create_engine(base)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        unavailable(f"PostgreSQL at TEST_DATABASE_URL is not reachable: {exc}")
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def db_backend():
    """Which database the app under test uses; tests/api runs on both."""
    return "sqlite"


@pytest.fixture
def database_url(db_backend, tmp_path, request):
    if db_backend == "postgresql":
        return request.getfixturevalue("postgres_schema_url")
    return f"sqlite:///{tmp_path / 'jxc-test.db'}"


@pytest.fixture
def app(database_url, db_backend, tmp_path):
    app = create_app(
        TestingConfig,
        instance_path=tmp_path / "instance",
        SQLALCHEMY_DATABASE_URI=database_url,
        PWA_DIST=str(tmp_path / "no-dist"),
    )
    app.test_client_class = ApiClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if db_backend == "postgresql":
            db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app) -> ApiClient:
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create a user directly through the service: make_user("sales", roles=[...])."""
    from app.auth import services

    def _make(username: str, roles=None, *, warehouse_ids=(), active=True, password=PASSWORD):
        with app.app_context():
            user = services.create_user(
                username,
                password,
                list(roles or [username]),
                warehouse_ids=list(warehouse_ids),
                active=active,
            )
            return user.id

    return _make


@pytest.fixture
def login_as(app, make_user):
    """A logged-in client for a fresh user with one role: login_as("manager")."""

    def _login(role: str, **kwargs) -> ApiClient:
        username = kwargs.pop("username", f"{role}-{uuid.uuid4().hex[:6]}")
        make_user(username, [role], **kwargs)
        client = app.test_client()
        response = client.login(username)
        assert response.status_code == 200, response.get_data(as_text=True)
        return client

    return _login


@pytest.fixture
def warehouses(app):
    from app.inventory.services import ensure_warehouse

    with app.app_context():
        return [ensure_warehouse("W1", "Main").id, ensure_warehouse("W2", "Second").id]
