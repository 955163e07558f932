"""The delivery page through the real plugin in a real ``airflow api-server``.

Airflow's own authentication (the simple auth manager's JWT in the ``_token`` cookie),
the role check, the limits, and the asset event recorded by Airflow's REST API.
"""

from __future__ import annotations

import re

import httpx
import pytest
from delivery_support import SERVER_MAX_UPLOAD, TOKEN, AirflowApi, table_rows

pytestmark = [pytest.mark.airflow, pytest.mark.integration]

BUDGET_CSV = b"org_unit,approved_budget_chf,final_budget_chf,actual_chf\nBR,10.00,10.00,9.00\n"


def form_token(client: httpx.Client) -> str:
    page = client.get("/oneitu/")
    assert page.status_code == 200, page.text
    return TOKEN.search(page.text).group(1)


def post(
    client: httpx.Client,
    data: bytes,
    name: str,
    *,
    token: str | None,
    year: int = 2024,
    lang: str = "en",
) -> httpx.Response:
    fields = {"year": str(year), "lang": lang}
    if token is not None:
        fields["csrf_token"] = token
    return client.post("/oneitu/upload", data=fields, files={"file": (name, data)})


def test_plugin_is_registered_with_airflow(airflow_api: AirflowApi) -> None:
    with airflow_api.client("viewer") as client:
        plugins = client.get("/api/v2/plugins").json()["plugins"]
    [plugin] = [p for p in plugins if p["name"] == "oneitu_delivery"]
    assert plugin["fastapi_apps"][0]["url_prefix"] == "/oneitu"
    assert [v["href"] for v in plugin["external_views"]] == ["oneitu/", "oneitu/data_docs"]


@pytest.mark.parametrize("user", [pytest.param("finance", id="signed-in"), None])
def test_the_page_without_its_slash_redirects_to_it(
    airflow_api: AirflowApi, user: str | None
) -> None:
    with airflow_api.client(user) as client:
        answer = client.get("/oneitu", params={"lang": "fr"})
        assert answer.status_code == 308
        assert answer.headers["location"] == "/oneitu/?lang=fr"
        followed = client.get("/oneitu", follow_redirects=True)
    if user:
        assert followed.status_code == 200 and 'type="file"' in followed.text
    else:
        assert "/auth/login" in str(followed.url)


def test_the_menu_opens_the_newest_data_docs(airflow_api: AirflowApi) -> None:
    docs = airflow_api.out / "2021" / "data_docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.html").write_text("<html>One ITU expectation suites</html>")
    with airflow_api.client("viewer") as client:
        answer = client.get("/oneitu/data_docs", follow_redirects=True)
    assert answer.status_code == 200, answer.text
    assert str(answer.url).endswith("/oneitu/reports/2021/data_docs/index.html")
    assert answer.text == "<html>One ITU expectation suites</html>"


def test_unauthenticated_requests_are_refused(airflow_api: AirflowApi) -> None:
    before = airflow_api.landed()
    with airflow_api.client() as anonymous:
        page = anonymous.get("/oneitu/status")
        assert page.status_code == 303
        assert page.headers["location"].startswith("/auth/login?next=")
        assert post(anonymous, BUDGET_CSV, "b.csv", token="x.y").status_code == 401
        anonymous.cookies.set("_token", "not-a-jwt")
        assert post(anonymous, BUDGET_CSV, "b.csv", token="x.y").status_code == 401
        assert anonymous.get("/oneitu/reports/2024/report_2024.json").status_code == 303
    assert airflow_api.landed() == before


def test_viewer_role_may_not_upload(airflow_api: AirflowApi) -> None:
    before = airflow_api.landed()
    with airflow_api.client("viewer") as viewer:
        page = viewer.get("/oneitu/")
        assert page.status_code == 403 and 'id="role-denied"' in page.text
        token = TOKEN.search(page.text)
        answer = post(viewer, BUDGET_CSV, "b.csv", token=token.group(1) if token else "a.b")
        assert answer.status_code == 403
        assert viewer.get("/oneitu/status").status_code == 200
    assert airflow_api.landed() == before


def test_missing_csrf_token_is_refused(airflow_api: AirflowApi) -> None:
    before = airflow_api.landed()
    with airflow_api.client("finance") as client:
        form_token(client)
        assert post(client, BUDGET_CSV, "b.csv", token=None).status_code == 403
    assert airflow_api.landed() == before


def test_oversize_upload_is_refused(airflow_api: AirflowApi) -> None:
    before = airflow_api.landed()
    big = BUDGET_CSV + b"BR,10.00,10.00,9.00\n" * (SERVER_MAX_UPLOAD // 20 + 10)
    with airflow_api.client("finance") as client:
        answer = post(client, big, "b.csv", token=form_token(client))
    assert answer.status_code == 413
    assert "the limit is 97.7 KB" in answer.text
    assert airflow_api.landed() == before


def test_binary_named_csv_is_refused(airflow_api: AirflowApi) -> None:
    before = airflow_api.landed()
    with airflow_api.client("finance") as client:
        answer = post(
            client, bytes(range(256)) * 8, "budget_comparison.csv", token=form_token(client)
        )
    assert answer.status_code == 415
    assert "not a workbook or a text CSV file" in answer.text
    assert airflow_api.landed() == before


def test_valid_upload_lands_is_listed_and_schedules_the_report(
    airflow_api: AirflowApi, good_workbook: bytes
) -> None:
    with airflow_api.client("finance") as client:
        answer = post(client, good_workbook, "../../../etc/cron.d/x.xlsx", token=form_token(client))
        assert answer.status_code == 200, answer.text
        assert 'data-outcome="delivered"' in answer.text
        assert "The report for 2024 has been requested" in answer.text
        status = client.get("/oneitu/status", params={"year": 2024})
        events = client.get("/api/v2/assets/events", params={"limit": 10}).json()
        queued = client.get("/api/v2/dags/oneitu_annual_report/assets/queuedEvents").json()
    assert "2024/financial_statements.xlsx" in airflow_api.landed()
    assert not [p for p in airflow_api.landed() if re.search(r"(^|/)\.", p)]  # no temporary
    assert (
        airflow_api.landing / "2024" / "financial_statements.xlsx"
    ).read_bytes() == good_workbook
    rows = table_rows(status.text, "uploads")
    assert [r[1:4] + r[5:7] for r in rows if r[3] == "2024/financial_statements.xlsx"] == [
        ["finance", "x.xlsx", "2024/financial_statements.xlsx", "delivered", "requested"]
    ]
    [event] = [
        e
        for e in events["asset_events"]
        if e["extra"].get("path") == "2024/financial_statements.xlsx"
    ]
    assert event["uri"] == "oneitu://landing/finance"
    assert (event["extra"]["years"], event["extra"]["uploaded_by"]) == ([2024], "finance")
    # the report DAG is scheduled on that asset: Airflow has queued its next run
    assert [(q["dag_id"], q["asset_id"]) for q in queued["queued_events"]] == [
        ("oneitu_annual_report", event["asset_id"])
    ]
