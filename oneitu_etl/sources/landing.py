"""The landing zone: where Finance, the Bureaux, the GS and planning deliver files.

Two readers behind one small interface: :class:`LocalLanding` for a folder on disk (the
embedded default) and :class:`ObjectStorageLanding`, which reads through Airflow's
``ObjectStoragePath`` so that ``s3://``, ``gs://`` or ``file://`` roots work by
configuration alone. Paths handed out are relative to the root, POSIX style
(``2024/activities/activities_R_2024.csv``). Hidden files and folders (names starting
with a dot: uploads in progress, editors' lock files) are not deliveries.

The root is configuration (``Settings.landing``, from ``ONEITU_LANDING``, and
``Settings.landing_conn_id``, from ``ONEITU_LANDING_CONN_ID``); :func:`open_landing`
picks the reader. Airflow is imported only when an object-storage root is opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Protocol

DEFINITIONS = "indicator_definitions.csv"


class OutsideLanding(OSError):
    """A path of the landing zone that leads out of it (a symbolic link): not followed."""


def _raise(error: OSError) -> None:
    raise error


def _visible(rel: str) -> bool:
    return not any(part.startswith(".") for part in rel.split("/"))


class Landing(Protocol):
    """What the pipeline needs of a landing zone."""

    def exists(self) -> bool:
        """Whether the root exists and can be listed."""

    def year_files(self, year: int) -> list[str]:
        """Relative paths of every file under ``<year>/``, sorted."""

    def has(self, rel: str) -> bool:
        """Whether the file ``rel`` exists."""

    def read_bytes(self, rel: str) -> bytes:
        """The content of ``rel``."""

    def open(self, rel: str) -> BinaryIO:
        """``rel`` opened for reading, as a binary stream (for files too large to hold)."""

    def local_file(self, rel: str) -> Path | None:
        """``rel`` as a file of this machine that other programs can open, if it is one."""

    def describe(self) -> str:
        """The root, for messages."""


class LocalLanding:
    """A landing zone in a local folder."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def exists(self) -> bool:
        return self.root.is_dir()

    def year_files(self, year: int) -> list[str]:
        base = self.root / str(year)
        if not base.is_dir():
            return []
        found = []
        # os.walk, not rglob: a folder that cannot be listed raises (PermissionError naming
        # it) instead of hiding its files; links to folders are not followed, as by rglob
        for folder, _folders, names in os.walk(base, onerror=_raise):
            for name in names:
                if os.path.isfile(path := os.path.join(folder, name)):
                    found.append(Path(path).relative_to(self.root).as_posix())
        return sorted(rel for rel in found if _visible(rel))

    def has(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def _inside(self, rel: str) -> Path:
        """``rel`` under the root; a link (file or folder) that leads out of it is refused:
        whoever may write to the landing zone must not get other files read and published."""
        path = self.root / rel
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise OutsideLanding(
                f"{rel} is a link to a file outside the landing zone; links out of it are "
                "not followed"
            )
        return path

    def read_bytes(self, rel: str) -> bytes:
        return self._inside(rel).read_bytes()

    def open(self, rel: str) -> BinaryIO:
        return self._inside(rel).open("rb")

    def local_file(self, rel: str) -> Path | None:
        try:
            return self._inside(rel)
        except OutsideLanding:
            return None

    def describe(self) -> str:
        return str(self.root)


class ObjectStorageLanding:
    """A landing zone read through Airflow's ``ObjectStoragePath`` (s3, gs, file...)."""

    def __init__(self, url: str, conn_id: str | None = None):
        from airflow.sdk import ObjectStoragePath  # noqa: PLC0415 - Airflow only when configured

        self.url = url.rstrip("/")
        self.root = (
            ObjectStoragePath(self.url, conn_id=conn_id) if conn_id else ObjectStoragePath(self.url)
        )

    def exists(self) -> bool:
        try:
            return self.root.exists() and self.root.is_dir()
        except OSError:
            return False

    def year_files(self, year: int) -> list[str]:
        base = self.root / str(year)
        if not base.exists():
            return []
        prefix = str(self.root).rstrip("/") + "/"
        found = []
        for path in base.rglob("*"):
            if path.is_file():
                text = str(path)
                found.append(
                    text[len(prefix) :]
                    if text.startswith(prefix)
                    else path.relative_to(self.root).as_posix()
                )
        return sorted(rel for rel in found if _visible(rel))

    def has(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    def read_bytes(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()

    def open(self, rel: str) -> BinaryIO:
        return (self.root / rel).open("rb")

    def local_file(self, rel: str) -> Path | None:  # noqa: ARG002 - never, here
        return None

    def describe(self) -> str:
        return self.url


def open_landing(root: str, conn_id: str | None = None) -> Landing:
    """The landing zone at ``root``: a URL (``s3://``, ``file://``...) or a local path."""
    if "://" in root:
        return ObjectStorageLanding(root, conn_id)
    return LocalLanding(root)
