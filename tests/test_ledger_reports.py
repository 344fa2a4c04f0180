"""The ledger-type views (整改台账, 承诺践诺, 督导联系点, 上报进度, 数据质量) against a real database.

One small hand-made campaign; every expected value below is worked out by hand from it.

Org tree (system, 市):
    E 教育局党委 (教育系统, 长沙市)          H 卫健委党委 (卫生健康系统, 株洲市)     T 交通局党委 (交通运输系统, 株洲市)
    ├─ E1 一支部   ├─ E2 二支部               ├─ H1 医院支部                          └─ T1 交通支部 (no data)
    └─ E3 总支 ─┬─ E31 三支部                 └─ H2 卫生院支部
                └─ E32 四支部 (no data)
第一督导组 (张三): units E (contact points E1, E31) and H (contact point H1).
第二督导组 (李四): units E3 and T, no contact points. E31 belongs to E (its group's nearest unit), not E3.
"""
from __future__ import annotations

from collections import Counter

import json
from datetime import date, datetime

import pytest

from dashboard import ledger_reports as lr, reports
from domain import metrics
from domain.scope import EVERYTHING, NOTHING, Scope
from domain.tables import PERCENT, Filters
from data.queries import BadParameter, NotFound, OutOfScope
from data.models import (
    Ballot,
    EvalSession,
    Item,
    Member,
    Org,
    Pledge,
    Rectification,
    Region,
    Round,
    SupervisionGroup,
    SupervisionLink,
    System,
    Tally,
)
from data.rollups import rebuild_closure, rebuild_rollups

R1 = "2024年下半年群众评议"
R2 = "2024年国庆工作日批次"
AS_OF = date(2024, 9, 25)  # a Wednesday; R1's reporting deadline was 2024-09-20
ALL = Filters()


def d(text: str) -> date:
    return date.fromisoformat(text)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def campaign(sessions):
    with sessions.begin() as s:
        edu, health, trans = System(name="教育系统"), System(name="卫生健康系统"), System(name="交通运输系统")
        s.add_all([edu, health, trans])
        prov = Region(code="430000", name="湖南省", level=1, l1_code="430000", full_name="湖南省")
        cs = Region(code="430100", name="长沙市", level=2, l1_code="430000", l2_code="430100",
                    full_name="湖南省/长沙市")
        zz = Region(code="430200", name="株洲市", level=2, l1_code="430000", l2_code="430200",
                    full_name="湖南省/株洲市")
        s.add_all([prov, cs, zz])
        s.flush()
        orgs: dict[str, Org] = {}

        def org(code, name, system, region, parent=None, kind="党支部"):
            o = Org(code=code, name=name, org_type=kind, system_id=system.id, region_id=region.id,
                    parent_id=orgs[parent].id if parent else None)
            s.add(o)
            s.flush()
            orgs[code] = o

        org("E", "教育局党委", edu, cs, kind="党委")
        org("E1", "一支部", edu, cs, "E")
        org("E2", "二支部", edu, cs, "E")
        org("E3", "总支", edu, cs, "E", "党总支")
        org("E31", "三支部", edu, cs, "E3")
        org("E32", "四支部", edu, cs, "E3")
        org("H", "卫健委党委", health, zz, kind="党委")
        org("H1", "医院支部", health, zz, "H")
        org("H2", "卫生院支部", health, zz, "H")
        org("T", "交通局党委", trans, zz, kind="党委")
        org("T1", "交通支部", trans, zz, "T")
        rebuild_closure(s)

        r1 = Round(name=R1, start_date=d("2024-09-01"), report_deadline=d("2024-09-20"))
        r2 = Round(name=R2, start_date=d("2024-01-01"), working_days=True)
        s.add_all([r1, r2])
        s.flush()
        items = {name: Item(round_id=r1.id, name=name, is_overall=(i == 0), position=i)
                 for i, name in enumerate(["总体评价", "服务态度", "工作作风"])}
        s.add_all(items.values())
        member = Member(code="M1", name="王五", org_id=orgs["E1"].id)
        s.add(member)
        s.flush()

        def tally(code, item, category, counts, first, updated=None):
            s.add(Tally(round_id=r1.id, org_id=orgs[code].id, member_key=0, item_id=items[item].id,
                        category=category, opt1=counts[0], opt2=counts[1], opt3=counts[2],
                        first_reported_at=t(first), updated_at=t(updated or first)))

        tally("E1", "总体评价", "服务对象", (20, 0, 0), "2024-09-10 09:00", "2024-09-21 10:00")
        tally("E1", "总体评价", "单位参评人员", (10, 0, 0), "2024-09-10 09:00")
        for item in items:  # every item alike: 各项分布相同
            tally("E2", item, "服务对象", (10, 4, 6), "2024-09-22 10:00")
        tally("E31", "总体评价", "服务对象", (10, 3, 0), "2024-09-15 08:00")
        tally("E31", "总体评价", "单位参评人员", (5, 2, 0), "2024-09-15 08:00")
        tally("H1", "总体评价", "服务对象", (8, 3, 1), "2024-09-18 16:00")
        tally("H2", "总体评价", "服务对象", (8, 3, 1), "2024-09-26 11:00")  # identical to H1: 结果雷同

        s.add(EvalSession(round_id=r1.id, org_id=orgs["E1"].id, target="党组织", expected=35, issued=30,
                          returned=32, valid=30))  # 收回 > 发放: void
        s.add(EvalSession(round_id=r1.id, org_id=orgs["E2"].id, target="党组织", expected=25, issued=20,
                          returned=20, valid=20))

        def ballot(code, number, a, b, c):
            s.add(Ballot(round_id=r1.id, org_id=orgs[code].id, ballot_no=number, category="服务对象",
                         answers=json.dumps({"总体评价": a, "服务态度": b, "工作作风": c}, ensure_ascii=False)))

        for i in range(4):
            ballot("E2", f"E2-{i}", "基本满意", "基本满意", "基本满意")
        ballot("H1", "H1-1", "满意", "基本满意", "满意")
        ballot("H1", "H1-2", "基本满意", "满意", "不满意")
        ballot("H1", "H1-3", "满意", "满意", "基本满意")
        ballot("H1", "H1-4", "不满意", "基本满意", "满意")
        ballot("E1", "E1-1", "满意", "满意", "满意")  # one straight-lined ballot only: not flagged
        ballot("E1", "E1-2", "基本满意", "满意", "满意")

        def rect(code, org_code, registered, deadline, status, completed=None, closed=None, evidence=None,
                 rnd=r1, source="群众评议"):
            s.add(Rectification(code=code, round_id=rnd.id, org_id=orgs[org_code].id, source=source,
                                description=f"问题{code}", measure="措施", owner="赵六",
                                registered_date=d(registered), deadline=d(deadline), status=status,
                                completed_date=d(completed) if completed else None,
                                closed_date=d(closed) if closed else None, evidence=evidence))

        rect("RC01", "E1", "2024-09-01", "2024-09-10", "整改中")
        rect("RC02", "E1", "2024-09-01", "2024-09-25", "整改中", source="督导反馈")  # due on the as-of day
        rect("RC03", "E2", "2024-09-01", "2024-09-15", "已完成", "2024-09-18", evidence="照片")  # done late
        rect("RC04", "E2", "2024-09-01", "2024-09-30", "整改中")
        rect("RC05", "E2", "2024-09-28", "2024-10-30", "未启动")  # registered after the as-of day
        rect("RC06", "H1", "2024-09-02", "2024-09-20", "整改中")
        rect("RC07", "E31", "2024-09-01", "2024-09-30", "已销号", "2024-09-10", "2024-09-12")
        rect("RC08", "E31", "2024-09-01", "2024-09-30", "已销号", "2024-09-10", "2024-09-12")
        rect("RC09", "E31", "2024-09-01", "2024-09-30", "已销号", "2024-09-10", "2024-09-12", "会议记录")
        rect("RC10", "H2", "2024-09-01", "2024-09-29", "已销号", "2024-09-11", "2024-09-12", "台账")
        rect("RC11", "H2", "2024-09-01", "2024-09-29", "已销号", "2024-09-11", "2024-09-13", "台账")
        rect("RW1", "E1", "2024-09-01", "2024-09-30", "整改中", rnd=r2)

        def pledge(code, org_code, due, status, fulfilled=None, member_id=None):
            s.add(Pledge(code=code, round_id=r1.id, org_id=orgs[org_code].id, member_id=member_id,
                         content=f"承诺{code}", due_date=d(due), status=status,
                         fulfilled_date=d(fulfilled) if fulfilled else None))

        pledge("PL01", "E1", "2024-09-20", "推进中", member_id=member.id)
        pledge("PL02", "E1", "2024-09-25", "未启动")
        pledge("PL03", "E2", "2024-09-10", "已兑现", "2024-09-09")
        pledge("PL04", "E2", "2024-09-15", "已兑现", "2024-09-27")  # fulfilled only after the as-of day
        pledge("PL05", "H1", "2024-10-10", "推进中")

        g1, g2 = SupervisionGroup(name="第一督导组", leader="张三"), SupervisionGroup(name="第二督导组", leader="李四")
        s.add_all([g1, g2])
        s.flush()
        for group, code, cp in [(g1, "E", False), (g1, "E1", True), (g1, "E31", True), (g1, "H", False),
                                (g1, "H1", True), (g2, "E3", False), (g2, "T", False)]:
            s.add(SupervisionLink(group_id=group.id, org_id=orgs[code].id, is_contact_point=cp))
        s.flush()
        rebuild_rollups(s)
    return sessions


def run(view, sessions, filters=ALL, as_of=AS_OF, scope=EVERYTHING):
    """The view function's table for the request a caller builds for it (so its declared filters are
    checked as they are at the edges)."""
    name = {fn: key for key, fn in reports.LEDGER_VIEWS.items()}[view.__name__]
    asked = reports.request(name, {**_params(filters), "as_of": as_of}, scope)
    with sessions() as s:
        return view(s, asked)


def _params(filters):
    return {"round": filters.round, "system": filters.system, "region": filters.region, "org": filters.org,
            **dict(filters.extra)}


def col(table, name):
    i = table.headers.index(name)
    return [row[i] for row in table.rows]


def by(table, key, name):
    return dict(zip(col(table, key), col(table, name)))


# ---------------------------------------------------------------------------------------- 整改台账
def test_rectification_ledger_lights_overdue_days_and_order(campaign):
    table = run(lr.rectifications, campaign)
    # 灯 and 超期天数 first after the key (issue 16 point 5): what needs action is on screen first
    assert table.headers[:16] == ["问题编号", "灯", "超期天数", "整改时限", "组织编码", "组织名称", "问题来源", "问题描述",
                                  "整改措施", "责任人", "登记日期", "状态", "完成日期", "销号日期", "标记", "整改佐证"]
    assert table.headers[-1] == "措施编号" and set(col(table, "措施编号")) == {1}  # blank = the first measure
    # RC05 was registered after the as-of day: it does not exist yet. R2's item belongs to another round.
    # Red first, most days first; then yellow, soonest due; then the rest by deadline.
    order = col(table, "问题编号")
    assert order[:3] == ["RC01", "RC06", "RC02"] and sorted(order) == sorted(
        ["RC01", "RC06", "RC03", "RC02", "RC10", "RC11", "RC04", "RC07", "RC08", "RC09"])
    lights, deadlines = col(table, "灯"), col(table, "整改时限")
    rank = [{"红": 0, "黄": 1}.get(x, 2) for x in lights]
    assert rank == sorted(rank) and all(deadlines[i] <= deadlines[i + 1] for i in range(len(order) - 1)
                                        if rank[i] == rank[i + 1])
    days, light, mark = by(table, "问题编号", "超期天数"), by(table, "问题编号", "灯"), by(table, "问题编号", "标记")
    assert (days["RC01"], light["RC01"]) == (15, "红")  # 2024-09-10 → 09-25
    assert (days["RC06"], light["RC06"]) == (5, "红")
    assert (days["RC02"], light["RC02"]) == (0, "黄")  # deadline on the as-of day: not overdue, 临期
    assert (days["RC04"], light["RC04"]) == (0, "绿")  # five days left, outside the 3-day window
    assert (light["RC03"], mark["RC03"]) == ("绿", "逾期完成")  # done 09-18 after a 09-15 deadline
    assert mark["RC07"] == "" and mark["RC01"] == ""
    assert table.red_rows == {0, 1}
    assert table.title == f"整改台账 · {R1}" and table.as_of == AS_OF  # no round named: the newest (R1)


def test_rectification_as_of_earlier_day_shows_the_ledger_of_that_day(campaign):
    table = run(lr.rectifications, campaign, as_of=d("2024-09-11"))
    status, done = by(table, "问题编号", "状态"), by(table, "问题编号", "完成日期")
    # RC03 was completed on 09-18: on 09-11 it was still being worked on, four days before its deadline.
    assert (status["RC03"], done["RC03"], by(table, "问题编号", "灯")["RC03"]) == ("整改中", None, "绿")
    # RC07 was completed on 09-10 but only closed (销号) on 09-12.
    assert status["RC07"] == "已完成" and by(table, "问题编号", "销号日期")["RC07"] is None
    assert by(table, "问题编号", "灯")["RC01"] == "红" and by(table, "问题编号", "超期天数")["RC01"] == 1
    # One day later RC03 is three days from its deadline: inside the warning window.
    assert by(run(lr.rectifications, campaign, as_of=d("2024-09-12")), "问题编号", "灯")["RC03"] == "黄"


def test_working_days_skip_the_national_day_holiday(campaign):
    # Deadline Mon 2024-09-30; 10-01..10-07 are public holidays, 10-08 is the first working day after.
    on = run(lr.rectifications, campaign, Filters(round=R2), as_of=d("2024-10-08"))
    assert col(on, "问题编号") == ["RW1"] and col(on, "超期天数") == [1] and col(on, "灯") == ["红"]
    assert on.title == f"整改台账 · {R2}"
    # The same kind of item in a calendar-day round counts every day: RC01 (deadline 09-10) is 28 days late.
    assert by(run(lr.rectifications, campaign, as_of=d("2024-10-08")), "问题编号", "超期天数")["RC01"] == 28


def test_rectification_extra_filters(campaign):
    overdue = run(lr.rectifications, campaign, Filters(extra=(("overdue_only", "1"),)))
    assert col(overdue, "问题编号") == ["RC01", "RC06"]
    yellow = run(lr.rectifications, campaign, Filters(extra=(("light", "黄"),)))
    assert col(yellow, "问题编号") == ["RC02"] and yellow.red_rows == set()
    assert col(run(lr.rectifications, campaign, Filters(extra=(("source", "督导反馈"),))), "问题编号") == ["RC02"]
    closed = run(lr.rectifications, campaign, Filters(extra=(("status", "已销号"),)))
    assert col(closed, "问题编号") == ["RC10", "RC11", "RC07", "RC08", "RC09"]
    assert col(run(lr.rectifications, campaign, Filters(org="E3")), "问题编号") == ["RC07", "RC08", "RC09"]
    assert col(run(lr.rectifications, campaign, Filters(region="430200")), "问题编号") == ["RC06", "RC10", "RC11"]
    with pytest.raises(BadParameter, match="灯"):
        run(lr.rectifications, campaign, Filters(extra=(("light", "紫"),)))


def test_rectification_summary_and_ageing(campaign):
    table = run(lr.rectification_summary, campaign)
    assert table.headers == ["组织编码", "名称", "整改问题数", "整改措施数", "完成措施数", "整改完成率", "按期完成率",
                             "超期", "临期"]
    rows = {row[0]: row[2:] for row in table.rows}  # one measure per problem here: as many problems
    assert rows["E1"] == [2, 2, 0, 0.0, None, 1, 1]  # nothing done yet: 按期完成率 has no data, not 0%
    assert rows["E2"] == [2, 2, 1, 0.5, 0.0, 0, 0]  # RC05 not registered yet; RC03 done, but late
    assert rows["E31"] == [3, 3, 3, 1.0, 1.0, 0, 0]
    assert rows["H1"] == [1, 1, 0, 0.0, None, 1, 0]
    assert [c.format for c in table.columns][5:7] == [PERCENT, PERCENT]
    ageing = run(lr.rectification_ageing, campaign, as_of=d("2024-10-20"))
    # On 10-20: RC01 40 days late; RC06 30, RC02 25, RC04 20; RC03, RC07–RC11 are done, RC05 not yet due.
    assert ageing.rows == [["1–7天", 0], ["8–30天", 3], ["31–90天", 1], ["90天以上", 0]]  # every band, in order


def test_the_ageing_chart_and_a_filter_read_the_rows_the_summary_read_until_the_data_changes(campaign, monkeypatch):
    """整改台账 opens with both: the second reads no rectification again, nor a change of its filters; an import
    (a new data version) does."""
    from data import ledger_queries
    from data.rollups import bump_version

    reads = []
    read = ledger_queries.rectifications
    monkeypatch.setattr(ledger_queries, "rectifications", lambda *a, **k: reads.append(1) or read(*a, **k))
    summary = run(lr.rectification_summary, campaign, as_of=d("2024-10-20"))
    ageing = run(lr.rectification_ageing, campaign, as_of=d("2024-10-20"))
    assert len(reads) == 1
    assert sum(n for _, n in ageing.rows) == sum(row[7] for row in summary.rows) == 4
    # A filter of the ledger (a 灯) picks among the states kept: only its rows, nothing read again.
    red = run(lr.rectification_summary, campaign, Filters(extra=(("light", "红"),)), as_of=d("2024-10-20"))
    assert sum(row[3] for row in red.rows) == 4 and all(row[7] == row[3] for row in red.rows)
    assert len(reads) == 1
    assert run(lr.rectification_ageing, campaign, as_of=d("2024-10-21")).rows and len(reads) == 2  # another day
    with campaign() as s:
        bump_version(s)
        s.commit()
    assert run(lr.rectification_ageing, campaign, as_of=d("2024-10-20")).rows == ageing.rows
    assert len(reads) == 3


# ---------------------------------------------------------------------------------------- 承诺践诺
def test_pledge_ledger_and_overdue_list(campaign):
    table = run(lr.pledges, campaign)
    assert table.headers == ["承诺编号", "组织编码", "组织名称", "党员编号", "党员姓名", "承诺内容", "承诺时限", "状态",
                             "兑现日期", "是否到期", "逾期未兑现", "逾期天数"]
    assert col(table, "承诺编号") == ["PL04", "PL01", "PL03", "PL02", "PL05"]
    row = {r[0]: r for r in table.rows}
    assert row["PL01"][3:5] == ["M1", "王五"] and row["PL01"][9:] == ["是", "是", 5]
    assert row["PL02"][9:] == ["是", "否", 0]  # due today: 到期 but not yet 逾期
    # PL04 was fulfilled on 09-27, after the as-of day: on 09-25 it was 10 days overdue.
    assert row["PL04"][7:] == ["推进中", None, "是", "是", 10]
    assert row["PL03"][7:] == ["已兑现", d("2024-09-09"), "是", "否", 0]
    assert row["PL05"][9:] == ["否", "否", 0]
    assert table.red_rows == {0, 1}
    overdue = run(lr.pledges, campaign, Filters(extra=(("overdue_only", "true"),)))
    assert col(overdue, "承诺编号") == ["PL04", "PL01"] and col(overdue, "逾期天数") == [10, 5]
    later = run(lr.pledges, campaign, as_of=d("2024-09-30"))
    assert by(later, "承诺编号", "状态")["PL04"] == "已兑现" and by(later, "承诺编号", "逾期未兑现")["PL04"] == "否"


def test_pledge_summary_by_org(campaign):
    table = run(lr.pledge_summary_by_org, campaign)
    assert table.headers == ["组织编码", "名称", "承诺数", "到期承诺", "已兑现", "承诺兑现率", "逾期未兑现"]
    rows = {r[0]: r[2:] for r in table.rows}
    assert rows == {"E1": [2, 2, 0, 0.0, 1], "E2": [2, 2, 1, 0.5, 1], "H1": [1, 0, 0, None, 0]}


# ---------------------------------------------------------------------------------------- 督导联系点
def test_contact_points_per_unit_shortfall_and_gap(campaign):
    table = run(lr.contact_points, campaign)
    # the key, then 差距 and 超期整改 first (issue 16 point 5)
    assert table.headers[:7] == ["单位名称", "差距", "超期整改", "督导组", "督导组长", "单位编码", "联系点数"]
    assert list(zip(col(table, "督导组"), col(table, "单位编码"))) == [
        ("第一督导组", "E"), ("第一督导组", "H"), ("第二督导组", "E3"), ("第二督导组", "T")]
    e, h, e3, tt = ({name: v for name, v in zip(table.headers, row)} for row in table.rows)
    # E: E1 (30,0,0) + E2 (10,4,6) + E31 (15,5,0) = S55 B9 U6; contact points E1+E31 = S45 B5; rest E2.
    assert (e["联系点数"], e["联系点不足"], e["联系点"]) == (2, "否", "E1 一支部、E31 三支部")
    assert e["单位综合满意率"] == pytest.approx(64 / 70)
    assert (e["联系点综合满意率"], e["其余综合满意率"]) == (pytest.approx(1.0), pytest.approx(0.7))
    assert e["差距"] == pytest.approx(0.3)
    assert (e["超期整改"], e["逾期未兑现"], e["最近数据日期"]) == (1, 2, d("2024-09-22"))
    # H: one contact point; H1 and H2 alike, so no gap. H2's data came after the as-of day.
    assert (h["联系点数"], h["联系点不足"], h["差距"]) == (1, "是", pytest.approx(0.0))
    assert (h["超期整改"], h["逾期未兑现"], h["最近数据日期"]) == (1, 0, d("2024-09-18"))
    # E31 is 第一督导组's contact point (its unit is E), not 第二督导组's unit E3's.
    assert (e3["联系点数"], e3["联系点"], e3["联系点综合满意率"], e3["差距"]) == (0, None, None, None)
    assert e3["其余综合满意率"] == pytest.approx(1.0)
    assert (tt["联系点不足"], tt["单位综合满意率"], tt["最近数据日期"]) == ("是", None, None)  # no data: None, not 0
    assert table.red_rows == {1, 2, 3}
    one = run(lr.contact_points, campaign, Filters(extra=(("group", "第二督导组"),)))
    assert col(one, "单位编码") == ["E3", "T"]
    with pytest.raises(NotFound, match="督导组"):
        run(lr.contact_points, campaign, Filters(extra=(("group", "第九督导组"),)))


def test_contact_point_detail_flags_a_showcase(campaign):
    table = run(lr.contact_point_detail, campaign)
    flags = by(table, "联系点编码", '疑似"盆景"')
    assert flags == {"E1": "是", "E31": "是", "H1": "否"}  # E's points 100% vs the rest 70%; H1 level with H2
    assert by(table, "联系点编码", "差距")["E1"] == pytest.approx(0.3)
    assert by(table, "联系点编码", "测评数") == {"E1": 30, "E31": 20, "H1": 12}
    assert by(table, "联系点编码", "超期整改") == {"E1": 1, "E31": 0, "H1": 1}


@pytest.mark.parametrize("as_of", [AS_OF, d("2024-09-30")])
@pytest.mark.parametrize("view", [lr.contact_points, lr.contact_point_detail])
def test_contact_points_read_from_the_node_index_agree_with_the_rows_under_the_units(campaign, view, as_of,
                                                                                    monkeypatch):
    """A scope of whole subtrees (everything, orgs or 督导组 granted) gets the subtrees' figures from the node
    index; read from the rows under the units instead (the path a system's scope takes), each gives the same
    table, to the last figure."""
    scopes = (EVERYTHING, Scope(org_codes=frozenset({"E", "H", "T"})), Scope(org_codes=frozenset({"E"})),
              Scope(groups=frozenset({"第一督导组"})))
    assert all(lr.whole_subtrees(scope) for scope in scopes)
    from_index = [run(view, campaign, as_of=as_of, scope=scope) for scope in scopes]
    monkeypatch.setattr(lr, "whole_subtrees", lambda scope: False)
    for scope, whole in zip(scopes, from_index):
        rows = run(view, campaign, as_of=as_of, scope=scope)
        assert whole.rows == rows.rows and whole.red_rows == rows.red_rows and whole.rows, scope
    every_system = Scope(systems=frozenset({"教育系统", "卫生健康系统", "交通运输系统"}))
    assert not lr.whole_subtrees(every_system)
    assert run(view, campaign, as_of=as_of, scope=every_system).rows == from_index[0].rows
    if view is lr.contact_points:  # H's 最近数据日期 moves with the day: H2's report came on 09-26
        assert by(from_index[0], "单位编码", "最近数据日期")["H"] == (d("2024-09-26") if as_of > d("2024-09-26")
                                                                    else d("2024-09-18"))


# ---------------------------------------------------------------------------------------- 上报进度
def test_reporting_status_per_expected_org(campaign):
    table = run(lr.reporting, campaign)
    assert table.headers == ["组织编码", "组织名称", "系统", "地区", "上报状态", "审核状态", "首次上报时间", "最近上报时间",
                             "审核人", "审核时间", "退回原因", "公示状态", "公示逾期"]
    # T1 is a leaf, but 交通运输系统 has no data in the round: not expected. Parents are not expected.
    assert [(r[0], r[4]) for r in table.rows] == [("E32", "未上报"), ("H2", "未上报"), ("E2", "逾期上报"),
                                                  ("E1", "已上报"), ("E31", "已上报"), ("H1", "已上报")]
    row = {r[0]: r for r in table.rows}
    assert row["E1"][6:8] == ["2024-09-10 09:00", "2024-09-21 10:00"]
    assert row["H2"][6:8] == [None, None]  # its report came on 09-26, after the as-of day
    assert row["E1"][2:4] == ["教育系统", "湖南省/长沙市"]
    assert table.red_rows == {0, 1}
    later = run(lr.reporting, campaign, as_of=d("2024-09-30"))
    assert by(later, "组织编码", "上报状态")["H2"] == "逾期上报"
    # On 09-12 only 教育系统 had data: 卫生健康系统's orgs were not expected yet.
    early = run(lr.reporting, campaign, as_of=d("2024-09-12"))
    assert by(early, "组织编码", "上报状态") == {"E1": "已上报", "E2": "未上报", "E31": "未上报", "E32": "未上报"}


def test_reporting_completeness_by_system_and_city(campaign):
    table = run(lr.reporting_completeness, campaign)
    assert table.headers == ["维度", "名称", "应上报数", "已上报数", "逾期上报数", "未上报数", "上报完整率"]
    assert table.rows == [["系统", "卫生健康系统", 2, 1, 0, 1, 0.5], ["系统", "教育系统", 4, 3, 1, 1, 0.75],
                          ["市/州", "株洲市", 2, 1, 0, 1, 0.5], ["市/州", "长沙市", 4, 3, 1, 1, 0.75]]
    # Counted in the database, it agrees with the per-org statuses on every day.
    for day in (d("2024-09-12"), d("2024-09-30")):
        per_org = Counter((r[2], r[4]) for r in run(lr.reporting, campaign, as_of=day).rows)
        totals = {r[1]: r[2:6] for r in run(lr.reporting_completeness, campaign, as_of=day).rows if r[0] == "系统"}
        assert totals == {system: [sum(n for (s, _), n in per_org.items() if s == system),
                                   per_org[(system, "已上报")] + per_org[(system, "逾期上报")],
                                   per_org[(system, "逾期上报")], per_org[(system, "未上报")]]
                          for system in {s for s, _ in per_org}}


# ---------------------------------------------------------------------------------------- 数据质量
def test_quality_checks_fire_on_planted_cases_only(campaign):
    table = run(lr.quality, campaign)
    assert table.headers == ["检查项", "组织编码", "组织名称", "数量", "说明"]
    found = [(r[0], r[1], r[3]) for r in table.rows]
    assert found == [
        ("作废场次", "E1", 1),
        ("满意率100%", "E1", 30),
        ("无不满意", "E31", 20),
        ("各项分布相同", "E2", 3),
        ("结果雷同", "H1", 2),
        ("结果雷同", "H2", 2),
        ("缺少参评类别", "E2", 1),
        ("直线作答", "E2", 4),
        ("同日销号", "E31", 3),
        ("无佐证销号", "E31", 2),
    ]
    text = {(r[0], r[1]): r[4] for r in table.rows}
    assert "收回32份" in text[("作废场次", "E1")]
    assert "H2 卫生院支部" in text[("结果雷同", "H1")]
    assert "单位参评人员" in text[("缺少参评类别", "E2")] and "2/3" in text[("缺少参评类别", "E2")]
    # By chance a ballot straight-lines with p = .3·.4·.4 (满意) + .6·.6·.5 (基本满意) + 0 = .228; 4 × .228.
    assert "预期约0.91张" in text[("直线作答", "E2")]
    assert "2024-09-12" in text[("同日销号", "E31")]
    assert "RC07、RC08" in text[("无佐证销号", "E31")]
    assert any("测评数≥20" in note for note in table.notes)  # the thresholds travel with the table


def test_quality_within_a_system_scope(campaign):
    edu = run(lr.quality, campaign, scope=Scope(systems=frozenset({"教育系统"})))
    assert {r[1] for r in edu.rows} == {"E1", "E2", "E31"}
    health = run(lr.quality, campaign, scope=Scope(systems=frozenset({"卫生健康系统"})))
    assert [(r[0], r[1]) for r in health.rows] == [("结果雷同", "H1"), ("结果雷同", "H2")]


# ---------------------------------------------------------------------------------------- scope and errors
VIEWS = [lr.rectifications, lr.pledges, lr.contact_points, lr.reporting, lr.quality, lr.rectification_summary,
         lr.pledge_summary_by_org, lr.contact_point_detail, lr.reporting_completeness, lr.rectification_ageing]


def test_scope_of_one_subtree_and_one_group(campaign):
    subtree = Scope(org_codes=frozenset({"E3"}))
    assert col(run(lr.rectifications, campaign, scope=subtree), "问题编号") == ["RC07", "RC08", "RC09"]
    assert col(run(lr.reporting, campaign, scope=subtree), "组织编码") == ["E32", "E31"]
    assert col(run(lr.contact_points, campaign, scope=subtree), "单位编码") == ["E3"]
    assert col(run(lr.pledges, campaign, scope=subtree), "承诺编号") == []
    group = Scope(groups=frozenset({"第二督导组"}))
    assert col(run(lr.contact_points, campaign, scope=group), "单位编码") == ["E3", "T"]
    assert col(run(lr.rectifications, campaign, scope=group), "问题编号") == ["RC07", "RC08", "RC09"]
    # Quality findings of the subtree only; the 缺少参评类别 norm of 教育系统 is not E31's finding.
    assert [(r[0], r[1]) for r in run(lr.quality, campaign, scope=subtree).rows] == [
        ("无不满意", "E31"), ("同日销号", "E31"), ("无佐证销号", "E31")]
    with pytest.raises(OutOfScope):
        run(lr.rectifications, campaign, Filters(org="E1"), scope=subtree)


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_empty_scope_sees_nothing(campaign, view):
    table = run(view, campaign, scope=NOTHING)
    if view is lr.rectification_ageing:  # the chart keeps its four bands, each with nothing in it
        assert table.rows == [[band, 0] for band in metrics.AGEING_BANDS] and table.scope == "无"
    else:
        assert table.rows == [] and table.scope == "无"


def test_unknown_names_are_not_found(campaign):
    for filters in (Filters(round="2099年"), Filters(system="无此系统"), Filters(region="999999"),
                    Filters(org="X9")):
        with pytest.raises(NotFound):
            run(lr.rectifications, campaign, filters)


def test_no_round_yet_is_not_found(sessions):
    with pytest.raises(NotFound, match="尚无评议批次"):
        run(lr.reporting, sessions)


def test_the_ledgers_of_everyone_are_read_without_a_filter_on_every_org(campaign):
    """Someone who sees everything, with no filter, reads a round's rectifications and pledges without
    `org_id IN (every org)` (at province that filter cost more than the rows it kept); any narrower set of
    orgs is still a filter, and both read the same rows where they cover the same orgs."""
    from sqlalchemy import select

    from data import ledger_queries as lq, queries

    with campaign() as db:
        every = lq.visible_org_ids(db, EVERYTHING, Filters())
        systems = Scope(systems=frozenset(db.scalars(select(System.name)).all()))
        narrowed = lq.visible_org_ids(db, systems, Filters())
        assert " IN " not in str(select(Rectification.id).where(queries.of_orgs(Rectification.org_id, every)))
        assert " IN " in str(select(Rectification.id).where(queries.of_orgs(Rectification.org_id, narrowed)))
        round_id = db.scalars(select(Rectification.round_id)).first()
        assert lq.rectifications(db, round_id, every) == lq.rectifications(db, round_id, narrowed) != []
        assert lq.pledges(db, round_id, every) == lq.pledges(db, round_id, narrowed) != []
