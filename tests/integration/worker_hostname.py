"""``[core] hostname_callable`` for the distributed test: each Celery worker names itself.

Both workers of ``test_distributed.py`` run on one machine, so the fully qualified domain
name Airflow records on a task instance by default would not tell them apart. The test
starts each worker with ``AIRFLOW__CORE__HOSTNAME_CALLABLE=worker_hostname.hostname`` and
``ONEITU_IT_WORKER_NAME`` set to the name it should report.
"""

from __future__ import annotations

import os
import socket


def hostname() -> str:
    """The worker's name from ``ONEITU_IT_WORKER_NAME``, else the machine's FQDN."""
    return os.environ.get("ONEITU_IT_WORKER_NAME") or socket.getfqdn()
