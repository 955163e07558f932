"""Fixtures of the ingestion tests (helpers in ``ingest_support``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ingest_support import Zone, make_zone


@pytest.fixture
def zone(tmp_path: Path) -> Iterator[Zone]:
    """An empty landing zone with a SQLite warehouse."""
    z = make_zone(tmp_path)
    yield z
    z.dispose()


@pytest.fixture
def any_zone(tmp_path: Path, db_url: str) -> Iterator[Zone]:
    """An empty landing zone with a warehouse on SQLite, then on PostgreSQL."""
    z = make_zone(tmp_path, db_url)
    yield z
    z.dispose()
