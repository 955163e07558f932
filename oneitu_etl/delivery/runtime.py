"""The delivery app's runtime: its settings and resources, made on first use, closed once.

One engine and one copy of the reference data serve every request of the app; they are
resolved on the first request (Airflow's API server may start before the warehouse is
reachable) and disposed of when the app stops.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine

from oneitu_etl.reference import Reference
from oneitu_etl.resources import Resources
from oneitu_etl.settings import Settings


class Runtime:
    """Settings and the app's resources (one engine and one copy of the reference data for
    every request), resolved on first use (the API server may start first)."""

    def __init__(self, settings: Settings | Callable[[], Settings], reference: Reference | None):
        self._settings = settings
        self._reference = reference
        self._resources: Resources | None = None
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        if callable(self._settings):
            with self._lock:
                if callable(self._settings):
                    self._settings = self._settings()
        return self._settings

    def _made(self) -> Resources:
        """The app's resources (reference data and a lazy engine), made once."""
        settings = self.settings
        with self._lock:
            if self._resources is None:
                self._resources = Resources(settings, reference=self._reference)
            return self._resources

    @property
    def reference(self) -> Reference:
        return self._made().reference

    @property
    def engine(self) -> Engine:
        return self._made().engine

    @property
    def open(self) -> bool:
        """Whether the engine has been made and not yet disposed of."""
        return self._resources is not None and self._resources.connected

    def close(self) -> None:
        """Dispose of the engine's connections (when the app stops, or at exit)."""
        with self._lock:
            if self._resources is not None:
                self._resources.close()

    def years(self) -> list[int]:
        """Years of the Strategic Plan cycles the project ships, newest first."""
        return sorted(
            {y for c in self.reference.cycles for y in range(c.first_year, c.last_year + 1)},
            reverse=True,
        )
