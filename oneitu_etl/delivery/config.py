"""What the delivery page needs besides the pipeline's settings: limits, roles, a secret.

:class:`DeliveryConfig` is built once by the entry point (the Airflow plugin) from
``ONEITU_*`` environment variables with :meth:`DeliveryConfig.from_env`; the pages
receive it. It sits beside :class:`~oneitu_etl.settings.Settings` rather than inside it
because only the API server needs it. :class:`Caller` is who is using the page, as the
injected authentication reports it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Default upload limit: 50 MB (a year's workbook is well under 1 MB; a ledger may be big).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Roles that may deliver by default (Airflow's simple auth manager names; case-insensitive).
UPLOAD_ROLES = frozenset({"op", "admin"})


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request.

    Attributes:
        name: User name, recorded as the uploader.
        roles: Role names, lower case.
        token: The credential the user presented, to act on their behalf (Airflow's API).
        api_url: Root URL of the Airflow API that authenticated the user.
    """

    name: str
    roles: frozenset[str] = frozenset()
    token: str | None = field(default=None, repr=False)
    api_url: str | None = None

    def may_upload(self, allowed: frozenset[str]) -> bool:
        """Whether one of the caller's roles is among ``allowed``."""
        return bool(self.roles & allowed)


@dataclass(frozen=True)
class DeliveryConfig:
    """Limits and permissions of the delivery page.

    Attributes:
        csrf_secret: Key of the form tokens' HMAC; shared by every API server worker.
            No default: the entry point must supply one.
        max_upload_bytes: Largest file accepted (``ONEITU_MAX_UPLOAD_BYTES``).
        upload_roles: Roles allowed to upload (``ONEITU_UPLOAD_ROLES``, comma-separated).
        report_dag_id: The DAG whose runs the status page shows.
    """

    csrf_secret: bytes = field(repr=False)
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    upload_roles: frozenset[str] = UPLOAD_ROLES
    report_dag_id: str = "oneitu_annual_report"

    def __post_init__(self) -> None:
        if len(self.csrf_secret) < 16:
            raise ValueError("the delivery page's CSRF secret must be at least 16 bytes")
        if self.max_upload_bytes <= 0:
            raise ValueError("ONEITU_MAX_UPLOAD_BYTES must be positive")
        object.__setattr__(self, "upload_roles", frozenset(r.lower() for r in self.upload_roles))

    @classmethod
    def from_env(
        cls, csrf_secret: bytes, environ: Mapping[str, str] | None = None
    ) -> DeliveryConfig:
        """Build the configuration from ``ONEITU_MAX_UPLOAD_BYTES`` and ``ONEITU_UPLOAD_ROLES``.

        Args:
            csrf_secret: The form tokens' key (the entry point decides where it comes from).
            environ: Variables to read (``os.environ`` by default).
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {"csrf_secret": csrf_secret}
        if env.get("ONEITU_MAX_UPLOAD_BYTES"):
            values["max_upload_bytes"] = int(env["ONEITU_MAX_UPLOAD_BYTES"])
        if env.get("ONEITU_UPLOAD_ROLES"):
            roles = {r.strip() for r in env["ONEITU_UPLOAD_ROLES"].split(",") if r.strip()}
            values["upload_roles"] = frozenset(roles)
        return cls(**values)  # type: ignore[arg-type]
