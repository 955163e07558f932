"""Python's cycle collector kept off the objects that live as long as a run.

A run holds a few hundred thousand long-lived objects (pandas, SQLAlchemy, DuckDB, Great
Expectations and the run's own data), and every full collection of the cycle collector
walks them all again. Two places set them aside with :func:`gc.freeze`: ``oneitu run``
for the modules of the run (:func:`imported_and_set_aside`), and the report's writer
while a language is rendered (:data:`collector_paused`). Measured figures are in
``docs/performance.md``.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def imported_and_set_aside(module: str) -> Iterator[None]:
    """A module imported with the collector off, its objects left out of collections.

    The modules of a run live as long as the run; each full collection walked their
    100,000 objects again (0.1 s of a run on a ledger of a million lines). They are given
    back to the collector when the block ends.

    Args:
        module: The module to import (with everything it imports).
    """
    gc.disable()
    try:
        importlib.import_module(module)
        gc.freeze()
    finally:
        gc.enable()
    try:
        yield
    finally:
        gc.unfreeze()


class CollectorPause:
    """The cycle collector held off while a language is rendered, then run once.

    WeasyPrint makes millions of short-lived objects for a PDF, enough to start several
    full collections per document, and each full collection walks every object of the
    process: the run's own (pandas, SQLAlchemy, Great Expectations: about 650,000 on the
    demo year) as well as the document's. Measured on the demo year, those collections
    were 1.3 to 1.9 s of the 7 to 12 s a language took. Instead the objects made so far
    are set aside (:func:`gc.freeze`), nothing is collected while the language is
    rendered, and one collection at the end frees the cycles the rendering left (peak
    memory +14 MiB on the demo year). Reference counting frees everything else as it
    goes.

    The collector is one per process: pauses that overlap (threads) are one pause, which
    the last to finish ends. The collector is then left running as it was found, and the
    objects are given back to it unless the caller had frozen some itself (``oneitu run``
    does, for the run): they stay with the caller's until it does.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._enabled = True
        self._first = True

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._enabled, self._first = gc.isenabled(), gc.get_freeze_count() == 0
                gc.freeze()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    if self._enabled:
                        gc.enable()
                    gc.collect()
                    if self._first:
                        gc.unfreeze()


#: The process's one pause (the collector is one per process).
collector_paused = CollectorPause()
