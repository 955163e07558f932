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
import re
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol

from oneitu_etl.contract import TABLES, WORKBOOK_NAME, Kind, kind_of_path
from oneitu_etl.issue_text import Message, say
from oneitu_etl.issues import Issue

DEFINITIONS = "indicator_definitions.csv"
#: What Excel writes beside a file it has open (``~$financial_statements.xlsx``).
LOCK_PREFIX = "~$"
#: Names of the files that belong in a year's folder.
YEAR_FILE_NAMES = frozenset(
    [WORKBOOK_NAME]
    + [
        s.csv_name
        for s in TABLES.values()
        if s.csv_name and s.kind is not Kind.INDICATOR_DEFINITIONS
    ]
)


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

    def root_entries(self) -> list[str]:
        """Names at the root, sorted; a folder's name ends with ``/``."""


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

    def root_entries(self) -> list[str]:
        try:
            entries = [p.name + ("/" if p.is_dir() else "") for p in self.root.iterdir()]
        except OSError:
            return []
        return sorted(e for e in entries if _visible(e))


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

    def root_entries(self) -> list[str]:
        try:
            entries = [p.name + ("/" if p.is_dir() else "") for p in self.root.iterdir()]
        except OSError:
            return []
        return sorted(e for e in entries if _visible(e))


def open_landing(root: str, conn_id: str | None = None) -> Landing:
    """The landing zone at ``root``: a URL (``s3://``, ``file://``...) or a local path."""
    if "://" in root:
        return ObjectStorageLanding(root, conn_id)
    return LocalLanding(root)


def sort_year_files(paths: list[str]) -> tuple[dict[str, list[str]], list[Issue]]:
    """The year's files by kind (contract sections 2 and 6), and the ones ignored, with why.

    Args:
        paths: The files under ``<year>/``, relative to the landing root.

    Returns:
        ``(by_kind, warnings)``: the paths of each kind in name order, and a warning for
        each file that is not a delivery (an Excel lock file, a file the contract does
        not know, the indicator definitions in a year's folder).
    """
    by_kind: dict[str, list[str]] = {}
    warnings: list[Issue] = []
    for path in paths:
        name = PurePosixPath(path).name
        kind = kind_of_path(path)
        if name.startswith(LOCK_PREFIX):
            message = say("lock_file")
        elif kind == Kind.INDICATOR_DEFINITIONS.value:
            message = say("definitions_in_year_folder", file=DEFINITIONS)
        elif kind is None:
            message = say("not_in_contract")
        else:
            by_kind.setdefault(kind, []).append(path)
            continue
        warnings.append(Issue(path, message, severity="warning"))
    return by_kind, warnings


_YEARISH = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def missing_year_hint(landing: Landing, year: int) -> Message:
    """ "No financial statements for the year", with why when the landing zone's root tells.

    A folder named ``FY2024`` or ``2024 statements`` instead of ``2024``, or the year's
    files put at the root, are named with what to do.
    """
    entries = landing.root_entries()
    if f"{year}/" in entries:
        return say("no_statements", year=year)
    near = [e for e in entries if e.endswith("/") and str(year) in _YEARISH.findall(e)]
    loose = [e for e in entries if e in YEAR_FILE_NAMES]
    if near:
        return say("no_statements_near_folder", year=year, folders=", ".join(near))
    if loose:
        return say("no_statements_loose_files", year=year, files=", ".join(loose))
    folders = ", ".join(e for e in entries if e.endswith("/")) or say("no_folder_found")
    return say("no_statements_no_folder", year=year, folders=folders)


def landing_warnings(
    landing: Landing, year: int, year_files: list[str] | None = None
) -> list[Issue]:
    """Every file of the landing zone the year's report ignores, with why.

    The year's folder's files that are not deliveries (:func:`sort_year_files`), and
    the files of a year's folder put at the root, where they are never read.

    Args:
        landing: The landing zone.
        year: The financial year.
        year_files: The year's files when the caller listed them already (not listed again).
    """
    paths = landing.year_files(year) if year_files is None else year_files
    _, warnings = sort_year_files(paths)
    for name in landing.root_entries():
        if name in YEAR_FILE_NAMES:
            warnings.append(
                Issue(name, say("year_file_at_root", name=name, year=year), severity="warning")
            )
    return warnings
