"""Receiving one uploaded file: check it, deliver it atomically, record it, announce it.

:func:`receive` is the whole of an upload without the web: the page hands it the bytes,
the chosen year and the user's name, and gets back an :class:`UploadResult` to show. The
file is judged with :func:`~oneitu_etl.checkfiles.check_files` (``oneitu validate``)
together with the year's other files already in the landing zone, so the rules that
span files are checked too; only problems located in the uploaded file stop it. A file
that passes is written under a temporary hidden name in its target folder and renamed
over ``<landing>/<year>/<contract name>``; every upload, delivered or not, is recorded in
the warehouse's ``uploads`` table; a delivered file's source asset is then announced so
that the report DAG runs.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine

from oneitu_etl.checkfiles import NamedFile, check_files
from oneitu_etl.contract import (
    OPTIONAL_STATEMENT_KINDS,
    STATEMENT_KINDS,
    TABLES,
    Kind,
    kind_of_path,
)
from oneitu_etl.delivery.config import DeliveryConfig
from oneitu_etl.delivery.messages import refusal_text
from oneitu_etl.delivery.sniff import (
    Refused,
    activity_stem,
    detect_kind,
    file_type,
    landing_path,
)
from oneitu_etl.fileio import atomic_write_bytes
from oneitu_etl.intake import statement_structure
from oneitu_etl.issues import Issue
from oneitu_etl.reference import Reference
from oneitu_etl.settings import Settings
from oneitu_etl.sources.deliveries import sha256_hex
from oneitu_etl.sources.landing import DEFINITIONS
from oneitu_etl.warehouse import uploads as records

log = logging.getLogger(__name__)

#: The asset each source announces (``dags/oneitu_common.py`` declares the same URIs).
ASSET_URIS = {
    "finance": "oneitu://landing/finance",
    "sectors": "oneitu://landing/sectors",
    "planning": "oneitu://landing/planning",
    "narratives": "oneitu://landing/narratives",
    "gs_services": "oneitu://landing/gs_services",
}
_STATEMENT_GROUP = {
    "financial_statements",
    *(k.value for k in (*STATEMENT_KINDS, *OPTIONAL_STATEMENT_KINDS)),
    Kind.LEDGER.value,
}
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")

#: ``announce(asset_uri, extra)`` emits the asset event and says what it did; raises on failure.
Announce = Callable[[str, dict], str]


@dataclass
class UploadResult:
    """What became of one upload.

    Attributes:
        outcome: ``delivered``, ``unchanged``, ``rejected`` (validation errors) or
            ``refused`` (not accepted before validation).
        year: The chosen year.
        sha256: Content hash.
        size: Size in bytes.
        kind: Detected contract kind.
        path: Landing path (relative to the root).
        issues: Problems located in the uploaded file.
        context: Problems located in the year's other files.
        refusal: Why it was refused.
        upload_id: Its row in ``uploads``.
        event: ``emitted`` or ``failed`` once announced.
        event_detail: What the announcement did, or why it failed.
        replaced: Whether a delivered file replaced a different one at its path.
    """

    outcome: str
    year: int | None
    sha256: str
    size: int
    kind: str | None = None
    path: str | None = None
    issues: list[Issue] = field(default_factory=list)
    context: list[Issue] = field(default_factory=list)
    refusal: Refused | None = None
    upload_id: int | None = None
    event: str | None = None
    event_detail: str | None = None
    replaced: bool = False

    @property
    def errors(self) -> list[Issue]:
        """The uploaded file's errors."""
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        """The uploaded file's warnings."""
        return [i for i in self.issues if not i.is_error]


def source_of(kind: str) -> str:
    """The contract source of a kind: ``finance``, ``sectors``, ``planning``, and (v2)
    ``narratives`` or ``gs_services`` (staff, membership, the Council document)."""
    return "finance" if kind == "financial_statements" else TABLES[Kind(kind)].source


def display_name(client_name: str | None) -> str | None:
    """The browser's file name, made safe to store and show (never used as a path)."""
    if not client_name:
        return None
    base = re.split(r"[\\/]", client_name)[-1]
    return _UNPRINTABLE.sub("", base)[:200] or None


def local_root(settings: Settings) -> Path:
    """The landing zone's folder, where uploads are written.

    Raises:
        Refused: the landing zone is object storage or does not exist.
    """
    landing = settings.landing
    if landing.startswith("file://"):
        landing = landing[len("file://") :]
    elif "://" in landing or not landing:
        raise Refused("not_local", {"landing": landing or "-"}, status=503)
    root = Path(landing)
    if not root.is_dir():
        raise Refused("not_local", {"landing": landing}, status=503)
    return root


def _inside(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise AssertionError(f"landing path escapes the landing zone: {rel}")
    return root / rel


def context_paths(root: Path, rel: str, kind: str, year: int) -> list[str]:
    """The year's files already delivered that must be judged with the upload."""
    if kind == Kind.INDICATOR_VALUES.value:
        return [DEFINITIONS] if (root / DEFINITIONS).is_file() else []
    if kind == Kind.INDICATOR_DEFINITIONS.value:
        return []
    base = root / str(year)
    if not base.is_dir():
        return []
    found = sorted(p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file())
    found = [p for p in found if not any(part.startswith(".") for part in p.split("/"))]
    group = _STATEMENT_GROUP if kind in _STATEMENT_GROUP else {kind}
    return [p for p in found if p != rel and kind_of_path(p) in group]


def _structure_warnings(root: Path, rel: str, kind: str, year: int) -> list[Issue]:
    """Workbook and CSVs both present, or only some CSVs (or, v2, an optional CSV beside
    the workbook): a warning, not a refusal."""
    if kind not in _STATEMENT_GROUP or kind == Kind.LEDGER.value:
        return []
    paths = {*context_paths(root, rel, kind, year), rel}
    found = statement_structure(sorted(paths), year)
    return [replace(i, severity="warning", rule="statement_structure") for i in found]


def receive(
    data: bytes,
    *,
    year: int,
    uploaded_by: str,
    client_name: str | None,
    settings: Settings,
    config: DeliveryConfig,
    engine: Engine,
    reference: Reference,
    announce: Announce | None = None,
    now: dt.datetime | None = None,
) -> UploadResult:
    """Check one uploaded file and, if it has no error, deliver it.

    Args:
        data: The file's bytes.
        year: The financial year chosen on the page.
        uploaded_by: The authenticated user's name.
        client_name: The browser's file name (stored for display, never used as a path).
        settings: Landing zone, limits, tolerance.
        config: The upload limit.
        engine: The warehouse, for the ``uploads`` record.
        reference: Reference codes.
        announce: Emits the source's asset event (none: not announced).
        now: Time of arrival.

    Returns:
        The outcome, with the problems to show.
    """
    now = now or dt.datetime.now(dt.UTC)
    shown = display_name(client_name)
    result = UploadResult("refused", year, sha256_hex(data), len(data))
    try:
        if len(data) > config.max_upload_bytes:
            raise Refused("too_large", {"limit": config.max_upload_bytes}, status=413)
        root = local_root(settings)
        result.kind = detect_kind(data, file_type(data))
        stem = "unassigned"
        if result.kind in (Kind.ACTIVITIES.value, Kind.NARRATIVES.value):
            stem = activity_stem(data, {u.code: u.sector for u in reference.org_units.values()})
        result.path = landing_path(result.kind, year, activity_stem=stem)
    except Refused as refusal:
        result.refusal = refusal
        _record(engine, result, now, uploaded_by, shown, refusal)
        log.info("upload by %s refused: %s", uploaded_by, refusal)
        return result

    target = _inside(root, result.path)
    others = [
        NamedFile(p, (root / p).read_bytes())
        for p in context_paths(root, result.path, result.kind, year)
    ]
    found = check_files([*others, NamedFile(result.path, data)], settings, reference)
    result.issues = [i for i in found if i.file == result.path]
    result.context = [i for i in found if i.file != result.path]
    result.issues += _structure_warnings(root, result.path, result.kind, year)

    if result.errors:
        result.outcome = "rejected"
    elif target.is_file() and sha256_hex(target.read_bytes()) == result.sha256:
        result.outcome = "unchanged"
    else:
        result.replaced = target.is_file()
        atomic_write_bytes(target, data)
        result.outcome = "delivered"
    _record(engine, result, now, uploaded_by, shown)
    log.info(
        "upload by %s: %s %s (%d errors)",
        uploaded_by,
        result.outcome,
        result.path,
        len(result.errors),
    )
    if result.outcome == "delivered" and announce is not None:
        _announce(engine, result, announce, uploaded_by)
    return result


def refusal_reason(refusal: Refused) -> str:
    """What ``uploads.message`` says of a refusal: its key, then the English message."""
    return f"{refusal.key}: {refusal_text('en', refusal.key, refusal.params)}"


def record_refusal(
    engine: Engine,
    refusal: Refused,
    *,
    uploaded_by: str,
    year: int | None = None,
    client_name: str | None = None,
    data: bytes = b"",
    size: int | None = None,
    now: dt.datetime | None = None,
) -> UploadResult:
    """Record an upload the page refused before :func:`receive` could judge it.

    The too-large body, the expired form, the year the page does not accept, the missing
    file, an attempt by a role that may not deliver: each is an ``uploads`` row with
    outcome ``refused`` and its reason, like the refusals :func:`receive` makes.

    Args:
        engine: The warehouse.
        refusal: Why.
        uploaded_by: The authenticated user's name.
        year: The chosen year, when it was read and is one the page accepts.
        client_name: The browser's file name, when the form was read.
        data: The file's bytes, when they were read (``b""``: not read; no hash).
        size: The size when the bytes were not read (a declared ``Content-Length``).
        now: Time of arrival.

    Returns:
        The refusal, with its ``upload_id``.
    """
    result = UploadResult(
        "refused",
        year,
        sha256_hex(data) if data else "",
        len(data) if data else (size or 0),
        refusal=refusal,
    )
    _record(
        engine,
        result,
        now or dt.datetime.now(dt.UTC),
        uploaded_by,
        display_name(client_name),
        refusal,
    )
    log.info("upload by %s refused: %s", uploaded_by, refusal)
    return result


def _record(
    engine: Engine,
    result: UploadResult,
    now: dt.datetime,
    uploaded_by: str,
    client_name: str | None,
    refusal: Refused | None = None,
) -> None:
    with engine.begin() as conn:
        result.upload_id = records.record_upload(
            conn,
            uploaded_at=now,
            uploaded_by=uploaded_by,
            year=result.year,
            kind=result.kind,
            path=result.path,
            client_name=client_name,
            sha256=result.sha256,
            size_bytes=result.size,
            outcome=result.outcome,
            errors=len(result.errors),
            warnings=len(result.warnings),
            message=refusal_reason(refusal) if refusal else None,
            code=refusal.key if refusal else None,
            params=_stored(refusal.params) if refusal else None,
        )


def _stored(params: dict[str, object]) -> dict[str, object]:
    """A refusal's parameters as JSON keeps them: numbers and text as they are."""
    plain = (str, int, float, bool, type(None))
    return {k: v if isinstance(v, plain) else str(v) for k, v in params.items()}


def _announce(engine: Engine, result: UploadResult, announce: Announce, uploaded_by: str) -> None:
    assert result.kind is not None and result.upload_id is not None
    uri = ASSET_URIS[source_of(result.kind)]
    extra = {
        "source": source_of(result.kind),
        "years": [result.year],
        "path": result.path,
        "sha256": result.sha256,
        "uploaded_by": uploaded_by,
        "upload_id": result.upload_id,
    }
    try:
        result.event_detail = announce(uri, extra)
        result.event = "emitted"
    except Exception as exc:  # noqa: BLE001 - the file is delivered; the ingestion DAG catches up
        result.event, result.event_detail = "failed", str(exc)[:500]
        log.warning("upload %s delivered but %s not announced: %s", result.upload_id, uri, exc)
    with engine.begin() as conn:
        records.set_event(
            conn,
            result.upload_id,
            result.event,
            None if result.event == "emitted" else result.event_detail,
        )
