"""A delivered file as ingestion holds it: read, spooled, archived.

:func:`read_delivery` reads one file of the landing zone, hashing it as it streams: held
in memory, or spooled to disk when it is large (``settings.stream_bytes``), so that what
is judged and loaded later is exactly what was hashed. :func:`archive_delivery` keeps the delivered
bytes unchanged under ``settings.archive``, addressed by their hash. The judging of a
:class:`Delivered` is :mod:`oneitu_etl.intake`; its loading, :mod:`oneitu_etl.warehouse.loads`.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from oneitu_etl.fileio import atomic_move, atomic_write_bytes
from oneitu_etl.issue_text import say
from oneitu_etl.issues import Issue
from oneitu_etl.settings import Settings
from oneitu_etl.sources.chunks import CsvScan
from oneitu_etl.sources.landing import Landing, OutsideLanding

if TYPE_CHECKING:  # what judging adds to a delivered file (oneitu_etl.validate)
    from oneitu_etl.intake.large import LargeTable
    from oneitu_etl.validate.rows import CheckedTable


@dataclass
class Delivered:
    """One file of a load group, read and judged.

    A file too large to hold (``settings.stream_bytes``) is on disk in ``spool`` (the
    very bytes hashed; ``data`` is empty), with the ``scan`` of its bytes if it is a CSV.
    A file whose bytes were not kept (``unread``: above ``settings.max_file_bytes``, or
    not readable) is rejected as read, with its issue, and not archived.
    """

    path: str
    kind: str
    data: bytes
    sha256: str
    encoding: str | None = None
    tables: list[CheckedTable] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    rejected: bool = False
    spool: Path | None = None
    size: int | None = None
    scan: CsvScan | None = None
    unread: bool = False
    #: The columnar judgement of a spooled ledger, made early in another thread.
    columnar: Future[LargeTable | None] | None = None

    @property
    def nbytes(self) -> int:
        """The file's size in bytes."""
        return len(self.data) if self.size is None else self.size

    def open(self) -> BinaryIO:
        """The delivered bytes, as a stream from the start."""
        return self.spool.open("rb") if self.spool else io.BytesIO(self.data)

    def content(self) -> bytes:
        """The delivered bytes."""
        return self.spool.read_bytes() if self.spool else self.data

    @property
    def errors(self) -> list[Issue]:
        """The error issues (not warnings)."""
        return [i for i in self.issues if i.is_error]


def sha256_hex(data: bytes) -> str:
    """The content hash of a delivered file."""
    return hashlib.sha256(data).hexdigest()


def _signature(files: list[Delivered], extra: str = "") -> str:
    text = "\n".join(f"{f.path}\t{f.sha256}" for f in files) + "\n" + extra
    return hashlib.sha256(text.encode()).hexdigest()


def archive_delivery(settings: Settings, item: Delivered) -> str | None:
    """Keep the delivered bytes unchanged, addressed by content hash; never overwritten.

    Returns:
        The archived copy's path; ``None`` for a file whose bytes were not kept.
    """
    if item.unread:
        return None
    target = settings.archive / item.sha256[:2] / item.sha256 / item.path.rsplit("/", 1)[-1]
    if not target.exists() and item.spool is None:
        atomic_write_bytes(target, item.data)
    elif not target.exists():  # the spool becomes the archived copy: no second copy
        item.spool = atomic_move(item.spool, target)
    return str(target)


#: Bytes read from the landing zone at a time.
_BLOCK = 1 << 20


def read_delivery(
    landing: Landing, path: str, kind: str, settings: Settings, spool_dir: Path
) -> Delivered:
    """Read one delivered file: hashed as it streams; held in memory, or spooled to disk.

    A file above ``settings.stream_bytes`` is copied to ``spool_dir`` as it is read and
    hashed, so what is judged and loaded later is exactly what was hashed; a CSV is
    scanned on the way (encoding, plain or not) for the streamed reader. A file above
    ``settings.max_file_bytes`` is only hashed from there on (memory and disk stay flat)
    and refused; a file that cannot be read (a link out of the landing zone, gone,
    unreadable) is refused with the reason.
    """
    digest = hashlib.sha256()
    scan = CsvScan() if kind != "financial_statements" else None
    blocks: list[bytes] = []
    held = 0
    spool = None
    try:
        source = landing.open(path)
    except OSError as exc:
        reason = (
            say("link_outside_landing")
            if isinstance(exc, OutsideLanding)
            else say("cannot_read", reason=exc)
        )
        issue = Issue(path, reason)
        return Delivered(
            path, kind, b"", sha256_hex(b""), issues=[issue], rejected=True, size=0, unread=True
        )
    with source:
        while block := source.read(_BLOCK):
            digest.update(block)
            if held + len(block) > settings.max_file_bytes:  # refused: hash the rest only
                held += len(block)
                while block := source.read(_BLOCK):
                    digest.update(block)
                    held += len(block)
                if spool is not None:
                    spool.close()
                    Path(spool.name).unlink(missing_ok=True)
                issue = Issue(
                    path,
                    say("file_too_large", size=f"{held:,}", limit=f"{settings.max_file_bytes:,}"),
                )
                return Delivered(
                    path, kind, b"", digest.hexdigest(), issues=[issue], rejected=True,
                    size=held, unread=True,
                )  # fmt: skip
            if scan is not None:
                scan.feed(block)
            if spool is None and held + len(block) > settings.stream_bytes:
                spool_dir.mkdir(parents=True, exist_ok=True)
                spool = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
                    dir=spool_dir, prefix=".spool.", delete=False
                )
                spool.writelines(blocks)
                blocks = []
            if spool is None:
                blocks.append(block)
            else:
                spool.write(block)
            held += len(block)
    if scan is not None:
        scan.finish()
    if spool is None:
        return Delivered(path=path, kind=kind, data=b"".join(blocks), sha256=digest.hexdigest())
    spool.close()
    return Delivered(
        path=path,
        kind=kind,
        data=b"",
        sha256=digest.hexdigest(),
        spool=Path(spool.name),
        size=held,
        scan=scan,
    )
