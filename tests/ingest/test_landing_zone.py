"""The landing zone through Airflow's ObjectStoragePath: a ``file://`` root configured in
the environment loads exactly what the plain folder loads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ingest_support import YEAR, Zone, deliver_all, make_zone

from oneitu_etl import pipeline
from oneitu_etl.settings import Settings
from oneitu_etl.sources.landing import LocalLanding, ObjectStorageLanding, open_landing
from oneitu_etl.warehouse import schema as s


def _everything(zone: Zone) -> dict[str, list[tuple]]:
    return {
        "deliveries": zone.all(
            s.deliveries,
            "path",
            "kind",
            "sha256",
            "size_bytes",
            "encoding",
            "outcome",
            "rows_loaded",
            "rows_quarantined",
        ),
        "activities": zone.all(s.activities, "row_number", "activity_id", "title", "participants"),
        "performance": zone.all(s.fs_performance, "line_code", "amount_cents"),
        "definitions": zone.all(s.indicator_definitions, "indicator_code", "target_value"),
        "values": zone.all(s.indicator_values, "indicator_code", "year", "value"),
        "issues": zone.all(s.delivery_issues, "file", "row_number", "message", "quarantined"),
    }


def test_a_file_url_root_loads_the_same_rows_as_the_plain_path(tmp_path: Path) -> None:
    plain = make_zone(tmp_path / "plain")
    deliver_all(plain)
    plain.put_fixture(
        f"{YEAR}/activities/bad.csv", f"sectors/{YEAR}/activities/activities_bad_rows.csv"
    )
    url = make_zone(tmp_path / "url")
    url.root.rmdir()
    url.root = plain.root  # the same files, read through a file:// URL
    settings = Settings.from_env(
        {
            "ONEITU_LANDING": plain.root.as_uri(),
            "ONEITU_OUT": str(url.out),
            "ONEITU_DB_URL": url.db_url,
        }
    )
    assert settings.landing.startswith("file:///")
    assert isinstance(open_landing(settings.landing), ObjectStorageLanding)

    plain.ingest()
    result = pipeline.ingest(settings, YEAR)

    assert result.blocking == []
    expected = _everything(plain)
    assert len(expected["activities"]) == 7 and len(expected["deliveries"]) == 8
    assert _everything(url) == expected
    plain.dispose()
    url.dispose()


def test_the_connection_id_comes_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_ONEITU_LANDING", '{"conn_type": "fs"}')
    settings = Settings.from_env(
        {"ONEITU_LANDING": tmp_path.as_uri(), "ONEITU_LANDING_CONN_ID": "oneitu_landing"}
    )
    landing = open_landing(settings.landing, settings.landing_conn_id)
    assert isinstance(landing, ObjectStorageLanding)
    assert landing.root.conn_id == "oneitu_landing" and landing.root.protocol == "file"
    assert landing.exists()
    assert isinstance(open_landing(str(tmp_path)), LocalLanding)


@pytest.mark.parametrize("as_url", [False, True], ids=["local", "file-url"])
def test_hidden_files_and_folders_are_not_deliveries(tmp_path: Path, as_url: bool) -> None:
    for rel in (
        f"{YEAR}/activities/a.csv",
        f"{YEAR}/activities/.a.csv.part",
        f"{YEAR}/.uploads/activities/b.csv",
        f"{YEAR}/activities/sub/c.csv",
        "indicator_definitions.csv",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    landing = open_landing(tmp_path.as_uri() if as_url else str(tmp_path))

    assert landing.year_files(YEAR) == [f"{YEAR}/activities/a.csv", f"{YEAR}/activities/sub/c.csv"]
    assert landing.year_files(YEAR + 1) == []
    assert landing.has("indicator_definitions.csv") and not landing.has("nothing.csv")
    assert landing.read_bytes(f"{YEAR}/activities/sub/c.csv") == b"x"


def test_a_missing_root_is_a_usage_error(tmp_path: Path) -> None:
    for root in (str(tmp_path / "nowhere"), (tmp_path / "nowhere").as_uri()):
        settings = Settings(landing=root, out=tmp_path / "out")
        with pytest.raises(pipeline.UsageError, match="landing zone not found or not readable"):
            pipeline.ingest(settings, YEAR)


def test_the_package_does_not_import_airflow_for_a_local_landing_zone() -> None:
    code = (
        "import sys\n"
        "import oneitu_etl.pipeline, oneitu_etl.ingest, oneitu_etl.sources.landing\n"
        "from oneitu_etl.sources.landing import open_landing\n"
        "open_landing('.')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'airflow'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
