"""With several worker processes, login limits are shared through Redis."""

import os
import uuid

import pytest

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests.support import ApiClient, assert_problem, unavailable


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        unavailable("TEST_REDIS_URL is not set (Redis tests)")
    import redis

    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at TEST_REDIS_URL is not reachable: {exc}")
    return url


@pytest.mark.redis
def test_two_workers_share_the_login_limit(redis_url, tmp_path):
    settings = dict(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'shared.db'}",
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=f"jxc-test-{uuid.uuid4().hex}",
        LOGIN_RATE_LIMIT_PER_USERNAME="4 per minute",
    )
    # Two app instances stand for two gunicorn workers behind one address.
    workers = [create_app(TestingConfig, **settings) for _ in range(2)]
    with workers[0].app_context():
        db.create_all()
    for worker in workers:
        worker.test_client_class = ApiClient
    clients = [worker.test_client() for worker in workers]
    for attempt in range(4):
        assert_problem(clients[attempt % 2].login("root", "wrong-password"), 401)
    # Each worker saw only two failures, yet both now refuse: the count is shared.
    assert_problem(clients[0].login("root", "wrong-password"), 429)
    assert_problem(clients[1].login("root", "wrong-password"), 429)
