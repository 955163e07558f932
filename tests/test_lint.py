"""The code base passes the project's one linter and formatter (ruff, pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["check", "."], id="check"),
        pytest.param(["format", "--check", "."], id="format"),
    ],
)
def test_ruff(args: list[str]) -> None:
    done = subprocess.run([str(RUFF), *args], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
