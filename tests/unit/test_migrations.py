"""Alembic: empty → head works, matches the models, and has a single head."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect

from app import PROJECT_ROOT, create_app
from app.core.db import compare_column_types
from app.extensions import db
from config import TestingConfig


def test_there_is_one_head():
    script = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    assert len(script.get_heads()) == 1


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_schema_url")
    return f"sqlite:///{tmp_path / 'migrate.db'}"


def test_upgrade_from_empty_matches_the_models(empty_database_url):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": compare_column_types, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()
