"""督导联系点, 上报进度 and 数据质量: visits (checked on the server, audited, listed, exported), the pages'
filters and tables, and their callbacks called as plain functions — on the hand-made campaign of
tests/test_ledger_reports.py (第一督导组: units E, H, contact points E1, E31, H1; 第二督导组: units E3, T)."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from dash.exceptions import PreventUpdate
from sqlalchemy import func, select

from callbacks import common, contact_points as cp_cb, quality as q_cb, reporting as rep_cb, tables
from dashboard import cli, ledger_reports as lr
from domain.scope import EVERYTHING, Scope
from domain.tables import VIEWS, Filters
from web.auth import WebUser
from data import visits as vd
from data.models import AuditLog, Round, SupervisionGroup, Visit
from data.queries import BadParameter
from data.users import create_user
from layouts import contact_points as cp_layout
from tests.conftest import login
from tests.test_app_callbacks import text_of
from tests.test_ledger_reports import AS_OF, R1, R2, campaign, col, d, run  # noqa: F401  (fixture)

TODAY = date(2024, 9, 25)  # the campaign's as-of day, used as "today" for the visit checks
G1, G2 = "第一督导组", "第二督导组"
PASSWORD = "correct-horse-9"


def record(sessions, **kw):
    args = dict(group=G1, org_code="E1", visited_on="2024-09-20", findings="台账不全", follow_up="一周后回访",
                recorded_by="张三", allowed_groups=None, today=TODAY, now=datetime(2024, 9, 25, 10, 30))
    args.update(kw)
    with sessions.begin() as s:
        vd.record_visit(s, **args)


def counts(sessions) -> tuple[int, int]:
    with sessions() as s:
        return s.scalar(select(func.count(Visit.id))), s.scalar(select(func.count(AuditLog.id)))


# ---------------------------------------------------------------------------------------- visits (data)
def test_a_good_visit_is_stored_audited_and_listed(campaign):
    record(campaign, username="zhang")
    record(campaign, org_code="H1", visited_on=date(2024, 9, 24), findings="群众代表偏少", follow_up="补充服务对象")
    table = run(lr.visits, campaign)
    assert table.headers == ["督导组", "联系点编码", "联系点名称", "走访日期", "发现问题", "跟进事项", "记录人", "记录时间"]
    assert table.title.startswith("督导走访记录 · ")
    assert table.rows == [  # newest visit first
        [G1, "H1", "医院支部", d("2024-09-24"), "群众代表偏少", "补充服务对象", "张三", "2024-09-25 10:30"],
        [G1, "E1", "一支部", d("2024-09-20"), "台账不全", "一周后回访", "张三", "2024-09-25 10:30"],
    ]
    # As of an earlier day the later visit had not happened yet.
    assert col(run(lr.visits, campaign, as_of=d("2024-09-22")), "联系点编码") == ["E1"]
    # Scoped like every view: 卫生健康系统 sees only H1's visit; a group filter narrows, an unknown one is 404.
    health = Scope(systems=frozenset({"卫生健康系统"}))
    assert col(run(lr.visits, campaign, scope=health), "联系点编码") == ["H1"]
    assert run(lr.visits, campaign, Filters(extra=(("group", G2),))).rows == []
    with campaign() as s:
        log = s.scalars(select(AuditLog).where(AuditLog.action == "visit").order_by(AuditLog.id)).all()
    assert [(a.username, a.detail) for a in log] == [
        ("zhang", f"{G1}；联系点 E1 一支部；走访日期 2024-09-20"), ("张三", f"{G1}；联系点 H1 医院支部；走访日期 2024-09-24")]
    assert "visits" in VIEWS


@pytest.mark.parametrize("change, message", [
    ({"visited_on": "2024-09-26"}, "走访日期 2024-09-26 晚于今天（2024-09-25），不能登记未来的走访"),
    ({"visited_on": "2024/9/20"}, "请填写走访日期（格式 YYYY-MM-DD）"),
    ({"visited_on": None}, "请填写走访日期（格式 YYYY-MM-DD）"),
    ({"findings": "   "}, "请填写发现问题"),
    ({"follow_up": None}, "请填写跟进事项"),
    ({"findings": "很" * 2001}, "发现问题过长（2001 字），最多 2000 字"),
    ({"org_code": "E"}, "组织 E 不是督导组“第一督导组”的联系点"),  # a supervised unit, not a contact point
    ({"group": G2}, "组织 E1 不是督导组“第二督导组”的联系点"),
    ({"org_code": "ZZ9"}, "组织 ZZ9 不是督导组“第一督导组”的联系点"),
    ({"org_code": ""}, "请选择联系点"),
    ({"allowed_groups": {G2}}, "您不能为督导组“第一督导组”登记走访：只能登记本督导组的联系点"),
    ({"allowed_groups": set()}, "您不能为督导组“第一督导组”登记走访：只能登记本督导组的联系点"),
])
def test_a_bad_visit_is_refused_with_its_reason_and_nothing_is_written(campaign, change, message):
    with pytest.raises(vd.VisitError) as exc:
        record(campaign, **change)
    assert str(exc.value) == message
    assert counts(campaign) == (0, 0)


def test_visit_choices_are_the_contact_points_of_the_given_groups(campaign):
    with campaign() as s:
        assert [(p.group, p.code) for p in vd.contact_points(s, None)] == [(G1, "E1"), (G1, "E31"), (G1, "H1")]
        assert vd.contact_points(s, [G2]) == []
        assert vd.group_names(s) == [G1, G2]


# ---------------------------------------------------------------------------------------- report tables
def test_reporting_status_filter(campaign):
    def codes(status):
        return col(run(lr.reporting, campaign, Filters(extra=(("status", status),))), "组织编码")

    assert codes("未上报") == ["E32", "H2"]
    assert codes("逾期上报") == ["E2"]
    assert codes("已上报") == ["E1", "E31", "H1"]
    with pytest.raises(BadParameter, match="上报状态只能是已上报/逾期上报/未上报：迟报"):
        codes("迟报")


def test_quality_summary_lists_every_check_with_its_count(campaign):
    table = run(lr.quality_summary, campaign)
    assert table.headers == ["检查项", "涉及组织数", "数量合计", "说明"]
    assert [r[:3] for r in table.rows] == [
        ["作废场次", 1, 1], ["满意率100%", 1, 30], ["无不满意", 1, 20], ["各项分布相同", 1, 3], ["结果雷同", 2, 4],
        ["缺少参评类别", 1, 1], ["直线作答", 1, 4], ["同日销号", 1, 3], ["无佐证销号", 1, 2]]
    assert "随机作答的预期" in table.rows[6][3] and table.red_rows == set(range(9))
    assert table.notes[0].startswith("作废场次：收回份数多于发放份数")  # the plain words, in full under the table
    health = run(lr.quality_summary, campaign, scope=Scope(systems=frozenset({"卫生健康系统"})))
    assert [r[1] for r in health.rows] == [0, 0, 0, 0, 2, 0, 0, 0, 0]  # every check listed, 0 when clean


def test_void_sessions_are_the_rows_behind_the_finding(campaign):
    table = run(lr.void_sessions, campaign)
    assert [(r[0], r[4] < r[5], r[8]) for r in table.rows] == [("E1", True, "作废")]
    assert table.rows[0][5] == 32
    assert run(lr.void_sessions, campaign, Filters(org="E2")).rows == []


# ---------------------------------------------------------------------------------------- callbacks
@pytest.fixture
def users(web_app, campaign):
    with campaign.begin() as s:
        return {name: WebUser.of(create_user(s, name, PASSWORD, role, grants, display_name=display))
                for name, role, grants, display in (
                    ("ada", "admin", [], "艾达"), ("sup1", "supervisor", [f"group:{G1}"], "督导一组"),
                    ("sup2", "supervisor", [f"group:{G2}"], "督导二组"),
                    ("lee", "leader", ["system:教育系统"], "教育领导"))}


STATE = {"as_of": AS_OF.isoformat()}
STORE = {"table": "visits", "state": STATE, "lang": "zh"}


def test_group_filter_offers_only_the_groups_in_scope(as_user):
    def options(name):
        with as_user(name):
            return [o["label"] for o in cp_cb.show_filters(STATE, "zh")[0].children.children[1].options]

    assert options("ada") == [G1, G2]
    assert options("sup1") == [G1]
    assert options("sup2") == [G2]
    assert options("lee") == [G1, G2]  # 教育系统 holds units of both groups
    # A picked group is written into the URL in the browser (tests/test_browser_ledgers.py).


def test_group_filter_and_visit_form_offer_only_the_rounds_groups(as_user, campaign):
    """A group of another round (督导分组 评议批次) is offered neither in this round's dropdown nor in its visit
    form; a group of every round (no 评议批次) is offered in each; an unknown round offers nothing."""
    with campaign.begin() as s:
        s.scalar(select(SupervisionGroup).where(SupervisionGroup.name == G1)).round_id = s.scalar(
            select(Round.id).where(Round.name == R2))

    def choices(state):
        groups = cp_cb.show_filters(state, "zh")[0].children.children[1].options
        form = cp_cb.show_form(state, "zh", today=TODAY).children[1].children[0].children[0].children[1]
        return [o["label"] for o in groups], [o["value"] for o in form.options]

    with as_user("ada"):
        assert choices(STATE) == ([G2], [])  # the newest round, R1: 第一督导组 works in R2 only
        assert choices({**STATE, "round": R2}) == (
            [G1, G2], [cp_layout.point_value(G1, c) for c in ("E1", "E31", "H1")])
        assert choices({**STATE, "round": "无此批次"}) == ([], [])
    with as_user("sup1"):
        assert choices({**STATE, "round": R1})[0] == []


def test_units_card_title_states_the_rounds_contact_point_limits(as_user, campaign):
    with campaign.begin() as s:
        rnd = s.scalar(select(Round).where(Round.name == R2))
        rnd.contact_min, rnd.contact_max = 1, 4
    with as_user("ada"):
        assert cp_cb.show_filters(STATE, "zh")[1] == "督导单位（联系点少于2个或多于3个的单位标红）"
        assert cp_cb.show_filters({**STATE, "round": R2}, "zh")[1] == "督导单位（联系点少于1个或多于4个的单位标红）"
        assert cp_cb.show_filters({**STATE, "round": R2}, "en")[1] == (
            "Supervised units (fewer than 1 or more than 4 contact points in red)")


def test_contact_point_tables_follow_the_group_filter(as_user):
    with as_user("ada"):
        units = common.table("contact-points", {**STATE, "group": G2})
        detail = common.table("contact-point-detail", {**STATE, "group": G1})
    assert col(units, "单位编码") == ["E3", "T"]
    assert col(detail, "联系点编码") == ["E1", "E31", "H1"] and detail.red_rows == {0, 1}  # 盆景 E1, E31


def test_visit_form_only_for_supervisors_and_admins(as_user):
    with as_user("lee"):
        assert cp_cb.show_form(STATE, "zh") is None
    with as_user("sup1"):
        form = cp_cb.show_form(STATE, "zh", today=TODAY)
    assert "登记走访" in text_of(form)
    dropdown = form.children[1].children[0].children[0].children[1]
    assert [o["value"] for o in dropdown.options] == [cp_layout.point_value(G1, c) for c in ("E1", "E31", "H1")]
    with as_user("sup2"):  # a group without contact points has nothing to pick
        assert cp_cb.show_form(STATE, "zh", today=TODAY).children[1].children[0].children[0].children[1].options == []


def save(as_user, name, point, day="2024-09-20", findings="台账不全", follow_up="一周后回访"):
    with as_user(name):
        return cp_cb.save_visit(1, point, day, findings, follow_up, STORE, "zh", today=TODAY)


def test_a_supervisor_records_a_visit_and_it_is_listed(as_user, campaign):
    message, store, findings, follow_up = save(as_user, "sup1", cp_layout.point_value(G1, "E31"))
    assert text_of(message) == f"已保存走访记录：{G1} · E31 · 2024-09-20"
    assert (findings, follow_up) == ("", "")  # the form is ready for the next visit
    assert store["state"] == {**STATE, "rev": "1"}  # the visits grid reads the database again
    with as_user("sup1"):
        rows = tables.get_rows({"startRow": 0, "endRow": 20}, store)["rowData"]
    assert [(r["c0"], r["c1"], r["c3"], r["c4"], r["c6"]) for r in rows] == [
        (G1, "E31", "2024-09-20", "台账不全", "督导一组")]
    with campaign() as s:
        assert s.scalars(select(AuditLog.username).where(AuditLog.action == "visit")).all() == ["sup1"]


def test_the_server_refuses_what_the_form_should_not_send(as_user, campaign):
    # sup2 forges a choice of 第一督导组's contact point: refused on the server, nothing written.
    message, store, findings, _ = save(as_user, "sup2", cp_layout.point_value(G1, "E1"))
    assert text_of(message) == "您不能为督导组“第一督导组”登记走访：只能登记本督导组的联系点"
    assert store == STORE and findings == "台账不全"  # the user's text is kept for a correction
    assert "只有督导组成员和管理员可以登记走访" == text_of(save(as_user, "lee", cp_layout.point_value(G1, "E1"))[0])
    assert "请选择联系点" == text_of(save(as_user, "ada", "not json")[0])
    assert "晚于今天" in text_of(save(as_user, "ada", cp_layout.point_value(G1, "E1"), day="2024-09-26")[0])
    assert "请填写跟进事项" == text_of(save(as_user, "sup1", cp_layout.point_value(G1, "E1"), follow_up="")[0])
    assert counts(campaign) == (0, 0)
    with pytest.raises(PreventUpdate):
        cp_cb.save_visit(None, None, None, None, None, STORE, "zh")


def test_reporting_status_and_chart(as_user):
    assert rep_cb.on_status("未上报", "?as_of=2024-09-25") == "?as_of=2024-09-25&status=%E6%9C%AA%E4%B8%8A%E6%8A%A5"
    with as_user("ada"):
        rows = common.table("reporting", {**STATE, "status": "逾期上报"}).rows
        graph = rep_cb.show_chart(STATE, "zh")
    assert [r[0] for r in rows] == ["E2"]
    bars = graph.figure.data
    assert [list(b.x) for b in bars] == [["卫生健康系统", "教育系统"], ["株洲市", "长沙市"]]
    assert [list(b.y) for b in bars] == [[0.5, 0.75], [0.5, 0.75]]
    assert list(bars[1].customdata[1]) == [4, 3, 1, 1]  # 长沙市: expected, reported, late, missing


def test_a_finding_opens_the_org_or_its_void_sessions(as_user):
    store = {"table": "quality", "state": STATE, "lang": "zh"}
    with as_user("ada"):
        rows = tables.get_rows({"startRow": 0, "endRow": 3}, store)["rowData"]
    assert [r["_id"] for r in rows] == ["void:E1", "/drill?org=E1&as_of=2024-09-25",
                                        "/drill?org=E31&as_of=2024-09-25"]
    # The browser opens a /drill link itself and hands on the org of a void: (assets/clientside.js links.quality).
    with as_user("ada"):  # the panel comes with its grid drawn, for the caller's scope
        panel = q_cb.open_sessions("E1", STATE, "zh")
    assert "作废场次明细 · E1" in text_of(panel)
    first = next(c for c in panel._traverse() if getattr(c, "id", None) == {"type": "report-grid-first", "table": "void-sessions"})
    assert [r["c0"] for r in first.data["response"]["rowData"]] == ["E1"]
    grid_store = next(c for c in panel._traverse()
                      if getattr(c, "id", None) == {"type": "report-grid-state", "table": "void-sessions"}).data
    assert grid_store["state"] == {**STATE, "org": "E1"}
    with as_user("ada"):
        assert [r["c0"] for r in tables.get_rows({"startRow": 0, "endRow": 5}, grid_store)["rowData"]] == ["E1"]
    with pytest.raises(PreventUpdate):
        q_cb.open_sessions(None, STATE, "zh")


# ---------------------------------------------------------------------------------------- CLI and API
def test_visits_export_through_cli_and_api(campaign, engine, web_app, users, monkeypatch, tmp_path):
    record(campaign)
    record(campaign, org_code="H1", visited_on="2024-09-24")
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "visits.csv"
    assert cli.main(["export", "visits", "--out", str(out), "--group", G1, "--as-of", "2024-09-22"]) == 0
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    header = lines.index(["督导组", "联系点编码", "联系点名称", "走访日期", "发现问题", "跟进事项", "记录人", "记录时间"])
    assert lines[header + 1:] == [[G1, "E1", "一支部", "2024-09-20", "台账不全", "一周后回访", "张三", "2024-09-25 10:30"]]
    assert lines[0][0] == "督导组"  # the CSV is header and rows; the title block is the xlsx's
    book = tmp_path / "visits.xlsx"
    assert cli.main(["export", "visits", "--out", str(book), "--group", G1, "--as-of", "2024-09-22"]) == 0
    title = openpyxl.load_workbook(book).worksheets[0].iter_rows(max_row=6, values_only=True)
    assert ("筛选条件", f"督导组：{G1}") in [row[:2] for row in title]

    client = web_app.test_client()
    login(client, "sup1", PASSWORD)
    body = client.get(f"/api/v1/reports/visits?as_of=2024-09-25&group={G1}").get_json()
    assert body["columns"][0] == "督导组" and [r[1] for r in body["rows"]] == ["H1", "E1"]
    assert body["filters"] == {"group": G1}
    client = web_app.test_client()
    login(client, "lee", PASSWORD)  # 教育系统: E1's visit, not H1's
    assert [r[1] for r in client.get("/api/v1/reports/visits?as_of=2024-09-25").get_json()["rows"]] == ["E1"]
    assert client.get("/api/v1/reports/visits?group=第九督导组").status_code == 404
    assert client.get("/api/v1/reports/reporting?status=迟报").status_code == 400
