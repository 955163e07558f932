"""Hostile text in every text field, end to end: inert in every HTML output, text (never a
formula) in the workbook, unchanged through SQL.

A landing zone whose free-text fields (statement line labels, activity titles, indicator
codes, names, sources and notes, a quarantined cell, a file name) carry HTML/JS, spreadsheet
formulas (``=``, ``+``, ``-``, ``@``) and SQL metacharacters goes through the whole
pipeline (``run_year``, without PDF); then the warehouse, ``report_<Y>.json``, both HTML
reports, the Data Docs and the annex workbook are read back. The delivery page gets the
same treatment: a hostile file name and hostile cells, then its result and status pages.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient
from reliability_support import FIRST_DELIVERY, YEAR, make_landing
from sqlalchemy import create_engine, inspect, select

from oneitu_etl import pipeline
from oneitu_etl.delivery import Caller, DeliveryConfig, create_app
from oneitu_etl.settings import Settings
from oneitu_etl.warehouse import schema as s

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
SVG = "<svg onload=alert(3)>"
SQL = "'); DROP TABLE deliveries;--"
FORMULAS = ("=cmd|' /C calc'!A0", "+1+2", "-3+4", "@SUM(A1:A9)")
#: Marks that must never reach an HTML output unescaped (escaped, they are text).
RAW_MARKS = ("<script>alert", "<img src=x", "<svg onload", "<iframe")
HOSTILE_FILE = f"{YEAR}/activities/<img src=x onerror=alert(9)> {SQL}.csv"
ACTIVITY_HEADER = (
    "activity_id,org_unit,partner_org_units,strategic_code,output_type,title,start_date,"
    "end_date,status,participants,women_participants,countries,cost_chf"
)


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _hostile_landing(root: Path) -> Path:
    landing = make_landing(root, FIRST_DELIVERY)
    perf = landing / f"{YEAR}/financial_performance.csv"
    perf.write_text(
        perf.read_text().replace("Mission expenses", _csv_cell(f"{SCRIPT} {FORMULAS[0]}")),
        encoding="utf-8",
    )
    rows = [
        # near-identical titles in two sectors: listed as a possible overlap, with titles
        f"H-1,BR,,TP-RAD,workshop,{_csv_cell(SCRIPT + ' Spectrum workshop for Africa')},2024-03-04,,completed,10,5,3,",
        f"H-2,TSB,,TP-RAD,workshop,{_csv_cell(SCRIPT + ' Spectrum workshops for Africa')},2024-03-05,,completed,10,5,3,",
        # and a pair whose titles start like formulas
        f"H-11,BR,,TP-STD,meeting,{_csv_cell(FORMULAS[0] + ' Study group plenary')},2024-06-01,,completed,,,,",
        f"H-12,TSB,,TP-STD,meeting,{_csv_cell(FORMULAS[0] + ' Study group plenaries')},2024-06-02,,completed,,,,",
        f"H-3,GS,,EN-HRI,meeting,{_csv_cell(SQL)},2024-04-01,,completed,,,,",
        f"H-4,GS,,EN-HRI,meeting,{_csv_cell(IMG)},2024-04-02,,completed,,,,",
        *(
            f"H-{5 + i},GS,,EN-HRI,publication,{_csv_cell(f)},2024-05-0{i + 1},,completed,,,,"
            for i, f in enumerate(FORMULAS)
        ),
        # quarantined: an unknown org unit, shown in the data quality annex with its value
        f"H-9,{_csv_cell(SVG)},,EN-HRI,meeting,quarantined,2024-04-03,,completed,,,,",
        f"H-10,{_csv_cell(FORMULAS[1])},,EN-HRI,meeting,x,2024-04-04,,completed,,,,",
        f"H-13,{_csv_cell(FORMULAS[3])},,EN-HRI,meeting,x,2024-04-04,,completed,,,,",
        f"H-14,GS,,EN-HRI,meeting,x,2024-04-04,,completed,{_csv_cell(FORMULAS[2])},,,",
    ]
    (landing / HOSTILE_FILE).write_text("\n".join([ACTIVITY_HEADER, *rows]) + "\n", "utf-8")
    definitions = landing / "indicator_definitions.csv"
    code = "=I-EVIL<b>"
    definitions.write_text(
        definitions.read_text()
        + ",".join(
            [
                _csv_cell(code),
                "TP-INC",
                _csv_cell(f"{SCRIPT} {SQL}"),
                _csv_cell(f"{FORMULAS[3]} {IMG}"),
                "percent",
                "increase",
                "2023",
                "10",
                "2027",
                "20",
                _csv_cell(FORMULAS[2]),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    values = landing / f"{YEAR}/indicator_values.csv"
    values.write_text(
        values.read_text()
        + f"{_csv_cell(code)},{YEAR},12,{_csv_cell(SQL)},{_csv_cell('<iframe src=javascript:alert(4)>')}\n",
        encoding="utf-8",
    )
    return landing


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    base = tmp_path_factory.mktemp("hostile_text")
    landing = _hostile_landing(base / "landing")
    settings = Settings(landing=str(landing), out=base / "out")
    result = pipeline.run_year(settings, YEAR, generated_on=dt.date(2025, 3, 1), pdf=False)
    assert result.status == "published", [e.line() for e in result.errors]
    return settings, base / "out" / str(YEAR)


class Markup(HTMLParser):
    """Every element and attribute of a document, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value) for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    return parser


def test_sql_metacharacters_round_trip_and_drop_nothing(published: tuple[Settings, Path]) -> None:
    settings, _ = published
    engine = create_engine(settings.db_url)
    try:
        assert "deliveries" in inspect(engine).get_table_names()
        with engine.connect() as conn:
            titles = {r[0] for r in conn.execute(select(s.activities.c.title))}
            paths = {r[0] for r in conn.execute(select(s.deliveries.c.path))}
            sources = {r[0] for r in conn.execute(select(s.indicator_values.c.source))}
    finally:
        engine.dispose()
    assert SQL in titles and SQL in sources
    assert HOSTILE_FILE in paths


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_html_reports_are_inert(published: tuple[Settings, Path], lang: str) -> None:
    _, year_dir = published
    html = (year_dir / f"strategic_plan_report_{YEAR}_{lang}.html").read_text("utf-8")
    markup = _parse(html)
    text = "".join(markup.text)

    assert "script" not in markup.tags and "img" not in markup.tags and "iframe" not in markup.tags
    assert [a for a in markup.attributes if a[1].lower().startswith("on")] == []
    hrefs = [v for _t, n, v in markup.attributes if n in ("href", "src") and v]
    assert not [v for v in hrefs if v.strip().lower().startswith(("javascript:", "data:text"))]
    for mark in RAW_MARKS:
        assert mark not in html, mark
    # the hostile texts are there, as text
    assert f"{SCRIPT} Spectrum workshop for Africa" in text  # a possible overlap
    assert "=I-EVIL<b>" in text  # an indicator code
    assert f"{SCRIPT} {SQL}" in text or f"{FORMULAS[3]} {IMG}" in text  # its name
    assert SVG in text  # the quarantined value
    assert HOSTILE_FILE in text  # the file name, in the deliveries annex


def test_data_docs_are_inert(published: tuple[Settings, Path]) -> None:
    _, year_dir = published
    pages = list((year_dir / "data_docs").rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text("utf-8")
        for mark in RAW_MARKS:
            assert mark not in html, (page.name, mark)


def test_workbook_cells_are_text_never_formulas(published: tuple[Settings, Path]) -> None:
    _, year_dir = published
    path = year_dir / f"annex_{YEAR}.xlsx"
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    book = openpyxl.load_workbook(path)
    leading = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    leading.append(cell)
    found = {c.value for c in leading}
    # quarantined values, an overlap's title, an indicator code: all there, as text
    assert {*FORMULAS[1:], f"{FORMULAS[0]} Study group plenary", "=I-EVIL<b>"} <= found, found
    assert all(c.data_type == "s" for c in leading), [
        (c.coordinate, c.value, c.data_type) for c in leading if c.data_type != "s"
    ]


def test_the_json_keeps_the_texts_as_they_were_delivered(published: tuple[Settings, Path]) -> None:
    import json  # noqa: PLC0415

    _, year_dir = published
    data = json.loads((year_dir / f"report_{YEAR}.json").read_text("utf-8"))
    assert data["indicators"]["=I-EVIL<b>"]["name_en"] == f"{SCRIPT} {SQL}"
    titles = {
        side["title"]
        for pair in data["one_itu"]["possible_overlaps"]
        for side in (pair["a"], pair["b"])
    }
    assert f"{SCRIPT} Spectrum workshop for Africa" in titles


# -- the delivery page ---------------------------------------------------------------------
def _authenticate(request: Request) -> Caller:
    user = request.headers.get("x-test-user")
    if not user:
        raise HTTPException(status_code=401, detail="Not authenticated")
    name, _, role = user.partition(":")
    return Caller(name=name, roles=frozenset({role}))


def test_delivery_page_shows_hostile_names_and_cells_as_text(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    settings = Settings(landing=str(landing), out=tmp_path / "out")
    app = create_app(
        settings,
        config=DeliveryConfig(csrf_secret=b"reliability-test-secret"),
        authenticate=_authenticate,
        announce=lambda caller, uri, extra: "event",
        login_url=lambda nxt: f"/login?next={nxt}",
    )
    parent = FastAPI()
    parent.mount("/oneitu", app)
    user = {"X-Test-User": f"{SVG}:op"}
    bad = (
        ACTIVITY_HEADER
        + "\n"
        + f"H-1,{_csv_cell(SVG)},,EN-HRI,meeting,{_csv_cell(SCRIPT)},2024-04-03,,completed,,,,\n"
    ).encode()
    with TestClient(parent, follow_redirects=False) as client:
        form = client.get("/oneitu/", headers=user)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        answer = client.post(
            "/oneitu/upload",
            data={"year": str(YEAR), "lang": "en", "csrf_token": token},
            headers=user,
            files={"file": (f"../../{SCRIPT}{IMG}.csv", io.BytesIO(bad), "text/csv")},
        )
        status = client.get("/oneitu/status", params={"year": YEAR}, headers=user)
    for page in (form, answer, status):
        assert page.status_code < 500, page.text
        markup = _parse(page.text)
        assert "img" not in markup.tags and "svg" not in markup.tags
        assert [a for a in markup.attributes if a[1].lower().startswith("on")] == []
        for mark in RAW_MARKS:
            assert mark not in page.text, mark
    assert SVG in "".join(_parse(answer.text).text)  # the bad cell is shown, as text
    assert not [
        p for p in landing.rglob("*") if p.is_file() and ".." in p.relative_to(landing).parts
    ]
