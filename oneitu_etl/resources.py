"""What a run uses, built once by its entry point and handed to every stage.

The command line (``oneitu run``) and each DAG task build one :class:`Resources` from the
settings and pass it to the stages they call (:mod:`oneitu_etl.pipeline`): one warehouse
engine, opened and migrated the first time a stage needs it and disposed when the
resources are closed; one landing zone; one copy of the reference data. A stage given
settings alone builds its own for the length of the call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Engine

from oneitu_etl import warehouse
from oneitu_etl.reference import Reference, load_reference
from oneitu_etl.settings import Settings
from oneitu_etl.sources.landing import Landing, open_landing


class Resources:
    """The warehouse engine, the landing zone and the reference data of one run.

    Each is built on first use, so that a stage that needs no warehouse (rendering a
    language) opens none; :meth:`close` (or leaving the ``with`` block) disposes the
    engine's connections.

    Args:
        settings: Where the warehouse, the landing zone and the outputs are.
        reference: The reference data, when the caller holds it already.
    """

    def __init__(self, settings: Settings, *, reference: Reference | None = None) -> None:
        self.settings = settings
        self._reference = reference
        self._engine: Engine | None = None
        self._landing: Landing | None = None

    @property
    def engine(self) -> Engine:
        """The warehouse, connected and migrated the first time it is asked for."""
        if self._engine is None:
            self._engine = warehouse.connect(self.settings.db_url)
        return self._engine

    @property
    def landing(self) -> Landing:
        """The landing zone (not checked to exist: the ingestion stage does that).

        Raises:
            ValueError: the URL names a storage Universal Pathlib does not know.
            ImportError: the package that reads that storage is not installed.
        """
        if self._landing is None:
            self._landing = open_landing(self.settings.landing, self.settings.landing_conn_id)
        return self._landing

    @property
    def reference(self) -> Reference:
        """The reference codes and names the package ships."""
        if self._reference is None:
            self._reference = load_reference()
        return self._reference

    @property
    def connected(self) -> bool:
        """Whether the engine has been made (and not disposed of since)."""
        return self._engine is not None

    def close(self) -> None:
        """Dispose the engine's connections (the resources can be used again after)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Resources:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


@contextmanager
def resources_of(run: Settings | Resources) -> Iterator[Resources]:
    """The run's resources: ``run`` itself, or resources built from the settings ``run``
    for the length of the ``with`` block (a stage called on its own), closed after it."""
    if isinstance(run, Resources):
        yield run
        return
    with Resources(run) as resources:
        yield resources
