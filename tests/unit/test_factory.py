from sqlalchemy import text

from app import create_app
from app.extensions import db
from config import Config, TestingConfig
from config.settings import normalise_database_url


def test_testing_config_and_defaults(tmp_path):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'a.db'}")
    assert app.testing
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert {bp for bp in app.blueprints} >= {"auth", "core", "inventory", "api-docs"}


def test_default_database_is_a_sqlite_file_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(Config, "SQLALCHEMY_DATABASE_URI", None)
    app = create_app(Config, instance_path=tmp_path / "instance", SECRET_KEY="x")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'jxc.db'}"


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(app):
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 15000


def test_postgres_urls_use_the_psycopg_driver():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_secret_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(Config, "SECRET_KEY", None)
    settings = dict(
        instance_path=tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'b.db'}"
    )
    app = create_app(Config, **settings)
    again = create_app(Config, **settings)
    assert len(app.config["SECRET_KEY"]) >= 32
    assert app.config["SECRET_KEY"] == again.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
