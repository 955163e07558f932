"""Fixtures of the integration tests: the Redis server, and each test's outcome.

``require()`` comes from ``tests/conftest.py`` through pytest's plugin manager: conftest
modules all share the module name ``conftest``, so ``from conftest import require`` would
import whichever conftest pytest loaded last.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("ONEITU_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def _redis_available(url: str) -> bool:
    import redis  # noqa: PLC0415

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=3).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url(request: pytest.FixtureRequest) -> str:
    """The Redis database the tests may use (skips/fails when no server answers)."""
    root = request.config.pluginmanager.get_plugin(str(Path(__file__).parents[1] / "conftest.py"))
    root.require(_redis_available(REDIS_URL), f"no Redis server answers at {REDIS_URL}")
    return REDIS_URL


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the test item (``item.rep_call``) for fixtures' teardown."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
