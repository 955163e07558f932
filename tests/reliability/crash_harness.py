"""``oneitu`` that kills itself with SIGKILL at a chosen point: the crash tests' process.

    python crash_harness.py POINT ONEITU-ARGS...

It runs the very entry point of the ``oneitu`` command (:func:`oneitu_etl.cli.main`) in
this process, after wrapping one package function so that the process sends itself
SIGKILL at POINT. The kill is real (no exception, no ``finally``, no flush), and the point
is exact, which polling from outside cannot promise; the production code has no
fault-injection hook. Points:

``load``
    stage 1, inside the transaction that loads the activity files, after two of their rows
    were inserted (the statements' group, processed last, is not yet loaded);
``before-marts``
    after stages 1 and 2 committed, when stage 3 starts computing the figures;
``mid-write``
    stage 4, while writing the second report file: half its bytes are in the temporary
    (``.<name>.<random>.tmp``, as :func:`oneitu_etl.fileio.atomic_write_bytes` names it),
    the first report file is already replaced.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from pathlib import Path


def die() -> None:
    """SIGKILL this process: nothing after this line runs."""
    os.kill(os.getpid(), signal.SIGKILL)


def arm(point: str) -> None:
    """Wrap the function where ``point`` is, so that the process dies there."""
    if point == "load":
        from oneitu_etl.warehouse import loads  # noqa: PLC0415
        from oneitu_etl.warehouse import schema as s  # noqa: PLC0415

        loads._CHUNK_ROWS = 1
        real_insert = loads._insert_records
        inserted: list[object] = []

        def insert_records(conn, table, records):  # noqa: ANN001, ANN202
            if table is s.activities and len(inserted) >= 2:
                die()
            real_insert(conn, table, records)
            if table is s.activities:
                inserted.extend(records)

        loads._insert_records = insert_records
    elif point == "before-marts":
        from oneitu_etl import marts  # noqa: PLC0415

        marts.report_figures = lambda *args, **kwargs: die()
    elif point == "mid-write":
        from oneitu_etl.report import writer  # noqa: PLC0415

        real_write = writer.atomic_write_bytes
        written: list[Path] = []

        def atomic_write_bytes(path, data):  # noqa: ANN001, ANN202
            path = Path(path)
            if len(written) == 1:
                fd, _tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
                os.write(fd, data[: len(data) // 2])
                die()
            written.append(path)
            return real_write(path, data)

        writer.atomic_write_bytes = atomic_write_bytes
    else:
        raise SystemExit(f"unknown kill point {point!r}")


if __name__ == "__main__":
    arm(sys.argv[1])
    from oneitu_etl.cli import main  # noqa: E402, PLC0415

    sys.exit(main(sys.argv[2:]))
