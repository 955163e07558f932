"""The cycle collector kept off a run's long-lived objects (oneitu_etl.collector)."""

from __future__ import annotations

import gc
import sys

import pytest

from oneitu_etl import collector


def test_overlapping_renderings_share_one_pause_of_the_collector() -> None:
    """Threads rendering at once: the collector stays paused until the last one is done."""
    assert gc.isenabled()
    first, second = collector.collector_paused(), collector.collector_paused()
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)
    assert not gc.isenabled(), "the other rendering still runs"
    assert gc.get_freeze_count() > 0
    second.__exit__(None, None, None)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_pause_inside_a_run_keeps_the_runs_modules_set_aside() -> None:
    """``oneitu run`` imports its modules set aside; a rendering inside gives them back only
    when the run ends."""
    assert gc.get_freeze_count() == 0
    with collector.imported_and_set_aside("json"):
        assert "json" in sys.modules
        assert gc.isenabled()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with collector.collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen  # still set aside, for the run
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_a_module_that_fails_to_import_leaves_the_collector_running() -> None:
    with pytest.raises(ModuleNotFoundError):
        with collector.imported_and_set_aside("oneitu_etl.no_such_module"):
            pytest.fail("the block never runs")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
