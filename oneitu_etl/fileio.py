"""Writing files so that a reader never sees half of one.

Every published file (reports, JSON, archived deliveries, the ledger store's files) is
written to a temporary name in the same folder (or moved in), flushed to disk, then renamed
over its final name: a crash
leaves either the previous file or the new one, never a truncated mix. A process killed
mid-write leaves its hidden temporary (``.<name>.<random>.tmp``) behind;
:func:`remove_temporaries` clears them.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename).

    Args:
        path: Final location; its folder is created if missing.
        data: The complete content.

    Returns:
        The final path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace_through_temporary(path, lambda handle: handle.write(data))
    return path


def temporary_folder(parent: Path | str, prefix: str) -> Path:
    """A new, empty, uniquely named folder in ``parent``, for a tree published by renaming.

    Unlike :func:`tempfile.mkdtemp`'s 0700, it gets the usual rwxr-xr-x (less the umask),
    so that the tree it becomes (the Data Docs) can be read by whoever reads the reports.

    Args:
        parent: The folder to create it in (created if missing).
        prefix: Start of its name.

    Returns:
        Its absolute path.
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent)).resolve()
    os.chmod(folder, 0o777 & ~_umask())
    return folder


def _replace_through_temporary(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Fill a temporary beside ``path``, flush it to disk, rename it over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; published files get the usual rw-r--r-- (less the umask)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_move(source: Path | str, target: Path | str) -> Path:
    """Move the file ``source`` to ``target`` atomically, replacing what is there.

    ``source`` is flushed to disk, then renamed over ``target``. On another file system
    (a spool or work folder on another volume than the archive or the ledger store), it
    is copied to a temporary beside ``target``, flushed, renamed over it, and removed.

    Returns:
        The final path.
    """
    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb+") as handle:
        os.fsync(handle.fileno())
    try:
        os.replace(source, target)
        return target
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    with source.open("rb") as copied:
        _replace_through_temporary(target, lambda handle: shutil.copyfileobj(copied, handle))
    source.unlink()
    return target


def replace_folder(staged: Path | str, target: Path | str) -> Path:
    """Put the folder ``staged`` in the place of ``target`` (whole: the old one is moved
    aside first, then removed), on the same file system."""
    staged, target = Path(staged), Path(target)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.rename(old)
    staged.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is the temporary of an :func:`atomic_write_bytes` in progress."""
    return path.name.startswith(".") and path.name.endswith(".tmp")


def remove_temporaries(folder: Path | str) -> list[Path]:
    """Remove the temporaries that writers killed mid-write left in ``folder``.

    Call it only while no other writer can be writing there (under the year's run lock).

    Returns:
        The paths removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = [p for p in folder.iterdir() if p.is_file() and is_temporary(p)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def atomic_write_text(path: Path | str, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))
