"""Airflow plugin: Finance's delivery page, served by the Airflow API server at ``/oneitu/``.

One login and one deployment: the page is a FastAPI app mounted by the API server
(``fastapi_apps``), linked from the Airflow UI's navigation (``external_views``: the page,
and the newest year's Data Docs, which the page serves beside the reports); ``/oneitu``
without its slash is redirected (``fastapi_root_middlewares``). The
logic lives in :mod:`oneitu_etl.delivery`; this file only wires Airflow into it:

* **Authentication**: Airflow's own ``get_user`` dependency (the ``_token`` cookie the UI
  sets at sign-in, or an ``Authorization: Bearer`` token), so whichever auth manager the
  deployment uses decides who the user is. Airflow does not authenticate plugin apps by
  itself: every route of the page asks for this dependency. Uploading also needs one of
  the roles in ``ONEITU_UPLOAD_ROLES`` (default ``op,admin``).
* **Asset events**: through Airflow's public REST API, ``POST /api/v2/assets/events``,
  with the user's own token, so Airflow checks that *this user* may create asset events
  and its audit log names them. (The in-process ``asset_manager.register_asset_change``
  would also work inside the API server, but it is internal and its signature has
  changed between 3.x releases; the REST API is the stable contract.)
* **Report state**: ``GET /api/v2/dags/oneitu_annual_report/dagRuns``, also as the user.

Nothing heavy is imported when Airflow loads plugins (the scheduler and workers load
them too): the app is built on the API server's first request to ``/oneitu``.

Environment: ``ONEITU_LANDING``, ``ONEITU_OUT``, ``ONEITU_DB_URL`` (or the Airflow
variables ``oneitu_landing`` / ``oneitu_out`` and the connection ``oneitu_warehouse``),
``ONEITU_MAX_UPLOAD_BYTES``, ``ONEITU_UPLOAD_ROLES``, ``ONEITU_DELIVERY_SECRET`` (the
form tokens' key; by default derived from ``[api] secret_key``) and
``ONEITU_AIRFLOW_API_URL`` (how the API server reaches itself; by default
``http://127.0.0.1:<[api] port>``).
"""

import hashlib
import logging
import os
import threading

from airflow.plugins_manager import AirflowPlugin

log = logging.getLogger(__name__)

URL_PREFIX = "/oneitu"
WAREHOUSE_CONN_ID = "oneitu_warehouse"


def _settings():  # noqa: ANN202 - oneitu_etl.settings.Settings
    """The pipeline's settings: ``ONEITU_*`` first, else Airflow variables and connection."""
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    overrides = {}
    for env, variable, key in (
        ("ONEITU_LANDING", "oneitu_landing", "landing"),
        ("ONEITU_OUT", "oneitu_out", "out"),
    ):
        if not os.environ.get(env):
            try:
                from airflow.models import Variable  # noqa: PLC0415

                value = Variable.get(variable, default_var=None)
                if value:
                    overrides[key] = value
            except Exception as exc:  # noqa: BLE001 - fall back to the defaults
                log.warning("Airflow variable %s unavailable: %s", variable, exc)
    if not os.environ.get("ONEITU_DB_URL"):
        try:
            from airflow.models import Connection  # noqa: PLC0415

            conn = Connection.get_connection_from_secrets(WAREHOUSE_CONN_ID)
            overrides["db_url"] = conn.get_uri().replace("postgres://", "postgresql+psycopg://", 1)
        except Exception:  # noqa: BLE001 - no connection: the embedded default
            pass
    return Settings.from_env(**overrides)


def _csrf_secret() -> bytes:
    """The form tokens' key: ``ONEITU_DELIVERY_SECRET``, else derived from Airflow's."""
    from airflow.configuration import conf  # noqa: PLC0415

    secret = os.environ.get("ONEITU_DELIVERY_SECRET") or conf.get("api", "secret_key", fallback="")
    if not secret:
        raise RuntimeError("set ONEITU_DELIVERY_SECRET or [api] secret_key for the delivery page")
    return hashlib.sha256(b"oneitu-delivery-csrf\x00" + secret.encode()).digest()


def _api_url() -> str:
    """Where this API server answers, seen from inside it."""
    if os.environ.get("ONEITU_AIRFLOW_API_URL"):
        return os.environ["ONEITU_AIRFLOW_API_URL"].rstrip("/")
    from airflow.api_fastapi.app import API_ROOT_PATH  # noqa: PLC0415
    from airflow.configuration import conf  # noqa: PLC0415

    scheme = "https" if conf.get("api", "ssl_cert", fallback="") else "http"
    return (
        f"{scheme}://127.0.0.1:{conf.getint('api', 'port', fallback=8080)}{API_ROOT_PATH}".rstrip(
            "/"
        )
    )


def roles_of(user) -> frozenset:  # noqa: ANN001 - any auth manager's user
    """Role names of a user, lower case: ``role`` (simple auth manager) or ``roles`` (FAB)."""
    roles = set()
    role = getattr(user, "role", None)
    if isinstance(role, str) and role:
        roles.add(role.lower())
    for item in getattr(user, "roles", None) or []:
        roles.add(str(getattr(item, "name", item)).lower())
    return frozenset(roles)


class EmitError(Exception):
    """Airflow did not record the asset event."""


def _client(caller):  # noqa: ANN001, ANN202
    import httpx  # noqa: PLC0415 - an Airflow dependency

    headers = {"Authorization": f"Bearer {caller.token}"} if caller.token else {}
    return httpx.Client(base_url=caller.api_url, headers=headers, timeout=20)


def announce(caller, uri: str, extra: dict) -> str:  # noqa: ANN001
    """Emit an asset event for ``uri`` through Airflow's REST API, as ``caller``."""
    with _client(caller) as client:
        found = client.get("/api/v2/assets", params={"uri_pattern": uri, "limit": 100})
        if found.status_code in (401, 403):
            raise EmitError(
                f"Airflow refused to list assets for {caller.name} (HTTP {found.status_code})"
            )
        found.raise_for_status()
        ids = [a["id"] for a in found.json().get("assets", []) if a.get("uri") == uri]
        if not ids:
            raise EmitError(f"Airflow does not know the asset {uri} yet (no DAG using it parsed)")
        made = client.post("/api/v2/assets/events", json={"asset_id": ids[0], "extra": extra})
        if made.status_code in (401, 403):
            raise EmitError(
                f"Airflow refused the asset event for {caller.name} (HTTP {made.status_code})"
            )
        made.raise_for_status()
        return f"asset event {made.json().get('id')} on {uri}"


def report_run(caller, dag_id: str):  # noqa: ANN001, ANN201
    """The report DAG's latest run, from Airflow's REST API, as ``caller``."""
    from airflow.api_fastapi.app import API_ROOT_PATH  # noqa: PLC0415

    with _client(caller) as client:
        answer = client.get(
            f"/api/v2/dags/{dag_id}/dagRuns", params={"order_by": "-run_after", "limit": 1}
        )
        if answer.status_code == 404:
            return None
        answer.raise_for_status()
        runs = answer.json().get("dag_runs", [])
    if not runs:
        return None
    run = runs[0]
    when = (run.get("run_after") or run.get("queued_at") or "")[:16].replace("T", " ")
    return {
        "state": run.get("state"),
        "run_id": run.get("dag_run_id"),
        "when": when,
        "url": f"{API_ROOT_PATH}dags/{dag_id}/runs/{run.get('dag_run_id')}",
    }


def build_app():  # noqa: ANN201 - a FastAPI app
    """The delivery page wired to this API server's authentication and REST API."""
    from airflow.api_fastapi.app import API_ROOT_PATH, get_auth_manager  # noqa: PLC0415
    from airflow.api_fastapi.auth.managers.base_auth_manager import (  # noqa: PLC0415
        COOKIE_NAME_JWT_TOKEN,
    )
    from airflow.api_fastapi.core_api.security import GetUserDep  # noqa: PLC0415
    from fastapi import Request  # noqa: PLC0415

    from oneitu_etl.delivery import Caller, DeliveryConfig, create_app  # noqa: PLC0415

    api_url = _api_url()

    async def authenticate(request: Request, user: GetUserDep) -> Caller:
        """Airflow's user (401/403 from ``get_user`` when not signed in) as a Caller."""
        header = request.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else None
        return Caller(
            name=user.get_name(),
            roles=roles_of(user),
            token=token or request.cookies.get(COOKIE_NAME_JWT_TOKEN),
            api_url=api_url,
        )

    def login_url(next_url: str) -> str:
        return get_auth_manager().get_url_login(next_url=next_url)

    config = DeliveryConfig.from_env(csrf_secret=_csrf_secret())
    log.info(
        "One ITU delivery page at %s: upload limit %d bytes, roles %s, API %s",
        URL_PREFIX,
        config.max_upload_bytes,
        sorted(config.upload_roles),
        api_url,
    )
    return create_app(
        _settings,
        config=config,
        authenticate=authenticate,
        announce=announce,
        login_url=login_url,
        report_run=report_run,
        airflow_url=API_ROOT_PATH,
    )


class LazyApp:
    """An ASGI app that builds the real one on its first request (API server only)."""

    def __init__(self, factory) -> None:  # noqa: ANN001
        self._factory = factory
        self._app = None
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._factory()
        await self._app(scope, receive, send)


class AddSlash:
    """Root ASGI middleware: ``/oneitu`` (no slash) redirects to ``/oneitu/``.

    The mount only answers below ``/oneitu/``; without this, Airflow's UI catches
    ``/oneitu`` and shows its own 404 (signed in) or an empty shell (signed out).
    """

    def __init__(self, app, prefix: str = URL_PREFIX) -> None:  # noqa: ANN001
        self.app, self.prefix = app, prefix

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] == "http" and scope.get("path") == self.prefix:
            location = f"{scope.get('root_path', '').rstrip('/')}{self.prefix}/"
            if scope.get("query_string"):
                location += "?" + scope["query_string"].decode("latin-1")
            await send(
                {
                    "type": "http.response.start",
                    "status": 308,
                    "headers": [
                        (b"location", location.encode("latin-1")),
                        (b"content-length", b"0"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


class OneItuDeliveryPlugin(AirflowPlugin):
    """Finance's delivery page at ``/oneitu/``, linked from the Airflow UI's menu with the
    newest Data Docs."""

    name = "oneitu_delivery"
    fastapi_apps = [
        {"app": LazyApp(build_app), "url_prefix": URL_PREFIX, "name": "One ITU data delivery"},
    ]
    fastapi_root_middlewares = [
        {"middleware": AddSlash, "args": [], "kwargs": {}, "name": "One ITU: /oneitu to /oneitu/"},
    ]
    external_views = [
        {
            "name": "Data delivery",
            "href": "oneitu/",
            "destination": "nav",
            "category": "browse",
            "url_route": "oneitu-delivery",
        },
        {
            "name": "Data Docs (One ITU)",
            "href": "oneitu/data_docs",
            "destination": "nav",
            "category": "browse",
            "url_route": "oneitu-data-docs",
        },
    ]
