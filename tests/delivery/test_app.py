"""The delivery page over HTTP (package app, fake Airflow parts): safety and delivery."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest
from delivery_support import SECRET, Site, fake_authenticate, table_rows
from sqlalchemy import create_engine, select

from oneitu_etl.delivery import DeliveryConfig, create_app, csrf
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import schema as s

#: A valid budget_comparison.csv on its own (no other statement file to reconcile with).
BUDGET_CSV = b"org_unit,approved_budget_chf,final_budget_chf,actual_chf\nBR,10.00,10.00,9.00\n"


def uploads(site: Site) -> list[dict]:
    engine = create_engine(site.settings.db_url)
    with engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(select(s.uploads).order_by(s.uploads.c.id))]
    engine.dispose()
    return rows


# -- authentication and roles -----------------------------------------------------------
def test_unauthenticated_page_redirects_to_sign_in(site: Site) -> None:
    answer = site.client.get("/oneitu/status")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/auth/login?next=http://testserver/oneitu/status"


def test_unauthenticated_upload_is_refused_and_nothing_lands(
    site: Site, good_workbook: bytes
) -> None:
    token = site.token("finance:op")
    answer = site.upload(good_workbook, "financial_statements.xlsx", user=None, token=token)
    assert answer.status_code == 401
    assert "not signed in" in answer.text
    assert site.landed() == []
    assert site.announcer.calls == []


def test_viewer_may_look_but_not_upload(site: Site, good_workbook: bytes) -> None:
    page = site.client.get("/oneitu/", headers={"X-Test-User": "vera:viewer"})
    assert page.status_code == 403
    assert 'id="role-denied"' in page.text and "roles: admin, op." in page.text
    assert 'type="file"' not in page.text
    answer = site.upload(
        good_workbook,
        "financial_statements.xlsx",
        user="vera:viewer",
        token=csrf.form_token(SECRET, "vera", "n" * 20),
    )
    assert answer.status_code == 403
    assert site.landed() == []
    assert (
        site.client.get("/oneitu/status", headers={"X-Test-User": "vera:viewer"}).status_code == 200
    )


def test_roles_are_configurable(make_site, good_workbook: bytes) -> None:  # noqa: ANN001
    site = make_site(upload_roles=frozenset({"Finance"}))
    assert site.upload(good_workbook, "x.xlsx", user="fin:finance").status_code == 200
    page = site.client.get("/oneitu/", headers={"X-Test-User": "olga:op"})
    assert page.status_code == 403


# -- CSRF ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("forged.0000", id="forged"),
        pytest.param(csrf.form_token(SECRET, "mallory", "n" * 43), id="another-users-token"),
    ],
)
def test_upload_without_a_valid_csrf_token_is_refused(
    site: Site, good_workbook: bytes, token: str | None
) -> None:
    site.token("finance:op")  # the cookie is set; the form token is not the right one
    answer = site.upload(good_workbook, "financial_statements.xlsx", token=token)
    assert answer.status_code == 403
    assert "form has expired" in answer.text
    assert site.landed() == []


def test_csrf_token_without_its_cookie_is_refused(site: Site, good_workbook: bytes) -> None:
    token = site.token("finance:op")
    site.client.cookies.clear()
    answer = site.upload(good_workbook, "financial_statements.xlsx", token=token)
    assert answer.status_code == 403
    assert site.landed() == []


def test_csrf_cookie_is_http_only_and_same_site_strict(site: Site) -> None:
    page = site.client.get("/oneitu/", headers={"X-Test-User": "finance:op"})
    cookie = next(
        v for k, v in page.headers.multi_items() if k == "set-cookie" and v.startswith(csrf.COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/oneitu" in cookie
    assert 'action="http://testserver/oneitu/upload"' in page.text  # where it is mounted


# -- delivering ---------------------------------------------------------------------------
def test_valid_workbook_lands_atomically_is_recorded_and_announced(
    site: Site, good_workbook: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        renames.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr("oneitu_etl.fileio.os.replace", replace)
    answer = site.upload(good_workbook, "FS final v3 (2).xlsx")
    assert answer.status_code == 200, answer.text
    assert 'data-outcome="delivered"' in answer.text
    target = site.landing / "2024" / "financial_statements.xlsx"
    assert target.read_bytes() == good_workbook
    assert site.landed() == ["2024/financial_statements.xlsx"]  # no temporary left behind
    [(src, dst)] = renames
    assert Path(dst) == target
    assert Path(src).parent == target.parent and Path(src).name.startswith(".")
    assert site.announcer.calls == [
        (
            "finance",
            "oneitu://landing/finance",
            {
                "source": "finance",
                "years": [2024],
                "path": "2024/financial_statements.xlsx",
                "sha256": uploads(site)[0]["sha256"],
                "uploaded_by": "finance",
                "upload_id": 1,
            },
        )
    ]
    [row] = uploads(site)
    assert (row["uploaded_by"], row["outcome"], row["path"], row["client_name"], row["event"]) == (
        "finance",
        "delivered",
        "2024/financial_statements.xlsx",
        "FS final v3 (2).xlsx",
        "emitted",
    )
    status = site.client.get("/oneitu/status?year=2024", headers={"X-Test-User": "finance:op"})
    [listed] = table_rows(status.text, "uploads")
    assert listed[1:4] == ["finance", "FS final v3 (2).xlsx", "2024/financial_statements.xlsx"]
    assert listed[5:] == ["delivered", "requested", "waiting to be loaded"]


def test_same_file_again_changes_nothing(site: Site, good_workbook: bytes) -> None:
    site.upload(good_workbook, "a.xlsx")
    answer = site.upload(good_workbook, "b.xlsx")
    assert 'data-outcome="unchanged"' in answer.text
    assert len(site.announcer.calls) == 1
    assert [u["outcome"] for u in uploads(site)] == ["delivered", "unchanged"]


def test_bad_workbook_shows_every_problem_and_is_not_delivered(
    site: Site, bad_workbook: bytes
) -> None:
    answer = site.upload(bad_workbook, "financial_statements.xlsx")
    assert answer.status_code == 422
    assert 'data-outcome="rejected"' in answer.text
    rows = table_rows(answer.text, "issues")
    assert [
        "budget_comparison",
        "3",
        "actual_chf",
        "-5",
        "-5.00 is negative; amounts must be >= 0",
        "error",
    ] in rows
    assert [
        "budget_comparison",
        "4",
        "approved_budget_chf",
        "abc",
        '"abc" is not a number; expected an amount in CHF such as 1234.56',
        "error",
    ] in rows
    assert site.landed() == []
    assert site.announcer.calls == []
    assert [(u["outcome"], u["errors"]) for u in uploads(site)] == [("rejected", len(rows))]


def test_problems_are_shown_in_french_when_chosen(site: Site, bad_workbook: bytes) -> None:
    answer = site.upload(bad_workbook, "financial_statements.xlsx", lang="fr")
    assert '<html lang="fr" dir="ltr">' in answer.text
    assert "Non livré\u00a0: " in answer.text
    assert 'href="http://testserver/oneitu/?lang=en" lang="en"' in answer.text  # not the POST
    rows = table_rows(answer.text, "issues")
    assert [
        "budget_comparison",
        "3",
        "actual_chf",
        "-5",
        "-5.00 est négatif ; les montants doivent être >= 0",
        "erreur",
    ] in rows


def test_path_traversal_file_name_is_harmless(site: Site, tmp_path: Path) -> None:
    data = BUDGET_CSV
    for name in ("../../../../tmp/evil.csv", "..\\..\\evil.csv", "/etc/passwd", "2024/../../x.csv"):
        site.upload(data, name)
    assert site.landed() == ["2024/budget_comparison.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing", "out"]
    assert {u["client_name"] for u in uploads(site)} == {"evil.csv", "passwd", "x.csv"}
    assert {u["path"] for u in uploads(site)} == {"2024/budget_comparison.csv"}


def test_activities_get_a_generated_name(site: Site) -> None:
    data = (
        b"activity_id,org_unit,strategic_code,output_type,title,start_date,status\n"
        b"BR-1,BR,TP-RAD,meeting,WP 1A,2024-03-01,completed\n"
    )
    answer = site.upload(data, "../../my activities.csv")
    assert answer.status_code == 200, answer.text
    assert site.landed() == ["2024/activities/activities_BR.csv"]
    assert site.announcer.calls[0][1] == "oneitu://landing/sectors"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        pytest.param(
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
            "statements.csv",
            "PNG image",
            id="png-named-csv",
        ),
        pytest.param(
            bytes(range(1, 256)) * 8,
            "budget_comparison.csv",
            "binary data of an unknown kind (it starts with the bytes 01 02 03 04 05 06 07 08)",
            id="random-bytes-named-csv",
        ),
        pytest.param(
            bytes(range(1, 256)) * 8,
            "financial_statements.xlsx",
            "binary data of an unknown kind",
            id="random-bytes-named-xlsx",
        ),
        pytest.param(_docx(), "financial_statements.xlsx", "a Word document (.docx)", id="docx"),
        pytest.param(
            _zip({"notes.txt": b"x", "budget.csv": b"y"}),
            "financial_statements.xlsx",
            "a ZIP archive that is not a workbook (it holds notes.txt, budget.csv)",
            id="zip-of-other-files",
        ),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(504)
            + "EncryptedPackage".encode("utf-16-le"),
            "financial_statements.xlsx",
            "protected by a password",
            id="password-protected",
        ),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "x.xlsx", "PDF", id="pdf-named-xlsx"),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "fs.xls", "97-2003", id="old-xls"
        ),
        pytest.param("line_code\x00,x\n".encode("utf-16"), "a.csv", "UTF-16", id="utf16"),
        pytest.param(b"", "a.csv", "empty", id="empty"),
    ],
)
def test_files_that_are_not_xlsx_or_csv_by_content_are_refused(
    site: Site, data: bytes, name: str, reason: str
) -> None:
    answer = site.upload(data, name)
    assert answer.status_code in (400, 415), answer.text
    assert reason in answer.text
    assert site.landed() == []


def test_csv_named_xlsx_is_judged_by_content(site: Site) -> None:
    data = BUDGET_CSV
    site.upload(data, "financial_statements.xlsx")
    assert site.landed() == ["2024/budget_comparison.csv"]


def test_unknown_table_is_refused_with_its_header(site: Site) -> None:
    answer = site.upload(b"name,email\nalice,a@example.org\n", "financial_performance.csv")
    assert answer.status_code == 422
    assert "(email, name) matches none" in answer.text
    assert site.landed() == []


# -- limits -----------------------------------------------------------------------------
def test_oversize_upload_is_refused_with_the_limit(make_site, good_workbook: bytes) -> None:  # noqa: ANN001
    site = make_site(max_upload_bytes=1000)
    answer = site.upload(good_workbook, "financial_statements.xlsx")
    assert answer.status_code == 413
    assert "the file is too large: the limit is 1000 bytes" in answer.text
    assert site.landed() == []
    assert site.announcer.calls == []


def test_file_just_above_the_limit_is_refused(make_site) -> None:  # noqa: ANN001
    site = make_site(max_upload_bytes=100)
    data = b"line_code,line_label,line_type,amount_chf\n" + b"REV_OTHER,x,revenue,1.00\n" * 3
    assert 100 < len(data) < 200
    answer = site.upload(data, "a.csv", lang="fr")
    assert answer.status_code == 413
    assert "trop volumineux\u00a0: la limite est de 100 octets" in answer.text
    assert [u["outcome"] for u in uploads(site)] == ["refused"]


def test_bad_year_is_refused(site: Site, good_workbook: bytes) -> None:
    for year in ("1999", "2024/../..", ""):
        assert site.upload(good_workbook, "a.xlsx", year=year).status_code == 400
    assert site.landed() == []


@pytest.mark.parametrize(
    ("attempt", "status", "expected"),
    [
        pytest.param(
            {"user": "vera:viewer", "token": csrf.form_token(SECRET, "vera", "n" * 20)},
            403,
            ("vera", None, "role_denied: Your account (vera, role viewer) may view deliveries"),
            id="a-viewer",
        ),
        pytest.param(
            {"data": b"x" * 200_000},
            413,
            ("finance", None, "too_large: the file is too large: the limit is 1000 bytes."),
            id="too-large",
        ),
        pytest.param(
            {"token": "expired"},
            403,
            ("finance", 2024, "csrf: the form has expired or did not come from this page."),
            id="expired-form",
        ),
        pytest.param(
            {"year": "1999"},
            400,
            ("finance", None, "bad_year: 1999 is not a year this page accepts."),
            id="bad-year",
        ),
        pytest.param(
            {"data": b"", "filename": ""},
            400,
            ("finance", 2024, "no_file: no file was chosen."),
            id="no-file",
        ),
    ],
)
def test_every_refused_upload_is_recorded_with_its_reason(
    make_site,  # noqa: ANN001
    good_workbook: bytes,
    attempt: dict,
    status: int,
    expected: tuple[str, int | None, str],
) -> None:
    site = make_site(max_upload_bytes=1000)
    attempt = {"data": good_workbook, "filename": "statements.xlsx", **attempt}
    answer = site.upload(attempt.pop("data"), attempt.pop("filename"), **attempt)
    assert answer.status_code == status
    rows = uploads(site)
    assert [(r["uploaded_by"], r["year"], r["outcome"]) for r in rows] == [
        (*expected[:2], "refused")
    ]
    assert rows[0]["message"].startswith(expected[2]), rows[0]["message"]
    assert site.landed() == []
    page = site.client.get("/oneitu/status?year=2024", headers={"X-Test-User": "finance:op"})
    shown = [row[5] for row in table_rows(page.text, "uploads")]
    if expected[1] is None:  # no year known: in the table, on no year's page
        assert shown == []
    else:
        assert len(shown) == 1 and shown[0].startswith(f"refused: {expected[2].partition(': ')[2]}")


# -- the status page ----------------------------------------------------------------------
def test_status_links_the_published_report_and_serves_only_report_files(site: Site) -> None:
    year_dir = site.out / "2024"
    year_dir.mkdir(parents=True)
    (year_dir / "report_2024.json").write_text(
        '{"year": 2024, "status": "published", "errors": [], "generated_on": "2026-11-29"}'
    )
    (year_dir / "strategic_plan_report_2024_en.html").write_text("<html>report</html>")
    (site.out / "secret.txt").write_text("no")
    headers = {"X-Test-User": "vera:viewer"}
    page = site.client.get("/oneitu/status?year=2024", headers=headers)
    assert 'data-status="published"' in page.text
    assert (
        'href="http://testserver/oneitu/reports/2024/strategic_plan_report_2024_en.html"'
        in page.text
    )
    report = site.client.get(
        "/oneitu/reports/2024/strategic_plan_report_2024_en.html", headers=headers
    )
    assert report.status_code == 200 and report.text == "<html>report</html>"
    for name in ("..%2Fsecret.txt", "secret.txt", "strategic_plan_report_2024_de.html"):
        assert site.client.get(f"/oneitu/reports/2024/{name}", headers=headers).status_code == 404
    assert site.client.get("/oneitu/reports/2024/report_2024.json").status_code == 303


def _publish_fake_report(out: Path, year: int = 2024) -> Path:
    year_dir = out / str(year)
    (year_dir / "data_docs" / "expectations").mkdir(parents=True)
    (year_dir / f"report_{year}.json").write_text(
        f'{{"year": {year}, "status": "published", "errors": [], "generated_on": "2026-11-29"}}'
    )
    (year_dir / f"strategic_plan_report_{year}_en.html").write_text(
        '<html><a href="data_docs/index.html">Data Docs</a></html>'
    )
    (year_dir / "data_docs" / "index.html").write_text("<html>suites</html>")
    (year_dir / "data_docs" / "expectations" / "activities.html").write_text("<html>a</html>")
    (year_dir / "data_docs" / ".hidden").write_text("no")
    (out / "secret.txt").write_text("no")
    return year_dir


def test_data_docs_are_served_beside_the_report_behind_the_sign_in(site: Site) -> None:
    year_dir = _publish_fake_report(site.out)
    headers = {"X-Test-User": "vera:viewer"}
    page = site.client.get("/oneitu/status?year=2024", headers=headers)
    docs = 'href="http://testserver/oneitu/reports/2024/data_docs/index.html" target="_top"'
    assert 'id="data-docs"' in page.text and docs in page.text
    # the report's own link is relative: it resolves on disk and through the page alike
    report_url = "http://testserver/oneitu/reports/2024/strategic_plan_report_2024_en.html"
    report = site.client.get(report_url, headers=headers).text
    link = re.search(r'href="([^"]+)"', report).group(1)  # type: ignore[union-attr]
    assert (year_dir / link).is_file()
    served = site.client.get(urljoin(report_url, link), headers=headers)
    assert served.status_code == 200 and served.text == "<html>suites</html>"
    assert served.headers["content-security-policy"].startswith("default-src 'self'")
    assert (
        site.client.get(
            "/oneitu/reports/2024/data_docs/expectations/activities.html", headers=headers
        ).text
        == "<html>a</html>"
    )
    for path in (
        "..%2F..%2Fsecret.txt",
        "../../secret.txt",
        ".hidden",
        "expectations",
        "nope.html",
    ):
        answer = site.client.get(f"/oneitu/reports/2024/data_docs/{path}", headers=headers)
        assert answer.status_code == 404, path
    assert site.client.get("/oneitu/reports/2024/data_docs/index.html").status_code == 303
    # the Airflow menu's entry: the newest year that has Data Docs
    latest = site.client.get("/oneitu/data_docs", headers=headers)
    assert latest.status_code == 303
    assert (
        latest.headers["location"] == "http://testserver/oneitu/reports/2024/data_docs/index.html"
    )
    assert site.client.get("/oneitu/data_docs?year=2023", headers=headers).status_code == 404


def test_links_that_leave_the_page_open_in_the_top_window(tmp_path: Path) -> None:
    """Airflow shows the page in an iframe: Airflow and the reports must not open inside it."""
    from fastapi import FastAPI  # noqa: PLC0415
    from fastapi.testclient import TestClient  # noqa: PLC0415

    out = tmp_path / "out"
    _publish_fake_report(out)
    (tmp_path / "landing").mkdir()
    app = create_app(
        Settings(landing=str(tmp_path / "landing"), out=out),
        config=DeliveryConfig(csrf_secret=SECRET),
        authenticate=fake_authenticate,
        report_run=lambda caller, dag: {
            "state": "success",
            "run_id": "asset_triggered__1",
            "when": "2026-11-29 10:00",
            "url": "/dags/oneitu_annual_report/runs/asset_triggered__1",
        },
        airflow_url="/",
    )
    parent = FastAPI()
    parent.mount("/oneitu", app)
    with TestClient(parent) as client:
        page = client.get("/oneitu/status?year=2024", headers={"X-Test-User": "finance:op"})
    links = re.findall(r"<a ([^>]*)>", page.text)
    leaving = [a for a in links if "/oneitu/status" not in a and "/oneitu/?" not in a]
    hrefs = [re.search(r'href="([^"]+)"', a).group(1) for a in leaving]  # type: ignore[union-attr]
    assert "/" in hrefs and "/dags/oneitu_annual_report/runs/asset_triggered__1" in hrefs
    assert any(h.endswith("strategic_plan_report_2024_en.html") for h in hrefs)
    assert any(h.endswith("data_docs/index.html") for h in hrefs)
    assert [a for a in leaving if 'target="_top"' not in a] == []
    # Airflow's iframe is sandboxed without allow-top-navigation: the page's script hands
    # such clicks to the top window (tests/delivery/test_browser.py clicks them for real)
    assert '<script src="http://testserver/oneitu/static/top.js" defer></script>' in page.text
    with TestClient(parent) as client:
        script = client.get("/oneitu/static/top.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert 'a[target="_top"]' in script.text


def test_failed_announcement_still_delivers_and_says_so(site: Site, good_workbook: bytes) -> None:
    site.announcer.fail = True
    answer = site.upload(good_workbook, "x.xlsx")
    assert answer.status_code == 200
    assert "could not be requested (Airflow is down)" in answer.text
    assert site.landed() == ["2024/financial_statements.xlsx"]
    assert [(u["event"], u["message"]) for u in uploads(site)] == [("failed", "Airflow is down")]


def test_the_delivery_made_of_an_upload_names_its_uploader(
    site: Site, good_workbook: bytes
) -> None:
    from oneitu_etl.pipeline import ingest  # noqa: PLC0415

    site.upload(good_workbook, "statements.xlsx", user="finance:op")
    ingest(site.settings, 2024, sources=frozenset({"finance"}))
    engine = create_engine(site.settings.db_url)
    with engine.connect() as conn:
        rows = conn.execute(select(s.deliveries.c.path, s.deliveries.c.uploaded_by)).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("2024/financial_statements.xlsx", "finance")]


def test_the_apps_engine_is_made_on_first_use_and_disposed_of_when_it_stops(
    tmp_path: Path,
) -> None:
    """One engine for every request, made by the first one that needs it; the app's
    lifespan disposes of it when the server stops it (and, where a server runs no lifespan
    for a mounted app, as Airflow's does not, the process's exit)."""
    from delivery_support import Announcer  # noqa: PLC0415
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from oneitu_etl.delivery import DeliveryConfig, create_app  # noqa: PLC0415
    from oneitu_etl.settings import Settings  # noqa: PLC0415

    (tmp_path / "landing").mkdir()
    app = create_app(
        Settings(landing=str(tmp_path / "landing"), out=tmp_path / "out"),
        config=DeliveryConfig(csrf_secret=SECRET),
        authenticate=fake_authenticate,
        announce=Announcer(),
        login_url=lambda nxt: f"/auth/login?next={nxt}",
    )
    runtime = app.state.runtime
    with TestClient(app) as client:
        assert not runtime.open
        page = client.get("/status?year=2024", headers={"X-Test-User": "finance:op"})
        assert page.status_code == 200
        assert runtime.open
        engine = runtime.engine
        assert client.get("/status?year=2024", headers={"X-Test-User": "finance:op"}).is_success
        assert runtime.engine is engine  # one engine for every request
    assert not runtime.open
    runtime.close()  # a second close (at exit) is harmless
