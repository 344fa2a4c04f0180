"""GET /api/v1/reports/VIEW (docs/api.md): the export's table as JSON, the caller's scope, session or bearer
token, and the status codes — on both backends with the hand-made campaign of tests/report_dataset.py."""
from __future__ import annotations

import pytest

from data.users import create_user, issue_token
from tests import report_dataset as rd
from tests.conftest import login

PASSWORD = "correct-horse-9"
AS_OF = rd.AS_OF.isoformat()


@pytest.fixture
def api(web_app, sessions):
    with sessions() as s:
        rd.load(s)
    tokens = {}
    with sessions.begin() as s:
        for name, role, grants in (("ada", "admin", []), ("lee", "leader", ["system:交通运输系统"]),
                                   ("uma", "unit", ["A2"]), ("nob", "leader", [])):
            tokens[name] = issue_token(s, create_user(s, name, PASSWORD, role, grants))
    return web_app, tokens


def get(client, url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


def test_drilldown_json_has_the_export_shape_and_hand_computed_rows(api):
    app, tokens = api
    r = get(app.test_client(), f"/api/v1/reports/drilldown?as_of={AS_OF}", tokens["ada"])
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) >= {"title", "filters", "as_of", "columns", "rows"}
    assert body["title"] == f"下钻 · {rd.R2}" and body["as_of"] == AS_OF and body["filters"] == {}
    assert body["columns"][:3] == ["系统", "名称", "测评数"]
    rows = {row[0]: dict(zip(body["columns"], row)) for row in body["rows"]}
    assert list(rows) == ["交通运输系统", "卫生健康系统"]
    assert rows["交通运输系统"]["测评数"] == 96  # A 24 + A1 10 + A2 12 + A21 10 + B 40
    assert rows["交通运输系统"]["综合满意率"] == pytest.approx(69 / 96)
    assert rows["卫生健康系统"]["测评数"] == 21


def test_session_cookie_works_like_a_token(api):
    app, tokens = api
    client = app.test_client()
    login(client, "ada", PASSWORD)
    by_cookie = client.get(f"/api/v1/reports/redline?as_of={AS_OF}").get_json()
    by_token = get(app.test_client(), f"/api/v1/reports/redline?as_of={AS_OF}", tokens["ada"]).get_json()
    assert by_cookie == by_token
    assert by_cookie["columns"][0] == "组织编码"


def test_a_token_does_not_open_the_pages(api):
    app, tokens = api
    client = app.test_client()
    assert get(client, "/", tokens["ada"]).status_code == 302
    assert client.post("/_dash-update-component", json={},
                       headers={"Authorization": f"Bearer {tokens['ada']}"}).status_code == 401


def test_scope_is_applied_to_what_the_api_returns(api):
    app, tokens = api
    client = app.test_client()
    lee = get(client, f"/api/v1/reports/drilldown?as_of={AS_OF}", tokens["lee"]).get_json()
    assert [row[0] for row in lee["rows"]] == ["交通运输系统"]
    uma = get(client, f"/api/v1/reports/drilldown?as_of={AS_OF}", tokens["uma"]).get_json()
    assert [(row[0], row[2]) for row in uma["rows"]] == [("交通运输系统", 22)]  # A2 12 + A21 10 only
    children = get(client, f"/api/v1/reports/drilldown?org=A2&as_of={AS_OF}", tokens["uma"]).get_json()
    assert [(row[0], row[2]) for row in children["rows"]] == [("A21", 10)]
    nob = get(client, f"/api/v1/reports/drilldown?as_of={AS_OF}", tokens["nob"]).get_json()
    assert nob["rows"] == []  # deny by default: a user with no scope sees nothing


@pytest.mark.parametrize("user,url,status", [
    ("uma", "/api/v1/reports/drilldown?org=A", 403),  # the parent of its own org
    ("lee", "/api/v1/reports/drilldown?org=C", 403),  # another system's org
    ("ada", "/api/v1/reports/drilldown?org=NOPE", 404),
    ("ada", "/api/v1/reports/drilldown?round=不存在的批次", 404),
    ("ada", "/api/v1/reports/drilldown?system=不存在系统", 404),
    ("ada", "/api/v1/reports/no-such-view", 404),
    ("ada", "/api/v1/reports/drilldown?as_of=2024-02-30", 400),
    ("ada", "/api/v1/reports/drilldown?as_of=yesterday", 400),
])
def test_status_codes(api, user, url, status):
    app, tokens = api
    r = get(app.test_client(), url, tokens[user])
    assert r.status_code == status
    assert r.get_json()["error"]


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic YWRhOnB3"])
def test_bad_credentials_get_401(api, header):
    app, _ = api
    r = app.test_client().get("/api/v1/reports/drilldown", headers={"Authorization": header})
    assert r.status_code == 401


def test_every_view_of_the_cli_is_served(api):
    from domain.tables import VIEWS

    app, tokens = api
    client = app.test_client()
    for view in VIEWS:
        org = "&org=A" if view == "profile" else ""  # the profile is of one org (an admin names it)
        r = get(client, f"/api/v1/reports/{view}?as_of={AS_OF}{org}", tokens["ada"])
        assert r.status_code == 200, (view, r.get_json())
        assert r.get_json()["columns"], view


def test_brief_is_a_word_file_in_the_callers_scope_and_is_audited(api, sessions):
    import io

    from docx import Document

    from data.audit import recent

    app, tokens = api
    client = app.test_client()
    r = get(client, f"/api/v1/brief?round={rd.R2}&as_of={AS_OF}&system=交通运输系统", tokens["lee"])
    assert r.status_code == 200
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in r.headers["Content-Disposition"] and ".docx" in r.headers["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(r.data)).paragraphs)
    assert "范围：交通运输系统" in text and "（N=96）" in text  # A 24 + A1 10 + A2 12 + A21 10 + B 40
    with sessions() as s:
        assert any("情况通报" in e.detail and e.username == "lee" for e in recent(s, "export"))
    # 403 outside the scope, 404 unknown, 400 malformed: the same answers as the report views.
    cases = [("uma", "system=卫生健康系统", 403), ("lee", "group=第一督导组", 403), ("ada", "system=无此系统", 404),
             ("ada", "group=无此组", 404), ("ada", "round=无此批次", 404), ("ada", "as_of=2024-13-01", 400),
             ("ada", "system=交通运输系统&org=A", 400)]
    for user, query, status in cases:
        answer = get(client, f"/api/v1/brief?{query}", tokens[user])
        assert answer.status_code == status, (user, query, answer.get_data(as_text=True))
        assert answer.get_json()["error"]
    assert get(client, "/api/v1/brief").status_code in (302, 401)  # no login, no brief
