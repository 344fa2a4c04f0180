"""The leak matrix (docs/roles.md): for every role, every server-side Dash callback (from the app's own dependency
map), every API view and the pages, requests that name orgs, systems, regions and groups outside the
caller's scope. No response may carry a secret name, code or figure the caller did not send itself, and
nothing answers 500. Both backends."""
from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import unquote_plus

import pytest

from data.models import (Approval, EvalSession, Item, LeaderComment, Member, Org, Pledge, Publication, Rectification,
                         Region, Round, SupervisionGroup, SupervisionLink, System, Tally)
from data.rollups import rebuild_closure, rebuild_rollups
from data.users import create_user
from domain.tables import VIEWS
from tests import report_dataset as rd
from tests import security_helpers as sh
from tests.conftest import login

PASSWORD = "password-123"
SECRET_CODE, SECRET_SYSTEM, SECRET_REGION, SECRET_GROUP = "ZZ-SECRET-01", "保密系统", "990000", "机密督导组"
# What an out-of-scope caller must never read: names, child codes, members, ledger codes and a distinctive N.
MARKERS = ["机密党委甲", "ZZ-SECRET-02", "机密支部乙", "ZZ-M9", "机密党员丙", "ZZ-P9", "机密承诺内容",
           "ZZ-Z9", "机密整改事项", "机密省", "990100", "机密市", SECRET_GROUP, SECRET_SYSTEM, SECRET_CODE,
           "98765", "98760", "ZZ-DP9", "机密点评意见", "机密点评人", "机密退回原因"]
USERS = {  # name: (role, grants)
    "uma": ("unit", ["A2"]),
    "sue": ("supervisor", ["group:第一督导组"]),
    "lee": ("leader", ["system:卫生健康系统"]),
    "nob": ("leader", []),
}
ATTACKS = [
    {"org": SECRET_CODE},
    {"system": SECRET_SYSTEM, "region": SECRET_REGION},
    {"org": "ZZ-SECRET-02", "round": rd.R2, "as_of": rd.AS_OF.isoformat()},
    {"region": "990100", "round": rd.R2, "sort": "c2:desc", "filter": json.dumps({"c1": {"filterType": "text",
                                                                                         "type": "contains",
                                                                                         "filter": "机"}})},
]


def load_secret(session) -> None:
    """rd's campaign plus an org tree only an admin may see: its own system, region and supervision group."""
    rd.load(session)
    r2 = session.query(Round).filter_by(name=rd.R2).one()
    overall = session.query(Item).filter_by(round_id=r2.id, is_overall=True).one()
    system = System(name=SECRET_SYSTEM)
    prov = Region(code=SECRET_REGION, name="机密省", level=1, l1_code=SECRET_REGION, full_name="机密省")
    session.add_all([system, prov])
    session.flush()
    city = Region(code="990100", name="机密市", level=2, parent_id=prov.id, l1_code=SECRET_REGION,
                  l2_code="990100", full_name="机密省/机密市")
    session.add(city)
    session.flush()
    top = Org(code=SECRET_CODE, name="机密党委甲", org_type="党委", system_id=system.id, region_id=prov.id)
    session.add(top)
    session.flush()
    child = Org(code="ZZ-SECRET-02", name="机密支部乙", org_type="党支部", system_id=system.id, region_id=city.id,
                parent_id=top.id)
    session.add(child)
    session.flush()
    member = Member(code="ZZ-M9", name="机密党员丙", org_id=child.id, category="正式")
    session.add(member)
    session.flush()
    t0 = datetime(2024, 11, 1, 9, 0)
    session.add(Tally(round_id=r2.id, org_id=child.id, item_id=overall.id, category="单位参评人员", member_key=0,
                      opt1=98760, opt2=5, opt3=0, first_reported_at=t0, updated_at=t0))
    session.add(Tally(round_id=r2.id, org_id=child.id, item_id=overall.id, category="党员", member_id=member.id,
                      member_key=member.id, opt1=1, opt2=0, opt3=9, first_reported_at=t0, updated_at=t0))
    session.add(Pledge(code="ZZ-P9", round_id=r2.id, org_id=child.id, content="机密承诺内容",
                       due_date=date(2024, 10, 1), status="推进中"))
    session.add(Rectification(code="ZZ-Z9", round_id=r2.id, org_id=child.id, description="机密整改事项",
                              registered_date=date(2024, 9, 1), deadline=date(2024, 10, 1), status="整改中"))
    session.add(EvalSession(round_id=r2.id, org_id=child.id, expected=10, issued=10, returned=12))
    # 领导点评, 公示 and 逐级审核 of the secret branch (views comments, reporting)
    session.add(LeaderComment(round_id=r2.id, org_id=child.id, code="ZZ-DP9", commenter="机密点评人",
                              commented_on=date(2024, 10, 2), grade="差", opinion="机密点评意见", problem_codes="ZZ-Z9"))
    session.add(Publication(round_id=r2.id, org_id=child.id, published_on=date(2024, 11, 2), method="机密公示栏"))
    session.add(Approval(round_id=r2.id, org_id=child.id, state="退回", reason="机密退回原因", acted_by="ada",
                         acted_at=datetime(2024, 12, 1, 9, 0)))
    group = SupervisionGroup(name=SECRET_GROUP)
    session.add(group)
    session.flush()
    session.add(SupervisionLink(group_id=group.id, org_id=top.id))
    session.add(SupervisionLink(group_id=group.id, org_id=child.id, is_contact_point=True))
    session.flush()
    rebuild_closure(session)
    rebuild_rollups(session)
    session.commit()


@pytest.fixture
def clients(web_app, sessions):
    with sessions() as s:
        load_secret(s)
    with sessions.begin() as s:
        for name, (role, grants) in USERS.items():
            create_user(s, name, PASSWORD, role, grants)
        create_user(s, "ada", PASSWORD, "admin", [])
    made = {}
    for name in [*USERS, "ada"]:
        c = web_app.test_client()
        assert login(c, name, PASSWORD).status_code == 302
        made[name] = c
    return made


def crafted_value(state: dict, match: str):
    """A value for any (id, property) a callback reads, naming the secret state."""
    search = sh.search_of(state)

    def value_of(cid, prop):
        if prop == "search":
            return search
        if prop == "pathname":
            return "/drill"
        if prop == "getRowsRequest":
            return {"startRow": 0, "endRow": 500, "sortModel": [], "filterModel": {}}
        if prop == "cellClicked":
            return {"rowId": search or "?org=" + SECRET_CODE, "colId": "c0", "rowIndex": 0, "value": SECRET_CODE}
        if prop == "clickData":
            return {"points": [{"customdata": [state.get("org") or state.get("system") or SECRET_CODE]}]}
        if prop == "n_clicks":
            return 1
        if prop == "date":
            return state.get("as_of") or rd.AS_OF.isoformat()
        if prop == "value":
            return state.get("system") or state.get("region") or state.get("round") or SECRET_CODE
        if prop == "options":
            return [{"label": SECRET_CODE, "value": SECRET_CODE}]
        if prop == "data":
            if isinstance(cid, dict) and cid.get("type") == "report-grid-ask":  # a grid's row request
                return {"startRow": 0, "endRow": 500, "sortModel": [], "filterModel": {}}
            if isinstance(cid, dict):  # a shared grid's state store
                return {"table": match, "state": state, "lang": "zh"}
            if cid == "lang":
                return "zh"
            return state
        return state
    return value_of


def tables_of(client) -> list[str]:
    """Every table name a page of the app may show (the MATCH values of the shared grid)."""
    from callbacks.tables import TITLES

    return sorted(TITLES)


def check(resp, request_text: str, where: str, problems: list[str]) -> None:
    if resp.status_code >= 500:
        problems.append(f"{where}: HTTP {resp.status_code}")
        return
    found = sh.leaked(MARKERS, request_text, sh.readable(resp.data))
    if found:
        problems.append(f"{where}: leaked {found}")


def test_no_callback_reveals_anything_outside_the_scope(clients):
    problems: list[str] = []
    cbs = sh.callbacks(clients["uma"])
    assert len(cbs) >= 10  # the map was read (the app has more than ten server-side callbacks)
    tables = tables_of(clients["uma"])
    for name in USERS:
        client = clients[name]
        for cb in cbs:
            for match in tables if cb.has_match else ["drilldown"]:
                for state in ATTACKS:
                    body = sh.payload(cb, crafted_value(state, match), match)
                    resp = client.post("/_dash-update-component", json=body)
                    check(resp, json.dumps(body, ensure_ascii=False), f"{name} {cb.label()} [{match}] {state}",
                          problems)
    assert not problems, "\n".join(problems[:40])


def test_the_admin_does_see_the_secret_tree(clients):
    """The markers are reachable at all: the same requests by an admin show them (the matrix can fail)."""
    r = clients["ada"].get("/api/v1/reports/drilldown", query_string={"org": SECRET_CODE,
                                                                      "as_of": rd.AS_OF.isoformat()})
    assert r.status_code == 200
    assert "机密支部乙" in r.get_data(as_text=True) or "机密支部乙" in json.dumps(r.get_json(), ensure_ascii=False)
    for view, marker, org in (("comments", "机密点评意见", None), ("reporting", "机密退回原因", None),
                              ("profile", "机密退回原因", "ZZ-SECRET-02")):  # 单位画像's 审核状态 and 退回原因
        params = {"round": rd.R2, "as_of": rd.AS_OF.isoformat(), **({"org": org} if org else {})}
        r = clients["ada"].get(f"/api/v1/reports/{view}", query_string=params)
        assert marker in json.dumps(r.get_json(), ensure_ascii=False), view
    cbs = sh.callbacks(clients["ada"])
    rows = next(cb for cb in cbs if "getRowsResponse" in cb.output)
    body = sh.payload(rows, crafted_value({"org": SECRET_CODE, "as_of": rd.AS_OF.isoformat()}, "drilldown"))
    assert "机密支部乙" in sh.readable(clients["ada"].post("/_dash-update-component", json=body).data)
    # The export callback, driven by the same crafted payload, does produce a file (decoded by the matrix).
    export = next(cb for cb in cbs if cb.output == '{"table":["MATCH"],"type":"report-export-message"}.children')
    body = sh.payload(export, crafted_value({"org": SECRET_CODE, "as_of": rd.AS_OF.isoformat()}, "drilldown"))
    out = clients["ada"].post("/_dash-update-component", json=body)
    assert "base64" in out.get_data(as_text=True) and "机密支部乙" in sh.readable(out.data)
    brief = clients["ada"].get("/api/v1/brief", query_string={"group": SECRET_GROUP, "round": rd.R2,
                                                              "as_of": rd.AS_OF.isoformat()})
    assert brief.status_code == 200 and "机密党委甲" in sh.readable(brief.data)
    assert "机密退回原因" in sh.readable(brief.data)  # the brief names returned orgs with the reason
    card = clients["ada"].get("/api/v1/reports/scorecard", query_string={"group": SECRET_GROUP, "round": rd.R2,
                                                                         "as_of": rd.AS_OF.isoformat()})
    assert card.status_code == 200 and "机密党委甲" in card.get_data(as_text=True)


@pytest.mark.parametrize("name", list(USERS))
def test_no_api_view_reveals_anything_outside_the_scope(clients, name):
    problems: list[str] = []
    client = clients[name]
    assert {"profile", "ranking"} <= set(VIEWS)  # 单位画像 and 薄弱排名 are in the matrix
    for view in VIEWS:
        # The group views (scorecard: 督导工作台; contact-points, visits) take the secret group too.
        for state in [*ATTACKS, {"org": SECRET_CODE, "round": "不存在的批次"}, {"as_of": "2024-13-45"},
                      {"group": SECRET_GROUP}, {"group": SECRET_GROUP, "round": rd.R2, "as_of": rd.AS_OF.isoformat()}]:
            params = {k: v for k, v in state.items() if k in ("round", "system", "region", "org", "as_of", "group")}
            resp = client.get(f"/api/v1/reports/{view}", query_string=params)
            where = f"{name} {view} {params}"
            if resp.status_code not in (200, 400, 403, 404):
                problems.append(f"{where}: HTTP {resp.status_code}")
            check(resp, json.dumps(params, ensure_ascii=False), where, problems)
    # The 情况通报 takes a group too, and answers with a .docx (read back as text by sh.readable).
    for state in [*ATTACKS, {"group": SECRET_GROUP}, {"group": SECRET_GROUP, "as_of": rd.AS_OF.isoformat()}, {}]:
        params = {k: v for k, v in state.items() if k in ("round", "group", "system", "region", "org", "as_of")}
        params.setdefault("round", rd.R2)
        resp = client.get("/api/v1/brief", query_string=params)
        where = f"{name} brief {params}"
        if resp.status_code not in (200, 400, 403, 404):
            problems.append(f"{where}: HTTP {resp.status_code}")
        check(resp, json.dumps(params, ensure_ascii=False), where, problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", list(USERS))
def test_pages_and_layout_reveal_nothing_outside_the_scope(clients, name):
    client = clients[name]
    problems: list[str] = []
    for path in ["/", "/workbench", "/drill", "/redline", "/org", "/_dash-layout", "/_dash-dependencies"]:
        for state in [*ATTACKS, {"group": SECRET_GROUP}]:
            url = path + (sh.search_of(state) if not path.startswith("/_dash") else "")
            check(client.get(url), url, f"{name} GET {url}", problems)
            if not path.startswith("/_dash"):  # the layout draws the page its Referer names (first_layout)
                layout = client.get("/_dash-layout", headers={"Referer": "http://localhost" + url})
                check(layout, unquote_plus(url), f"{name} GET /_dash-layout from {url}", problems)
    assert not problems, "\n".join(problems)


# Files a unit user (uma, A2's subtree) uploads naming what lies outside it: each must be refused with nothing
# written, and neither the check, its error sheet nor the confirm may name anything the file did not.
_ORGS = ["组织编码", "组织名称", "上级组织编码", "组织类型", "所属系统", "所属地区", "跨系统隶属"]
_LEDGER = ["评议批次", "组织编码", "承诺内容", "承诺时限", "状态"]
_TALLY = ["评议批次", "组织编码", "测评项目", "参评人员类别", "满意", "基本满意", "不满意"]
_RECT = ["问题编号", "评议批次", "组织编码", "问题描述", "登记日期", "整改时限", "状态"]
UNIT_UPLOADS = {  # case: (file name, rows)
    "parent-outside": ("上级在外.csv", [
        _ORGS, ["NEW1", "新支部", "ZZ-SECRET-02", "党支部", "交通运输系统", "510104", "是"]]),
    "cycle-through-secret": ("循环.csv", [  # NEW2 → ZZ-SECRET-02 → ZZ-SECRET-01 → NEW2
        _ORGS, ["NEW2", "新支部", "ZZ-SECRET-02", "党支部", "交通运输系统", "510104", "是"],
        [SECRET_CODE, "改名", "NEW2", "党委", "交通运输系统", "510104", "是"]]),
    "cut-out": ("移出.csv", [_ORGS, ["A2", "运输公司党总支", "", "党总支", "交通运输系统", "510104", ""]]),
    "into-secret-system": ("换系统.csv", [
        _ORGS, ["A21", "运输公司一支部", "A2", "党支部", SECRET_SYSTEM, "510104", "是"]]),
    "new-system": ("新系统.csv", [_ORGS, ["NEW3", "新支部", "A2", "党支部", "新建系统", "510104", "是"]]),
    "supervision-group": ("督导.csv", [["督导组", "组织编码", "是否联系点", "督导组长"],
                                     [SECRET_GROUP, "A2", "是", "黑客"]]),
    "member-elsewhere": ("党员.csv", [["党员编号", "姓名", "组织编码"], ["ZZ-M9", "改名", "A2"]]),
    "pledge-elsewhere": ("承诺.csv", [["承诺编号", *_LEDGER],
                                    ["ZZ-P9", rd.R2, "A2", "改写", "2024-12-01", "推进中"]]),
    "rectification-elsewhere": ("整改.csv", [_RECT, ["ZZ-Z9", rd.R2, "A2", "改写", "2024-09-01", "2024-12-01",
                                                   "整改中"]]),
    "tally-of-secret-org": ("汇总.csv", [_TALLY, [rd.R2, "ZZ-SECRET-02", "总体评价", "服务对象", 1, 0, 0]]),
}


def _everything(sessions) -> dict:
    """Every row of the campaign's tables (accounts and the audit trail change with each request)."""
    from sqlalchemy import select

    from data.models import Base

    with sessions() as s:
        return {t.name: sorted(map(repr, s.execute(select(t)).all())) for t in Base.metadata.sorted_tables
                if not t.name.startswith(("user", "api_", "login", "audit", "session"))}


@pytest.mark.parametrize("case", list(UNIT_UPLOADS))
def test_no_import_by_a_unit_writes_or_reveals_anything_outside_the_scope(clients, sessions, case):
    import base64

    from tests.importer_helpers import csv_bytes

    client = clients["uma"]
    cbs = sh.callbacks(client)
    by_input = {cb.inputs[0]: cb for cb in cbs if cb.inputs}
    check_cb = by_input[("import-upload", "contents")]
    confirm_cb = by_input[("import-confirm", "n_clicks")]
    sheet_cb = by_input[("import-errors-button", "n_clicks")]
    name, rows = UNIT_UPLOADS[case]
    data = csv_bytes(rows)
    sent = data.decode("utf-8-sig") + name
    before = _everything(sessions)

    def post(cb, values: dict):
        body = sh.payload(cb, lambda cid, prop: values.get((cid, prop), "zh" if cid == "lang" else None))
        resp = client.post("/_dash-update-component", json=body)
        assert resp.status_code == 200, resp.status_code
        found = sh.leaked(MARKERS, sent, sh.readable(resp.data))
        assert not found, f"{name}: {found}"
        return resp.get_json()["response"]

    checked = post(check_cb, {("import-upload", "contents"): ["data:text/csv;base64," + base64.b64encode(data).decode()],
                              ("import-upload", "filename"): [name]})
    assert checked["import-confirm"]["disabled"] is True
    errors = checked["import-errors"]["data"]
    assert errors and all("不在本单位范围内" in e[5] for e in errors), errors
    post(sheet_cb, {("import-errors-button", "n_clicks"): 1, ("import-errors", "data"): errors})
    confirmed = post(confirm_cb, {("import-confirm", "n_clicks"): 1, ("import-done", "data"): 0})
    assert "没有待导入的文件" in json.dumps(confirmed, ensure_ascii=False)
    assert _everything(sessions) == before
