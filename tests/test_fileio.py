"""Moving a file into the archive or the ledger store: whole or not at all.

:func:`oneitu_etl.fileio.atomic_move` renames on one file system; across two (a spool on
another volume than the store: ``EXDEV``) it copies to a temporary beside the target,
renames that over it and removes the source. Either way the target holds the whole
content and no temporary is left; a copy that fails leaves the previous target as it was.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from oneitu_etl import fileio


def _across_devices(monkeypatch: pytest.MonkeyPatch, source: Path) -> list[tuple[str, str]]:
    """Make the rename of ``source`` fail as between two file systems; the renames tried."""
    calls: list[tuple[str, str]] = []
    replace = os.replace

    def cross(src: str | Path, dst: str | Path) -> None:
        calls.append((Path(src).name, Path(dst).name))
        if Path(src) == source:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        replace(src, dst)

    monkeypatch.setattr(os, "replace", cross)
    return calls


def test_a_move_on_one_file_system_is_a_rename(tmp_path: Path) -> None:
    source = tmp_path / "spool" / "lines.parquet"
    source.parent.mkdir()
    source.write_bytes(b"new lines")
    target = tmp_path / "store" / "ab" / "abc.parquet"

    assert fileio.atomic_move(source, target) == target

    assert target.read_bytes() == b"new lines"
    assert not source.exists()


def test_a_move_across_file_systems_copies_then_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "lines.parquet"
    source.write_bytes(b"x" * 100_000)
    target = tmp_path / "store" / "abc.parquet"
    target.parent.mkdir()
    target.write_bytes(b"old")
    calls = _across_devices(monkeypatch, source)

    fileio.atomic_move(source, target)

    assert target.read_bytes() == b"x" * 100_000
    assert not source.exists()
    (first, second) = calls
    assert first == ("lines.parquet", "abc.parquet")  # refused: another file system
    assert fileio.is_temporary(Path(second[0])) and second[1] == "abc.parquet"
    assert sorted(p.name for p in target.parent.iterdir()) == ["abc.parquet"]


def test_a_failed_copy_leaves_the_target_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "lines.parquet"
    source.write_bytes(b"new")
    target = tmp_path / "store" / "abc.parquet"
    target.parent.mkdir()
    target.write_bytes(b"old")
    _across_devices(monkeypatch, source)

    def full_disk(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.shutil, "copyfileobj", full_disk)

    with pytest.raises(OSError, match="No space left"):
        fileio.atomic_move(source, target)

    assert target.read_bytes() == b"old"
    assert source.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["abc.parquet"]
