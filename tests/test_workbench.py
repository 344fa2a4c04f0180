"""督导工作台 (view scorecard): each cell against the page it opens for the same unit (red line, ledgers,
contact points, reporting, the drill-down's row of the unit), the 未走访 count against the visit log, the
待办 order, who may open which group (supervisor, leader, unknown names) for the workbench and the brief,
and the API and CLI export. The small demo campaign, both backends."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from dashboard import brief, reports, scorecard, views
from data.demo import demo_as_of, load_demo
from data.models import Org, SupervisionGroup, SupervisionLink, System, Visit
from data.users import create_user
from domain import metrics
from domain.scope import EVERYTHING, Scope
from domain.tables import Filters
from tests import report_dataset as rd
from tests.conftest import login

ROUND = "2012年下半年创先争优群众评议"
GROUPS = ("省委第一督导组", "省委第二督导组", "省委第三督导组")
PASSWORD = "password-123"
MADE_AT = datetime(2012, 12, 10, 16, 30)


@pytest.fixture
def demo(sessions):
    load_demo(sessions, scale="small")
    return sessions


def _card(s, group: str, scope: Scope, as_of: date | None = None, view: str = "scorecard"):
    params = {"round": ROUND, "group": group, "as_of": as_of or demo_as_of()}
    return reports.build(view, s, reports.request("scorecard", params, scope))


def _rows(table) -> list[dict]:
    return [dict(zip(table.headers, row)) for row in table.rows]


def _unit_view(s, view: str, code: str, scope: Scope, **extra):
    return rd.build(view, s, Filters(round=ROUND, org=code, extra=tuple(extra.items())), demo_as_of(), scope)


def _unvisited(s, group: str, unit_code: str, as_of: date) -> int:
    """Contact points of the unit (督导分组 rows under it) with no visit of the group on or before as_of."""
    gid = s.scalar(select(SupervisionGroup.id).where(SupervisionGroup.name == group))
    unit = s.scalar(select(Org).where(Org.code == unit_code))
    points = [o for o in s.scalars(select(Org).join(SupervisionLink, SupervisionLink.org_id == Org.id).where(
        SupervisionLink.group_id == gid, SupervisionLink.is_contact_point.is_(True)))
        if o.id == unit.id or _under(s, o, unit.id)]
    visited = set(s.scalars(select(Visit.org_id).where(Visit.group_id == gid, Visit.visited_on <= as_of)))
    return sum(1 for p in points if p.id not in visited)


def _under(s, org: Org, ancestor_id: int) -> bool:
    while org.parent_id is not None:
        if org.parent_id == ancestor_id:
            return True
        org = s.get(Org, org.parent_id)
    return False


def test_each_cell_is_the_figure_of_the_page_it_opens(demo):
    seen_overdue = seen_unvisited = 0
    with demo() as s:
        for group in GROUPS:
            scope = Scope(groups=frozenset({group}))
            card = _card(s, group, scope)
            assert card.scope == f"督导组 {group}" and dict(card.filters.extra)["group"] == group
            board = {r["单位编码"]: r for r in _rows(rd.build("contact-points", s, Filters(
                round=ROUND, extra=(("group", group),)), demo_as_of(), scope))}
            rows = _rows(card)
            assert [r["单位编码"] for r in rows] == list(board) and len(rows) == 4
            for row in rows:
                code = row["单位编码"]
                unit = s.scalar(select(Org).where(Org.code == code))
                parent = s.get(Org, unit.parent_id)
                drill = {r["组织编码"]: r for r in _rows(rd.drilldown(s, Filters(round=ROUND, org=parent.code),
                                                                    demo_as_of(), EVERYTHING))}[code]
                assert (row["单位名称"], row["测评数"], row["红线判定"]) == (drill["名称"], drill["测评数"], drill["红线判定"])
                assert row["综合满意率"] == pytest.approx(drill["综合满意率"])
                red = _rows(_unit_view(s, "redline", code, scope))
                assert row["低于红线组织数"] == sum(1 for r in red if r["红线判定"] in metrics.CANDIDATE_VERDICTS)
                overdue = _unit_view(s, "rectifications", code, scope, overdue_only="1")
                assert row["超期整改数"] == len(overdue.rows) == board[code]["超期整改"]
                pledges = _unit_view(s, "pledges", code, scope, overdue_only="1")
                assert row["逾期未兑现承诺数"] == len(pledges.rows) == board[code]["逾期未兑现"]
                assert (row["联系点数"], row["联系点不足"]) == (board[code]["联系点数"], board[code]["联系点不足"])
                assert row["未走访联系点数"] == _unvisited(s, group, code, demo_as_of())
                reporting = _rows(_unit_view(s, "reporting", code, scope))
                assert row["上报完整率"] == pytest.approx(metrics.ratio(
                    sum(r["上报状态"] != metrics.MISSING for r in reporting), len(reporting)))
                seen_overdue += row["超期整改数"]
                seen_unvisited += row["未走访联系点数"]
    assert seen_overdue and seen_unvisited  # the demo has something to show in both (the test can fail)


def test_a_visit_recorded_takes_the_point_off_the_list(demo):
    group = GROUPS[0]
    with demo() as s:
        before = {r["单位编码"]: r["未走访联系点数"] for r in _rows(_card(s, group, EVERYTHING))}
        todo = _card(s, group, EVERYTHING, view=scorecard.TODO_VIEW)
        code = next(c for c, n in before.items() if n)
        point = next(r for r in _rows(todo) if r["事项"] == scorecard.NOT_VISITED and r["单位编码"] == code)
        point_code = point["对象"].split(" ")[0]
        gid = s.scalar(select(SupervisionGroup.id).where(SupervisionGroup.name == group))
        org_id = s.scalar(select(Org.id).where(Org.code == point_code))
        s.add(Visit(group_id=gid, org_id=org_id, visited_on=demo_as_of(), findings="走访", recorded_by="测试"))
        s.commit()
        from data.rollups import bump_version
        bump_version(s)
        s.commit()
        after = {r["单位编码"]: r["未走访联系点数"] for r in _rows(_card(s, group, EVERYTHING))}
        assert after[code] == before[code] - 1
        # A visit after the as-of day had not happened yet on it.
        assert {r["单位编码"]: r["未走访联系点数"] for r in _rows(
            _card(s, group, EVERYTHING, as_of=date(2012, 12, 9)))}[code] == before[code]


def test_the_todo_list_is_newest_risk_first_and_names_what_to_do(demo):
    with demo() as s:
        todo = [r for g in GROUPS for r in _rows(_card(s, g, EVERYTHING, view=scorecard.TODO_VIEW))]
        cards = {r["单位编码"]: r for g in GROUPS for r in _rows(_card(s, g, EVERYTHING))}
        one = _rows(_card(s, GROUPS[1], EVERYTHING, view=scorecard.TODO_VIEW))
    dates = [r["起始日期"] for r in one if r["起始日期"]]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) > 1
    kinds = {r["事项"] for r in todo}
    assert {scorecard.RECT_OVERDUE, scorecard.NOT_VISITED} <= kinds
    for r in todo:
        unit = cards[r["单位编码"]]
        expected = {scorecard.RECT_OVERDUE: unit["超期整改数"], scorecard.PLEDGE_OVERDUE: unit["逾期未兑现承诺数"],
                    scorecard.NOT_VISITED: unit["未走访联系点数"]}.get(r["事项"])
        if expected is not None:
            assert r["数量"] == expected
    # A unit with nothing to do has no line.
    assert not [r for r in todo if cards[r["单位编码"]]["超期整改数"] == 0 and r["事项"] == scorecard.RECT_OVERDUE]


def test_who_may_open_which_group(demo):
    with demo() as s:
        first = Scope(groups=frozenset({GROUPS[0]}))
        assert _rows(_card(s, GROUPS[0], first))
        for asked in (GROUPS[1], "不存在的督导组"):  # another group and an unknown one: the same answer
            with pytest.raises(reports.OutOfScope, match=f"无权查看督导组：{asked}"):
                _card(s, asked, first)
        with pytest.raises(reports.NotFound):
            _card(s, "不存在的督导组", EVERYTHING)
        # A leader whose systems hold everything 省委第三督导组 covers may open it (and its brief); one system
        # is not enough; a group some of whose orgs lie outside is refused.
        systems = {s.scalar(select(Org.system_id).where(Org.code == r["单位编码"]))
                   for r in _rows(_card(s, GROUPS[2], EVERYTHING))}
        names = frozenset(s.scalars(select(System.name).where(System.id.in_(systems))))
        leader = Scope(systems=names)
        assert len(names) >= 2
        assert [r["单位编码"] for r in _rows(_card(s, GROUPS[2], leader))] == \
            [r["单位编码"] for r in _rows(_card(s, GROUPS[2], EVERYTHING))]
        made = brief.make(s, brief.BriefRequest(ROUND, demo_as_of(), group=GROUPS[2]), leader, "领导", MADE_AT)
        assert made.scope_label == GROUPS[2]
        for narrow in (Scope(systems=frozenset(sorted(names)[:1])), Scope(groups=frozenset({GROUPS[0]}))):
            with pytest.raises(reports.OutOfScope):
                _card(s, GROUPS[2], narrow)
            with pytest.raises(reports.OutOfScope):
                brief.make(s, brief.BriefRequest(ROUND, demo_as_of(), group=GROUPS[2]), narrow, "x", MADE_AT)
        # No group asked: the caller's first; the workbench takes no system, region or org.
        assert dict(_card(s, "", first).filters.extra)["group"] == GROUPS[0]
        with pytest.raises(reports.BadParameter):
            reports.build("scorecard", s, reports.request("scorecard", {"org": "JT-0062"}, EVERYTHING))


def test_api_and_cli_export(demo, web_app, engine, monkeypatch, tmp_path):
    with demo.begin() as s:
        create_user(s, "sup", PASSWORD, "supervisor", [f"group:{GROUPS[0]}"])
        create_user(s, "ada", PASSWORD, "admin", [])
    client = web_app.test_client()
    assert login(client, "sup", PASSWORD).headers["Location"].endswith("/workbench")  # the landing page
    as_of = demo_as_of().isoformat()
    r = client.get(f"/api/v1/reports/scorecard?round={ROUND}&as_of={as_of}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["columns"][:3] == ["单位编码", "单位名称", "测评数"] and body["filters"]["group"] == GROUPS[0]
    with demo() as s:
        expected = _card(s, GROUPS[0], EVERYTHING)
    assert [row[0] for row in body["rows"]] == [row[0] for row in expected.rows]
    for group in (GROUPS[1], "不存在的督导组"):
        r = client.get(f"/api/v1/reports/scorecard?as_of={as_of}&group={group}")
        assert r.status_code == 403 and GROUPS[1] not in r.get_data(as_text=True).replace(group, "")
    admin = web_app.test_client()
    login(admin, "ada", PASSWORD)
    assert admin.get(f"/api/v1/reports/scorecard?group=不存在的督导组").status_code == 404
    assert admin.get(f"/api/v1/reports/scorecard?group={GROUPS[1]}&org=JT-0062").status_code == 400

    from dashboard import cli
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "工作台.csv"
    assert cli.main(["export", "scorecard", "--group", GROUPS[1], "--round", ROUND, "--as-of", as_of,
                     "--out", str(out)]) == 0
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    with demo() as s:
        table = _card(s, GROUPS[1], EVERYTHING)
    assert lines[0] == table.headers and [line[0] for line in lines[1:]] == [row[0] for row in table.rows]
    assert cli.main(["export", "scorecard", "--group", "不存在的督导组", "--out", str(tmp_path / "x.xlsx")]) == 1


FIRST_ROUND = "2012年上半年创先争优群众评议"


def test_record_cells_are_the_pages_they_open_and_the_demo_shows_each_state(demo):
    """领导点评数 against /comments?org=, 公示状态 against the unit's profile, 公示逾期组织数 against
    /reporting?org= (plus the unit itself when it is late); the demo supervisor's group shows every state."""
    group, scope = GROUPS[0], Scope(groups=frozenset({GROUPS[0]}))
    states, counts = set(), set()
    with demo() as s:
        for rnd in (ROUND, FIRST_ROUND):
            params = {"round": rnd, "group": group, "as_of": demo_as_of()}
            card = reports.build("scorecard", s, reports.request("scorecard", params, scope))
            for i, row in enumerate(_rows(card)):
                code = row["单位编码"]
                unit = Filters(round=rnd, org=code)
                assert row["领导点评数"] == len(rd.build("comments", s, unit, demo_as_of(), scope).rows)
                profile = dict(zip(*(lambda t: (t.headers, t.rows[0]))(views.build("profile", s, views.request(
                    "profile", {"round": rnd, "org": code, "as_of": demo_as_of()}, scope)))))
                assert row["公示状态"] == profile["公示状态"] and row["领导点评数"] == profile["领导点评数"]
                late = {r["组织编码"] for r in _rows(rd.build("reporting", s, unit, demo_as_of(), scope))
                        if r["公示逾期"] == "是"}
                own = {code} if row["公示状态"] == "逾期未公示" else set()
                assert row["公示逾期组织数"] == len(late | own)
                if row["公示逾期组织数"]:
                    assert i in card.red_rows
                states.add(row["公示状态"])
                counts.add(row["领导点评数"])
    assert states == {"未公示", "已公示", "已反馈", "逾期未公示"}
    assert 0 in counts and max(counts) >= 2


def test_returned_and_unpublished_orgs_are_on_the_todo_list(demo):
    group, scope = GROUPS[0], Scope(groups=frozenset({GROUPS[0]}))
    with demo() as s:
        todo = _rows(_card(s, group, scope, view=scorecard.TODO_VIEW))
        reporting = _rows(rd.build("reporting", s, Filters(round=ROUND), demo_as_of(), scope))
        params = {"round": FIRST_ROUND, "group": group, "as_of": demo_as_of()}
        first_todo = _rows(reports.build(scorecard.TODO_VIEW, s, reports.request("scorecard", params, scope)))
        first_card = {r["单位编码"]: r for r in _rows(reports.build("scorecard", s, reports.request(
            "scorecard", params, scope)))}
    returned = [r for r in reporting if r["审核状态"] == "退回"]
    lines = [r for r in todo if r["事项"] == scorecard.RETURNED]
    assert returned and sum(r["数量"] for r in lines) == len(returned)
    for r in returned:  # each named with its reason, from the day it was returned
        line = next(t for t in lines if r["组织编码"] in t["对象"])
        assert r["退回原因"] in line["对象"] and line["起始日期"].isoformat() == r["审核时间"][:10]
    # The first round ended 2012-06-30: 公示 was due by 07-15 (15 days), so the late are 148 days late on 12-10.
    late = [r for r in first_todo if r["事项"] == scorecard.PUBLISH_OVERDUE]
    assert late and all(r["起始日期"] == date(2012, 7, 15) and r["最久天数"] == 148 for r in late)
    assert {r["单位编码"]: r["数量"] for r in late} == {c: u["公示逾期组织数"] for c, u in first_card.items()
                                                       if u["公示逾期组织数"]}
    assert not [r for r in todo if r["事项"] == scorecard.PUBLISH_OVERDUE]  # the second round has not ended


def test_a_record_cell_leads_to_the_page_that_explains_it():
    from layouts.workbench import cell_target

    state = {"round": ROUND, "as_of": "2012-12-10", "group": GROUPS[0]}
    targets = {name: unquote(cell_target(state, GROUPS[0], name, "JT-0062"))
               for name in ("领导点评数", "公示状态", "公示逾期组织数")}
    assert targets["领导点评数"].startswith("/comments?") and targets["公示状态"].startswith("/org?")
    assert targets["公示逾期组织数"].startswith("/reporting?")
    assert all("org=JT-0062" in t and f"round={ROUND}" in t and "as_of=2012-12-10" in t for t in targets.values())


def test_another_date_on_the_workbench_moves_it_in_place_and_redraws_the_navbar(demo, web_app, monkeypatch):
    """A date picked on 督导工作台 moves the page in place: its brief link and the navbar (whose links carry the
    date to the other pages) are drawn for the new day."""
    from flask_login import login_user

    from callbacks import common, workbench
    from layouts import ids
    from web.auth import WebUser

    with demo.begin() as s:
        sup = WebUser.of(create_user(s, "sup", PASSWORD, "supervisor", [f"group:{GROUPS[0]}"]))
    put: dict = {}
    monkeypatch.setattr(workbench, "set_props", lambda cid, props: put.setdefault(str(cid), props))
    monkeypatch.setattr(common, "set_props", lambda cid, props: put.setdefault(str(cid), props))
    shown, day = demo_as_of().isoformat(), "2012-11-30"
    with web_app.test_request_context("/_dash-update-component", method="POST"):
        login_user(sup)
        workbench.move(f"?as_of={day}", "/workbench", "zh", {"as_of": shown}, None)
    assert f"as_of={day}" in put[str(ids.page("/workbench").BRIEF)]["href"]
    assert f"as_of={day}" in str(put[ids.Shell.NAVBAR]["children"])
