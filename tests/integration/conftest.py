"""Fixtures of the integration tests: the Redis server, and each test's outcome."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from tests_support import require

REDIS_URL = os.environ.get("ONEITU_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def _redis_available(url: str) -> bool:
    import redis  # noqa: PLC0415

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=3).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis database the tests may use (skips/fails when no server answers)."""
    require(_redis_available(REDIS_URL), f"no Redis server answers at {REDIS_URL}")
    return REDIS_URL


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the test item (``item.rep_call``) for fixtures' teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
