"""The delivery page's records: uploads, and the deliveries they became.

:func:`record_upload` writes one ``uploads`` row per file offered on the page (delivered
or not); :func:`year_deliveries` and :func:`year_uploads` read what the status page
shows. A delivered upload is matched to the delivery the pipeline made of it by landing
path and content hash (the latest such upload before the delivery arrived), which is how a
delivery learns who uploaded it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from oneitu_etl.warehouse import schema as s


@dataclass(frozen=True)
class DeliveryRow:
    """One delivery of a year as the status page shows it."""

    id: int
    path: str
    kind: str
    sha256: str
    arrived_at: dt.datetime
    outcome: str
    rows_loaded: int
    rows_quarantined: int
    superseded_at: dt.datetime | None
    uploaded_by: str | None

    @property
    def current(self) -> bool:
        """Whether the delivery still counts (not superseded)."""
        return self.superseded_at is None


@dataclass(frozen=True)
class UploadRow:
    """One upload through the page."""

    id: int
    uploaded_at: dt.datetime
    uploaded_by: str
    year: int | None
    kind: str | None
    path: str | None
    client_name: str | None
    sha256: str
    size_bytes: int
    outcome: str
    errors: int
    warnings: int
    event: str | None
    message: str | None
    code: str | None = None
    params: dict[str, object] | None = None
    ingested: bool = False


def record_upload(
    conn: Connection,
    *,
    uploaded_at: dt.datetime,
    uploaded_by: str,
    year: int | None,
    kind: str | None,
    path: str | None,
    client_name: str | None,
    sha256: str,
    size_bytes: int,
    outcome: str,
    errors: int = 0,
    warnings: int = 0,
    message: str | None = None,
    code: str | None = None,
    params: dict[str, object] | None = None,
) -> int:
    """Record one upload.

    Args:
        conn: A connection in a transaction.
        uploaded_at: When the file was received.
        uploaded_by: The user's name.
        year: Chosen financial year.
        kind: Detected contract kind, if any.
        path: Landing path it was (or would have been) written to.
        client_name: The browser's file name, for display only.
        sha256: Content hash.
        size_bytes: Size.
        outcome: ``delivered``, ``unchanged``, ``rejected`` or ``refused``.
        errors: Number of errors found.
        warnings: Number of warnings found.
        message: Why it was refused, in English, if it was.
        code: The refusal's message key, so that it can be said in any language.
        params: The values that message quotes.

    Returns:
        The upload's id.
    """
    result = conn.execute(
        insert(s.uploads).values(
            uploaded_at=uploaded_at,
            uploaded_by=uploaded_by,
            year=year,
            kind=kind,
            path=path,
            client_name=client_name,
            sha256=sha256,
            size_bytes=size_bytes,
            outcome=outcome,
            errors=errors,
            warnings=warnings,
            message=message,
            code=code,
            params=params,
        )
    )
    return int(result.inserted_primary_key[0])


def set_event(conn: Connection, upload_id: int, event: str, message: str | None = None) -> None:
    """Record whether the upload's asset event was emitted (``emitted`` / ``failed``)."""
    values: dict[str, object] = {"event": event}
    if message is not None:
        values["message"] = message
    conn.execute(update(s.uploads).where(s.uploads.c.id == upload_id).values(**values))


def _delivered_upload(path, sha256, arrived_at):  # noqa: ANN001, ANN202 - columns or values
    """Who made the arrival of ``sha256`` at ``path`` at ``arrived_at`` through the page.

    The latest upload that wrote this content there (``delivered``, not ``unchanged``: an
    identical copy delivers nothing) no later than the arrival: a file the pipeline found
    before anyone uploaded the same bytes was not delivered by that later upload.
    """
    u = s.uploads
    return (
        select(u.c.uploaded_by)
        .where(
            u.c.path == path,
            u.c.sha256 == sha256,
            u.c.outcome == "delivered",
            u.c.uploaded_at <= arrived_at,
        )
        .order_by(u.c.id.desc())
        .limit(1)
    )


def uploader_of(conn: Connection, path: str, sha256: str, arrived_at: dt.datetime) -> str | None:
    """The user whose upload delivered this content at this landing path, if one did.

    Ingestion stores it in ``deliveries.uploaded_by`` when it records the delivery.

    Args:
        conn: A connection.
        path: Landing path of the delivery.
        sha256: Its content hash.
        arrived_at: When the pipeline found it (uploads after that did not deliver it).
    """
    return conn.execute(_delivered_upload(path, sha256, arrived_at)).scalar()


def _uploader():  # noqa: ANN202 - a scalar subquery
    d = s.deliveries
    return _delivered_upload(d.c.path, d.c.sha256, d.c.arrived_at).scalar_subquery()


def year_deliveries(conn: Connection, year: int) -> list[DeliveryRow]:
    """The deliveries of ``year`` and the indicator definitions, newest first."""
    d = s.deliveries
    query = (
        select(
            d.c.id,
            d.c.path,
            d.c.kind,
            d.c.sha256,
            d.c.arrived_at,
            d.c.outcome,
            d.c.rows_loaded,
            d.c.rows_quarantined,
            d.c.superseded_at,
            func.coalesce(d.c.uploaded_by, _uploader()).label("uploaded_by"),
        )
        .where(or_(d.c.year == year, d.c.year.is_(None)))
        .order_by(d.c.path, d.c.id.desc())
    )
    return [DeliveryRow(**row._asdict()) for row in conn.execute(query)]


def year_uploads(conn: Connection, year: int, limit: int = 200) -> list[UploadRow]:
    """The uploads for ``year``, newest first, each marked ``ingested`` once a delivery.

    Uploads refused before their year was known (too large, a role that may not deliver,
    a year the page does not accept) have no year: they are in the table, not listed here.
    """
    u, d = s.uploads, s.deliveries
    ingested = (
        select(func.count())
        .select_from(d)
        .where(and_(d.c.path == u.c.path, d.c.sha256 == u.c.sha256))
        .scalar_subquery()
    )
    query = (
        select(u, (ingested > 0).label("ingested"))
        .where(u.c.year == year)
        .order_by(u.c.id.desc())
        .limit(limit)
    )
    return [UploadRow(**row._asdict()) for row in conn.execute(query)]


def upload_years(conn: Connection) -> list[int]:
    """Years that have deliveries or uploads, newest first."""
    years = {y for (y,) in conn.execute(select(s.deliveries.c.year).distinct()) if y is not None}
    years |= {y for (y,) in conn.execute(select(s.uploads.c.year).distinct()) if y is not None}
    return sorted(years, reverse=True)
