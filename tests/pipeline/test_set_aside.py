"""Nothing set aside is silent (contract section 5, v2): on every run, not only the first.

A file rejected whole, a quarantined row and a file the landing zone holds but the
report ignores are in ``data_quality`` of ``report_<Y>.json`` (``rejected_files``,
``quarantined``, ``warnings``), in the report's annex, in ``oneitu status``, and told
again by a re-run that has nothing to do. A year folder named ``FY2024`` blocks with a
message that says what to rename.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests_support import html_table

from oneitu_etl.demo import generate_landing

YEAR = 2024
ONEITU = Path(sys.executable).with_name("oneitu")
SEMICOLONS = "2024/activities/activities_semicolons.csv"
SPLIT = "2024/activities/activities_R_2024.csv"


def oneitu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ONEITU), *args], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("set_aside") / "landing"
    generate_landing(root, [YEAR])
    (root / SEMICOLONS).write_bytes(b"activity_id;org_unit;title\r\nX-1;BR;A workshop\r\n")
    lines = (root / SPLIT).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cost = header.index("cost_chf")
    cells[cost] = "47,057.21"  # an unquoted thousands separator: 14 cells
    lines[1] = ",".join(cells)
    (root / SPLIT).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "2024" / "activities" / "~$activities_R_2024.csv").write_bytes(b"\x0bJane")
    (root / "indicator_values.csv").write_bytes(
        (root / "2024" / "indicator_values.csv").read_bytes()
    )
    return root


@pytest.fixture(scope="module")
def runs(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    out = tmp_path_factory.mktemp("set_aside_out")
    args = ("run", "--landing", str(landing), "--year", str(YEAR), "--out", str(out), "--no-pdf")
    first = oneitu(*args)
    second = oneitu(*args)
    return out, [first, second]


def test_each_run_tells_what_was_set_aside_once(runs: tuple[Path, list]) -> None:
    _, (first, second) = runs
    for done in (first, second):
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        told = done.stderr.splitlines()
        assert (
            told.count(
                f"{SEMICOLONS}: rejected: row 1: columns are separated by semicolons; the contract "
                "requires commas"
            )
            == 1
        )
        quarantined = [line for line in told if line.startswith(f"{SPLIT}:2: quarantined: ")]
        assert quarantined == [
            f"{SPLIT}:2: quarantined: the row has 14 cells but the header has 13: a comma "
            "inside a value (a thousands separator, a decimal comma, a comma in a text) splits "
            "it in two; remove the comma or put the value in double quotes"
        ]
    assert first.stderr == second.stderr  # the re-run found nothing to do, and says the same


def test_the_json_names_each_file_and_row_set_aside(runs: tuple[Path, list], landing: Path) -> None:
    out, _ = runs
    data = json.loads((out / str(YEAR) / f"report_{YEAR}.json").read_text(encoding="utf-8"))
    dq = data["data_quality"]
    assert dq["rejected_files"] == [
        {
            "file": SEMICOLONS,
            "message": "row 1: columns are separated by semicolons; the contract requires commas",
            "issues": [
                {
                    "sheet": None,
                    "row": 1,
                    "column": None,
                    "message": "columns are separated by semicolons; the contract requires commas",
                    "code": "csv_separator_semicolons",
                    "params": {},
                }
            ],
        }
    ]
    assert [
        (q["file"], q["row"], q["column"]) for q in dq["quarantined"] if q["file"] == SPLIT
    ] == [(SPLIT, 2, None)]
    warned = {(w["file"], w["message"].split(";")[0]) for w in dq["warnings"]}
    assert (
        "2024/activities/~$activities_R_2024.csv",
        "an Excel lock file (Excel writes it "
        "while the file is open, and removes it when the file is closed)",
    ) in warned
    assert any(f == "indicator_values.csv" for f, _ in warned)
    # the split row's cost is not in any figure: the activity is not counted
    split_id = (landing / SPLIT).read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    assert split_id not in json.dumps(data["one_itu"])


def test_the_annex_lists_the_rejected_file_in_both_languages(runs: tuple[Path, list]) -> None:
    out, _ = runs
    for lang in ("en", "fr"):
        html = (out / str(YEAR) / f"strategic_plan_report_{YEAR}_{lang}.html").read_text("utf-8")
        rows = html_table(html, "table-rejected-files")
        reason = {
            "en": "row 1: columns are separated by semicolons; the contract requires commas",
            "fr": "ligne 1 : les colonnes sont séparées par des points-virgules ; le contrat "
            "exige des virgules",
        }[lang]
        assert rows == [[SEMICOLONS, reason]], lang


def test_status_names_them_too(runs: tuple[Path, list]) -> None:
    out, _ = runs
    done = oneitu("status", "--out", str(out), "--year", str(YEAR))
    assert done.returncode == 0
    assert f"  {SEMICOLONS}: rejected: row 1: columns are separated by semicolons" in done.stdout


def test_a_year_folder_named_fy2024_blocks_with_what_to_rename(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    generate_landing(root, [YEAR])
    (root / "2024").rename(root / "FY2024")
    done = oneitu(
        "run", "--landing", str(root), "--year", "2024", "--out", str(tmp_path / "out"),
        "--json-only",
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("no financial statements for 2024") == 1
    assert (
        "2024/: no financial statements for 2024: the landing zone has no folder 2024/ but has "
        "FY2024/; name it 2024/"
    ) in done.stderr


def test_the_report_states_the_configured_tolerance(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    generate_landing(root, [YEAR])
    out = tmp_path / "out"
    env = {**os.environ, "ONEITU_TOLERANCE_CHF": "5"}
    done = subprocess.run(
        [str(ONEITU), "run", "--landing", str(root), "--year", str(YEAR), "--out", str(out),
         "--no-pdf"],
        capture_output=True, text=True, timeout=600, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads((out / str(YEAR) / f"report_{YEAR}.json").read_text(encoding="utf-8"))
    assert data["tolerance_chf"] == 5.0
    for lang, stated in (("en", "CHF\u00a05.00"), ("fr", "5,00\u00a0CHF")):
        html = (out / str(YEAR) / f"strategic_plan_report_{YEAR}_{lang}.html").read_text("utf-8")
        assert html.count(stated) >= 3, lang
        assert "CHF\u00a01.00" not in html and "1,00\u00a0CHF" not in html, lang


@pytest.mark.parametrize(
    ("given", "cents"),
    [pytest.param("1.00", 100, id="default"), pytest.param("0.5", 50, id="half"),
     pytest.param(" 5 ", 500, id="padded"), pytest.param("0", 0, id="exact")],
)  # fmt: skip
def test_the_tolerance_is_held_once_in_cents(given: str, cents: int) -> None:
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    settings = Settings.from_env({"ONEITU_TOLERANCE_CHF": given, "ONEITU_LANDING": "/x"})
    assert settings.tolerance_cents == cents
    assert settings.tolerance_chf == cents / 100


@pytest.mark.parametrize("given", ["abc", "-1", "0.001", "nan", "1,5"])
def test_a_tolerance_that_is_no_amount_of_chf_is_told(tmp_path: Path, given: str) -> None:
    env = {**os.environ, "ONEITU_TOLERANCE_CHF": given}
    done = subprocess.run(
        [str(ONEITU), "run", "--landing", str(tmp_path), "--year", str(YEAR), "--out",
         str(tmp_path / "out"), "--json-only"],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip
    assert done.returncode != 0
    assert (
        f"ONEITU_TOLERANCE_CHF must be an amount of CHF such as 1.00, not {given!r}" in done.stderr
    )
    assert "Traceback" not in done.stderr
