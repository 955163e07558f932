"""The delivery page as a FastAPI application, independent of Airflow.

:func:`create_app` builds it from the pipeline's settings and three injected pieces: the
authentication dependency (who is calling, with which roles), ``announce`` (emit a
source's asset event on the caller's behalf) and, optionally, ``report_run`` (the state
of the report DAG's latest run). The Airflow plugin injects Airflow's own; the tests
inject fakes. Pages are server-rendered Jinja2 templates, in English or French.

Routes, relative to where the app is mounted (``/oneitu`` under the API server):
``GET /`` the upload form, ``POST /upload`` check and deliver, ``GET /status`` the year's
deliveries and report, ``GET /reports/{year}/{name}`` a published report file,
``GET /reports/{year}/data_docs/{path}`` the year's Data Docs (Great Expectations) and
``GET /data_docs`` the newest year's. Links that leave the page (the reports, the Data
Docs, Airflow) open in the top window: Airflow shows the page in an iframe.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import html
import json
import logging
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from oneitu_etl.catalogue import direction
from oneitu_etl.delivery import csrf
from oneitu_etl.delivery.config import Caller, DeliveryConfig
from oneitu_etl.delivery.messages import (
    LANGUAGE_NAMES,
    LANGUAGES,
    date,
    gettext,
    gettext_for,
    issue_message,
    number,
    refusal_text,
    size_text,
    word,
)
from oneitu_etl.delivery.runtime import Runtime
from oneitu_etl.delivery.service import ASSET_URIS, UploadResult, receive, record_refusal
from oneitu_etl.delivery.sniff import Refused
from oneitu_etl.issue_text import N_
from oneitu_etl.reference import Reference
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import uploads as records

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
#: Opens the links marked ``target="_top"`` in the top window from Airflow's sandboxed iframe.
TOP_SCRIPT = Path(__file__).parent / "static" / "top.js"
LANG_COOKIE = "oneitu_lang"
#: Room for the form's other fields and the multipart framing around the file.
_FORM_OVERHEAD = 64 * 1024
#: An oversized body is read and discarded up to this multiple of the limit, so that the
#: browser gets the explanation instead of a reset connection; beyond it, it is cut off.
_DRAIN_FACTOR = 4

Authenticate = Callable[..., Caller | Awaitable[Caller]]
#: ``announce(caller, asset_uri, extra)``: emit the asset event as the caller; say what it did.
Announcer = Callable[[Caller, str, dict], str]
#: ``report_run(caller, dag_id)``: the latest run (``state``, ``run_id``, ``when``, ``url``).
ReportRun = Callable[[Caller, str], dict | None]


class _TooLarge(Exception):
    """The request body is above the upload limit."""


def report_files(year: int) -> tuple[str, ...]:
    """The published files of a year that the page links to (contract section 5)."""
    return (
        f"strategic_plan_report_{year}_en.html",
        f"strategic_plan_report_{year}_fr.html",
        f"strategic_plan_report_{year}_en.pdf",
        f"strategic_plan_report_{year}_fr.pdf",
        f"annex_{year}.xlsx",
        f"report_{year}.json",
    )


def _lang(request: Request, chosen: str | None = None) -> str:
    for candidate in (chosen, request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    accept = request.headers.get("accept-language", "")[:2].lower()
    return accept if accept in LANGUAGES else "en"


def _secure_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def _cookie_path(request: Request) -> str:
    return request.scope.get("root_path") or "/"


def create_app(
    settings: Settings | Callable[[], Settings],
    *,
    config: DeliveryConfig,
    authenticate: Authenticate,
    announce: Announcer | None = None,
    login_url: Callable[[str], str] | None = None,
    report_run: ReportRun | None = None,
    airflow_url: str | None = None,
    reference: Reference | None = None,
) -> FastAPI:
    """Build the delivery page.

    Args:
        settings: The pipeline's settings, or a function returning them (called once, on
            the first request).
        config: Upload limit, roles allowed to upload, CSRF secret.
        authenticate: A FastAPI dependency returning the :class:`Caller`; it raises
            ``HTTPException`` 401 or 403 when the request is not authenticated.
        announce: Emits a source's asset event as the caller (none: deliveries are not
            announced and the ingestion DAG finds them on its schedule).
        login_url: The sign-in page for a ``next`` URL (unauthenticated pages redirect).
        report_run: The latest run of the report DAG, for the status page.
        airflow_url: Link back to the Airflow UI.
        reference: Reference codes (the package's by default).

    Returns:
        The application, to mount (the plugin mounts it at ``/oneitu``).
    """
    runtime = Runtime(settings, reference)
    # The engine's pool is closed when the app stops: by its lifespan where the server runs
    # it, else at the process's exit (Airflow's API server does not run the lifespan of an
    # app a plugin mounts).
    alive = weakref.ref(runtime)  # an app dropped (tests make many) takes its engine along
    atexit.register(lambda: (r := alive()) is not None and r.close())

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        runtime.close()

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app = FastAPI(
        title="One ITU data delivery",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    signed_in = Depends(authenticate)

    def absolute_url(request: Request, route: str, **path_params: object) -> str:
        """URL of one of this app's routes, wherever it is mounted (own router only)."""
        mount = str(request.scope.get("root_path", "")).rstrip("/")
        path = mount + str(app.url_path_for(route, **path_params))
        return str(request.url.replace(path=path, query="", fragment=""))

    def render(
        request: Request,
        template: str,
        lang: str,
        status: int = 200,
        caller: Caller | None = None,
        **context: Any,
    ) -> HTMLResponse:
        def url(route: str, path_params: dict | None = None, **query: object) -> str:
            base = absolute_url(request, route, **(path_params or {}))
            pairs = urlencode({k: v for k, v in query.items() if v is not None})
            return f"{base}?{pairs}" if pairs else base

        def lang_url(code: str) -> str:
            """This page in language ``code`` (the form, after a POST)."""
            if request.method != "GET":
                return url("upload_form", lang=code)
            return str(request.url.include_query_params(lang=code))

        page = env.get_template(template).render(
            _=gettext_for(lang),
            word=lambda group, value, **fields: word(lang, group, value, **fields),
            number=lambda value: number(lang, value),
            date=lambda value: date(lang, value),
            lang=lang,
            direction=direction(lang),
            languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            refusal_text=lambda refusal: refusal_text(lang, refusal.key, refusal.params),
            said=lambda code, **params: refusal_text(lang, code, params),
            lang_url=lang_url,
            caller=caller,
            url=url,
            request=request,
            airflow_url=airflow_url,
            issue_message=lambda i: issue_message(i, lang),
            size=lambda n: size_text(lang, n),
            path=request.url.path,
            **context,
        )
        response = HTMLResponse(page, status_code=status)
        response.set_cookie(
            LANG_COOKIE, lang, path=_cookie_path(request), samesite="lax", max_age=365 * 86400
        )
        return _secure_headers(response)

    @app.exception_handler(HTTPException)
    async def not_authenticated(request: Request, exc: HTTPException) -> Response:
        """401/403 from the authentication: GET pages go to sign-in, the rest get a page."""
        if exc.status_code not in (401, 403):
            detail = html.escape(str(exc.detail))
            return _secure_headers(HTMLResponse(detail, status_code=exc.status_code))
        lang = _lang(request)
        if request.method == "GET" and login_url is not None:
            return RedirectResponse(login_url(str(request.url)), status_code=303)
        return render(
            request,
            "message.html.j2",
            lang,
            status=401,
            title=gettext(lang, N_("Error")),
            message=gettext(
                lang, N_("You are not signed in, or your session has expired. Please sign in.")
            ),
            sign_in=login_url(absolute_url(request, "upload_form")) if login_url else None,
        )

    def ensure_nonce(request: Request) -> tuple[str, bool]:
        nonce = request.cookies.get(csrf.COOKIE)
        return (nonce, False) if nonce else (csrf.new_nonce(), True)

    def form_page(
        request: Request,
        caller: Caller,
        lang: str,
        *,
        status: int = 200,
        result: UploadResult | None = None,
        refusal: Refused | None = None,
        year: int | None = None,
    ) -> HTMLResponse:
        nonce, fresh = ensure_nonce(request)
        years = runtime.years()
        default_year = dt.date.today().year - 1
        chosen = year or (default_year if default_year in years else years[0])
        response = render(
            request,
            "upload.html.j2",
            lang,
            status=status,
            caller=caller,
            may_upload=caller.may_upload(config.upload_roles),
            allowed_roles=", ".join(sorted(config.upload_roles)),
            token=csrf.form_token(config.csrf_secret, caller.name, nonce),
            years=years,
            chosen_year=chosen,
            limit=config.max_upload_bytes,
            result=result,
            refusal=refusal,
        )
        if fresh:
            response.set_cookie(
                csrf.COOKIE,
                nonce,
                path=_cookie_path(request),
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
            )
        return response

    @app.get("/", response_class=HTMLResponse, name="upload_form")
    async def upload_form(request: Request, caller: Caller = signed_in) -> Response:
        """The upload form (or, for a role that may not upload, why not)."""
        lang = _lang(request)
        return form_page(
            request, caller, lang, status=200 if caller.may_upload(config.upload_roles) else 403
        )

    async def refuse(
        request: Request,
        caller: Caller,
        lang: str,
        refusal: Refused,
        *,
        show: bool = True,
        year: int | None = None,
        upload: object = None,
        data: bytes = b"",
        size: int | None = None,
    ) -> Response:
        """Record a refusal in ``uploads`` (with its reason), then answer with the form."""
        client_name = upload.filename if isinstance(upload, UploadFile) else None
        try:
            await run_in_threadpool(
                record_refusal,
                runtime.engine,
                refusal,
                uploaded_by=caller.name,
                year=year,
                client_name=client_name,
                data=data,
                size=size,
            )
        except Exception as exc:  # noqa: BLE001 - the refusal is shown all the same
            log.warning("refused upload by %s not recorded: %s", caller.name, exc)
        return form_page(
            request,
            caller,
            lang,
            status=refusal.status,
            refusal=refusal if show else None,
            year=year,
        )

    @app.post("/upload", response_class=HTMLResponse, name="upload")
    async def upload(request: Request, caller: Caller = signed_in) -> Response:
        """Check the uploaded file and deliver it when it has no error.

        Every attempt becomes an ``uploads`` row: those refused here (a role that may not
        deliver, a body above the limit, no form, an expired form, a year the page does
        not accept, no file) as well as those :func:`receive` judges.
        """
        lang = _lang(request)
        declared = request.headers.get("content-length", "")
        declared_size = int(declared) if declared.isdigit() else None
        if not caller.may_upload(config.upload_roles):
            roles = ", ".join(sorted(caller.roles)) or "-"
            allowed = ", ".join(sorted(config.upload_roles))
            refusal = Refused(
                "role_denied", {"user": caller.name, "roles": roles, "allowed": allowed}, 403
            )
            return await refuse(request, caller, lang, refusal, show=False, size=declared_size)
        try:
            form = await _read_form(request, config.max_upload_bytes + _FORM_OVERHEAD)
        except _TooLarge:
            refusal = Refused("too_large", {"limit": config.max_upload_bytes}, status=413)
            return await refuse(request, caller, lang, refusal, size=declared_size)
        except (MultiPartException, ValueError):
            return await refuse(request, caller, lang, Refused("no_file", status=400))
        lang = _lang(request, str(form.get("lang") or ""))
        upload = form.get("file")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        await form.close()
        year_text = str(form.get("year") or "")
        year = int(year_text) if year_text.isdigit() else None
        accepted = year if year in runtime.years() else None
        if not csrf.is_valid(
            config.csrf_secret,
            caller.name,
            request.cookies.get(csrf.COOKIE),
            str(form.get(csrf.FIELD) or ""),
        ):
            log.warning("upload by %s refused: CSRF token missing or wrong", caller.name)
            refusal = Refused("csrf", status=403)
            return await refuse(
                request, caller, lang, refusal, year=accepted, upload=upload, data=data
            )
        if accepted is None:
            refusal = Refused("bad_year", {"year": year_text[:10] or "-"}, status=400)
            return await refuse(request, caller, lang, refusal, upload=upload, data=data)
        if not isinstance(upload, UploadFile) or not (data or upload.filename):
            refusal = Refused("no_file", status=400)
            return await refuse(request, caller, lang, refusal, year=year, upload=upload)

        def emit(uri: str, extra: dict) -> str:
            assert announce is not None
            return announce(caller, uri, extra)

        result = await run_in_threadpool(
            receive,
            data,
            year=year,
            uploaded_by=caller.name,
            client_name=upload.filename,
            settings=runtime.settings,
            config=config,
            engine=runtime.engine,
            reference=runtime.reference,
            announce=emit if announce else None,
        )
        status = {"delivered": 200, "unchanged": 200, "rejected": 422}.get(
            result.outcome, result.refusal.status if result.refusal else 400
        )
        return form_page(request, caller, lang, status=status, result=result, year=year)

    @app.get("/status", response_class=HTMLResponse, name="status")
    async def status(
        request: Request, year: int | None = None, caller: Caller = signed_in
    ) -> Response:
        """The year's deliveries, the uploads through the page and the report's state."""
        lang = _lang(request)
        context = await run_in_threadpool(_status_context, runtime, year)
        run, run_known = None, report_run is not None
        if report_run is not None:
            try:
                run = await run_in_threadpool(report_run, caller, config.report_dag_id)
            except Exception as exc:  # noqa: BLE001 - the page shows what it can
                log.warning("report run state unavailable: %s", exc)
                run_known = False
        return render(
            request,
            "status.html.j2",
            lang,
            caller=caller,
            run=run,
            run_known=run_known,
            dag_id=config.report_dag_id,
            **context,
        )

    @app.get("/reports/{year}/{name}", name="report_file")
    async def report_file(year: int, name: str, caller: Caller = signed_in) -> Response:
        """A published report file of ``year`` (only the contract's names are served)."""
        if name not in report_files(year):
            raise HTTPException(status_code=404, detail="no such report file")
        path = runtime.settings.out / str(year) / name
        if not path.is_file():
            raise HTTPException(status_code=404, detail="not published")
        return _secure_headers(
            FileResponse(
                path,
                filename=name if not name.endswith(".html") else None,
                content_disposition_type="inline",
            )
        )

    @app.get("/static/top.js", name="top_script")
    async def top_script() -> Response:
        """The page's one script (see ``static/top.js``); public, like Airflow's own assets."""
        return _secure_headers(FileResponse(TOP_SCRIPT, media_type="text/javascript"))

    @app.get("/reports/{year}/data_docs/{path:path}", name="data_docs_file")
    async def data_docs_file(year: int, path: str, caller: Caller = signed_in) -> Response:
        """A page of the year's Data Docs (``<out>/<Y>/data_docs``, beside the reports).

        The report links them as ``data_docs/index.html``: relative, so the link works on
        disk and here, under ``reports/<Y>/``.
        """
        found = data_docs_path(runtime.settings.out, year, path or "index.html")
        if found is None:
            raise HTTPException(status_code=404, detail="no such Data Docs page")
        return _secure_headers(FileResponse(found, content_disposition_type="inline"))

    @app.get("/data_docs", name="data_docs_latest")
    async def data_docs_latest(
        request: Request, year: int | None = None, caller: Caller = signed_in
    ) -> Response:
        """The Data Docs of ``year``, or of the newest year that has them (the Airflow menu)."""
        out = runtime.settings.out
        years = [year] if year is not None else runtime.years()
        found = next((y for y in years if data_docs_path(out, y, "index.html")), None)
        if found is None:
            lang = _lang(request)
            return render(
                request,
                "message.html.j2",
                lang,
                status=404,
                caller=caller,
                title=gettext(
                    lang, N_("Data Docs: every expectation suite and its latest validation")
                ),
                message=gettext(
                    lang, N_("No Data Docs have been published yet: they come with a report.")
                ),
                sign_in=None,
            )
        target = absolute_url(request, "data_docs_file", year=found, path="index.html")
        return RedirectResponse(target, status_code=303)

    return app


def data_docs_path(out: Path, year: int, path: str) -> Path | None:
    """The file ``path`` of the year's Data Docs, if it is one (never outside them).

    Args:
        out: The published output folder.
        year: Financial year.
        path: Path inside ``<out>/<Y>/data_docs``, as in the URL.

    Returns:
        The file, or ``None`` (missing, a folder, hidden, or climbing out).
    """
    root = (out / str(year) / "data_docs").resolve()
    parts = path.split("/")
    if any(part.startswith(".") or not part for part in parts):
        return None
    found = (root / path).resolve()
    if not found.is_relative_to(root) or not found.is_file():
        return None
    return found


async def _read_form(request: Request, limit: int) -> FormData:
    """Parse the multipart form, refusing a body above ``limit`` bytes while it arrives."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise ValueError("not a multipart form")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        await _drain(request, int(declared), limit)
        raise _TooLarge
    received = 0

    async def body() -> AsyncGenerator[bytes, None]:
        nonlocal received
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _TooLarge
            yield chunk

    parser = MultiPartParser(request.headers, body(), max_files=1, max_fields=8)
    return await parser.parse()


async def _drain(request: Request, declared: int, limit: int) -> None:
    """Read and discard an oversized body (within reason) so the browser sees the answer."""
    if declared > _DRAIN_FACTOR * limit:
        return
    while True:
        message = await request.receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _status_context(runtime: Runtime, year: int | None) -> dict[str, Any]:
    settings = runtime.settings
    years = runtime.years()
    with runtime.engine.connect() as conn:
        active = records.upload_years(conn)
        if year not in years:
            year = next((y for y in active if y in years), None) or (
                dt.date.today().year - 1 if dt.date.today().year - 1 in years else years[0]
            )
        deliveries = records.year_deliveries(conn, year)
        uploads = records.year_uploads(conn, year)
    report_path = settings.out / str(year) / f"report_{year}.json"
    report = None
    if report_path.is_file():
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("cannot read %s: %s", report_path, exc)
    published = [n for n in report_files(year) if (settings.out / str(year) / n).is_file()]
    return {
        "data_docs": data_docs_path(settings.out, year, "index.html") is not None,
        "year": year,
        "years": years,
        "deliveries": deliveries,
        "uploads": uploads,
        "report": report,
        "published": published,
        "asset_uris": ASSET_URIS,
    }
