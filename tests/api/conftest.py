import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_backend(request):
    """Every API test runs on SQLite and again on PostgreSQL."""
    return request.param
