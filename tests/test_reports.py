"""Reports against a real database (SQLite and PostgreSQL), every figure recomputed by hand.

The dataset is described in tests/report_dataset.py; as of 2024-12-31 unless a test says otherwise.
"""
from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import select

from dashboard import reports
from domain import metrics
from domain.scope import EVERYTHING, NOTHING, Scope
from domain.tables import Filters
from data.models import Item, Org, Round, Tally
from data.rollups import rebuild_closure, rebuild_rollups
from tests import report_dataset as rd

Z95 = 1.959963984540054
AS_OF = rd.AS_OF


def wilson_by_hand(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval in its count form: (k + z²/2 ± z·√(k(n−k)/n + z²/4)) / (n + z²)."""
    half = z * math.sqrt(k * (n - k) / n + z * z / 4)
    return (k + z * z / 2 - half) / (n + z * z), (k + z * z / 2 + half) / (n + z * z)


@pytest.fixture
def db(sessions):
    with sessions() as s:
        rd.load(s)
    with sessions() as s:
        yield s


def rows_by_key(table) -> dict:
    return {row[0]: dict(zip(table.headers, row)) for row in table.rows}


def drill(db, scope=EVERYTHING, as_of=AS_OF, **filters):
    return reports.drilldown(db, rd.ask(Filters(**filters), as_of, scope))


# ---------------------------------------------------------------------------------------- drill levels
def test_top_level_lists_systems_with_pooled_headline_counts(db):
    table = drill(db)
    assert table.title == f"下钻 · {rd.R2}"  # newest round by start date when none is chosen
    assert table.headers[:3] == ["系统", "名称", "测评数"]
    rows = rows_by_key(table)
    assert list(rows) == ["交通运输系统", "卫生健康系统"]
    t = rows["交通运输系统"]  # A 13/5/6 + A1 8/1/1 + A2 2/3/7 + A21 1/1/8 + B 30/5/5
    assert t["测评数"] == 96
    assert t["满意率"] == pytest.approx(54 / 96) and t["综合满意率"] == pytest.approx(69 / 96)
    assert t["测评得分"] == pytest.approx((100 * 54 + 60 * 15) / 96)
    h = rows["卫生健康系统"]  # C has no 总体评价 answers, so its 工作作风 item counts; 不了解 never in N
    assert (h["测评数"], h["不了解"], h["不满意率"], h["综合满意率"]) == (21, 2, 0.0, 1.0)


def test_system_level_groups_by_city_and_province_level_orgs_under_the_province(db):
    table = drill(db, system="交通运输系统")
    assert table.headers[0] == "地区"
    assert [(r[0], r[1], r[2]) for r in table.rows] == [("510000", "四川省本级", 40), ("510100", "成都市", 56)]


def test_region_level_lists_top_orgs_of_the_region_with_their_narrowed_subtrees(db):
    rows = rows_by_key(drill(db, region="510104"))  # A sits in 成都市 itself, so A1 and A2 are the tops
    assert list(rows) == ["A1", "A2"]
    assert rows["A2"]["测评数"] == 22  # A2 (12) + A21 (10)
    assert list(rows_by_key(drill(db, system="交通运输系统", region="510100"))) == ["A"]
    assert drill(db, system="卫生健康系统", region="510100").rows == []


def test_parent_rate_pools_answers_and_never_averages_child_rates(db):
    a = rows_by_key(drill(db, region="510100"))["A"]
    assert a["测评数"] == 56
    assert a["综合满意率"] == pytest.approx(34 / 56)
    children = rows_by_key(drill(db, org="A"))
    assert sum(r["测评数"] for r in children.values()) + 24 == 56  # plus A's own 24 answers
    system = rows_by_key(drill(db))["交通运输系统"]
    cities = rows_by_key(drill(db, system="交通运输系统"))
    assert system["综合满意率"] == pytest.approx((35 + 34) / (40 + 56))  # 0.71875
    mean_of_rates = (cities["510000"]["综合满意率"] + cities["510100"]["综合满意率"]) / 2  # 0.741
    assert abs(system["综合满意率"] - mean_of_rates) > 0.02


def test_wilson_interval_and_verdicts(db):
    table = drill(db, org="A")
    rows = rows_by_key(table)
    lo, hi = wilson_by_hand(7, 22)
    assert rows["A2"]["置信下限"] == pytest.approx(lo, abs=1e-9)
    assert rows["A2"]["置信上限"] == pytest.approx(hi, abs=1e-9)
    assert hi < 2 / 3 and rows["A2"]["红线判定"] == "确认低于"
    assert rows["A1"]["红线判定"] == "达标"
    assert table.red_rows == {list(rows).index("A2")}
    a = rows_by_key(drill(db, region="510100"))["A"]
    lo, hi = wilson_by_hand(34, 56)
    assert lo < 34 / 56 < 2 / 3 < hi and a["红线判定"] == "疑似低于"
    assert rows_by_key(drill(db, org="C"))["C1"]["红线判定"] == "样本不足"  # N = 6 < 10


def test_pledges_and_rectifications_as_of_a_date(db):
    a = rows_by_key(drill(db, region="510100"))["A"]
    # Due by 12-31: P1 (fulfilled 11-20), P2 (open), P3 (due on the day, fulfilled 2025-01-05), P5 (member's).
    assert (a["到期承诺"], a["承诺兑现率"], a["逾期未兑现"]) == (4, 0.5, 1)
    # Registered by 12-31: Z1 (overdue), Z2 (done 11-15), Z3 (done only 2025-01-10); Z4 registered later.
    assert (a["整改问题数"], a["整改措施数"], a["超期整改"]) == (3, 3, 2)
    assert a["整改完成率"] == pytest.approx(1 / 3)
    c1 = rows_by_key(drill(db, org="C"))["C1"]
    assert (c1["临期整改"], c1["超期整改"]) == (1, 0)  # deadline 2025-01-02, inside the 3-day window
    assert (a["灯"], c1["灯"]) == ("红", "黄")  # a node shows its worst rectification light
    assert rows_by_key(drill(db, region="510104"))["A2"]["灯"] == "红"  # Z1 of A21 is overdue
    assert rows_by_key(drill(db))["交通运输系统"]["灯"] == "红"

    assert rows_by_key(drill(db, org="A"))["A1"]["灯"] == "红"  # Z3 not done by 12-31
    later = rows_by_key(drill(db, region="510104", as_of=date(2025, 1, 10)))
    assert later["A2"]["承诺兑现率"] == pytest.approx(2 / 3)  # P3 now fulfilled, P2 still open
    a1 = later["A1"]
    assert (a1["整改完成率"], a1["按期完成率"], a1["超期整改"], a1["灯"]) == (1.0, 0.0, 0, "绿")  # done late


def test_a_leaf_org_lists_its_members_and_never_grades_probationary_members(db):
    table = drill(db, org="A21")
    assert table.headers[:3] == ["党员编号", "名称", "党员类别"]
    rows = rows_by_key(table)
    assert list(rows) == ["M1", "M2"]
    assert (rows["M1"]["测评数"], rows["M1"]["综合满意率"], rows["M1"]["红线判定"]) == (10, 0.9, "达标")
    assert (rows["M1"]["到期承诺"], rows["M1"]["承诺兑现率"]) == (1, 1.0)
    assert rows["M1"]["整改完成率"] is None and rows["M1"]["灯"] is None
    assert (rows["M2"]["党员类别"], rows["M2"]["红线判定"]) == ("预备", "不评定")


def test_an_older_round_is_chosen_by_name(db):
    rows = rows_by_key(drill(db, round=rd.R1))
    assert list(rows) == ["交通运输系统"] and rows["交通运输系统"]["测评数"] == 10


# ---------------------------------------------------------------------------------------- breakdowns
def test_category_breakdown_hides_small_cells(db):
    table = reports.categories_breakdown(db, rd.ask(Filters(org="A"), AS_OF, EVERYTHING))
    rows = rows_by_key(table)
    assert list(rows) == ["单位参评人员", "服务对象"]
    unit = rows["单位参评人员"]  # A 10/5/5 + A1 8/1/1 + A2 2/3/7 + A21 1/1/8 (headline item only)
    assert (unit["测评数"], unit["满意"], unit["基本满意"], unit["不满意"]) == (52, 21, 10, 21)
    assert unit["综合满意率"] == pytest.approx(31 / 52)
    hidden = rows["服务对象"]  # 4 answers < threshold 5
    assert hidden["测评数"] == "<5" and hidden["满意"] == "<5"
    assert hidden["满意率"] is None and hidden["综合满意率"] is None
    assert any("<5" in note for note in table.notes)


def test_category_breakdown_counts_every_item_of_an_org_without_the_overall_item(db):
    """The headline rule per org: C answered only 工作作风 (no 总体评价), so those answers are its headline;
    C1 answered 总体评价, so only that counts."""
    rows = rows_by_key(reports.categories_breakdown(db, rd.ask(Filters(org="C"), AS_OF, EVERYTHING)))
    assert list(rows) == ["单位参评人员", "服务对象"]
    assert (rows["服务对象"]["满意"], rows["服务对象"]["基本满意"], rows["服务对象"]["不满意"]) == (12, 3, 0)
    assert (rows["单位参评人员"]["满意"], rows["单位参评人员"]["基本满意"]) == (4, 2)


def test_items_breakdown_sums_the_node_subtree(db):
    table = reports.items_breakdown(db, rd.ask(Filters(org="A"), AS_OF, EVERYTHING))
    rows = rows_by_key(table)
    assert list(rows) == ["总体评价", "工作作风"]
    assert rows["总体评价"]["测评数"] == 56 and rows["总体评价"]["综合满意率"] == pytest.approx(34 / 56)
    assert rows["工作作风"]["测评数"] == 20 and rows["工作作风"]["综合满意率"] == 0.5
    assert table.notes == []


# ---------------------------------------------------------------------------------------- red line
def test_redline_lists_only_candidates_lowest_bound_first_with_reasons(db):
    table = reports.redline(db, rd.ask(Filters(), AS_OF, EVERYTHING))
    rows = rows_by_key(table)
    assert list(rows) == ["A21", "A2", "A"]  # lower bounds: 2/10, 7/22, 34/56
    assert [r["置信下限"] for r in rows.values()] == pytest.approx(
        [wilson_by_hand(2, 10)[0], wilson_by_hand(7, 22)[0], wilson_by_hand(34, 56)[0]], abs=1e-9)
    assert [r["红线判定"] for r in rows.values()] == ["确认低于", "确认低于", "疑似低于"]
    assert table.red_rows == {0, 1}
    assert (rows["A"]["超期整改"], rows["A"]["逾期未兑现"]) == (2, 1)
    assert rows["A"]["最低测评项目"].startswith("工作作风 50.0%")
    assert "超期整改 1 项" in rows["A21"]["原因"] and "逾期未兑现承诺 1 项" in rows["A21"]["原因"]


def test_funnel_points_and_limits(db):
    data = reports.funnel(db, rd.ask(Filters(), AS_OF, EVERYTHING))
    assert data["metric"] == "综合满意率"
    assert [p["code"] for p in data["points"]] == ["A", "A1", "A2", "A21", "B", "C", "C1"]
    assert data["pooled"] == pytest.approx(90 / 117)
    limits = data["limits"]
    assert limits["n"][-1] == 40
    p = 90 / 117
    half = Z95 * math.sqrt(p * (1 - p) / 40)
    assert limits["lower95"][-1] == pytest.approx(p - half, abs=1e-9)
    assert all(lo998 <= lo95 for lo95, lo998 in zip(limits["lower95"], limits["lower998"]))
    assert data["total_points"] == 7
    for point in data["points"]:  # each point's band is the scalar limits' verdict
        below998 = point["rate"] < metrics.funnel_limits(p, point["n"], 0.998)[0]
        below95 = point["rate"] < metrics.funnel_limits(p, point["n"], 0.95)[0]
        assert point["band"] == ("low998" if below998 else "low95" if below95 else "ok")
    # The node index (everything) and rollup_headline (any other scope) give the same points.
    every_system = Scope(systems=frozenset({"交通运输系统", "卫生健康系统"}))
    assert reports.funnel(db, rd.ask(Filters(), AS_OF, every_system))["points"] == data["points"]


def test_a_large_funnel_keeps_every_flagged_org_and_samples_the_rest(db):
    full = reports.funnel(db, rd.ask(Filters(), AS_OF, EVERYTHING))
    flagged = {p["code"] for p in full["points"] if p["band"] != "ok"}
    assert flagged  # the fixture has orgs below the limits
    small = reports.funnel(db, rd.ask(Filters(), AS_OF, EVERYTHING), max_points=len(flagged) + 1)
    assert (small["total_points"], small["flagged_points"], len(small["points"])) == (7, len(flagged), len(flagged) + 1)
    assert flagged <= {p["code"] for p in small["points"]}
    assert small["pooled"] == full["pooled"] and small["limits"] == full["limits"]  # from every org
    # Room for fewer than the flagged orgs: the ones furthest below the 95% limit.
    lowest = sorted((p for p in full["points"] if p["band"] != "ok"),
                    key=lambda p: p["rate"] - metrics.funnel_limits(full["pooled"], p["n"], 0.95)[0])
    tiny = reports.funnel(db, rd.ask(Filters(), AS_OF, EVERYTHING), max_points=2)
    assert sorted(p["code"] for p in tiny["points"]) == sorted(p["code"] for p in lowest[:2])


# ---------------------------------------------------------------------------------------- overview
def test_overview_kpis_tables_and_trend(db):
    data = reports.overview(db, rd.ask(Filters(), AS_OF, EVERYTHING))
    k = data["kpis"]
    assert k["参评人次"] == 20  # 收回 of A21 (10) and A1 (10); A2's session is void (收回 12 > 发放 10)
    assert data["参评人次口径"].startswith("测评场次收回份数")
    assert k["综合满意率"] == pytest.approx(90 / 117) and k["满意率"] == pytest.approx(70 / 117)
    assert (k["返工/补课"], k["承诺兑现率"], k["整改完成率"], k["超期整改"]) == (3, 0.5, 0.25, 2)
    assert [r[:3] for r in data["by_region"].rows] == [
        ["510000", "四川省本级", 40], ["510100", "成都市", 56], ["510700", "绵阳市", 21]]
    assert [(t["round"], t["综合满意率"]) for t in data["trend"]] == [
        (rd.R1, 1.0), (rd.R2, pytest.approx(90 / 117))]


def test_overview_falls_back_to_n_without_sessions(db):
    data = reports.overview(db, rd.ask(Filters(system="卫生健康系统"), AS_OF, EVERYTHING))
    assert data["kpis"]["参评人次"] == 21 and data["参评人次口径"].startswith("测评数")


# ---------------------------------------------------------------------------------------- scope
def test_unit_scope_sees_only_its_subtree(db):
    unit = Scope(org_codes=frozenset({"A2"}))
    rows = rows_by_key(drill(db, unit))
    assert list(rows) == ["交通运输系统"] and rows["交通运输系统"]["测评数"] == 22
    assert rows["交通运输系统"]["到期承诺"] == 3  # P2, P3, P5 only
    assert list(rows_by_key(drill(db, unit, org="A2"))) == ["A21"]
    assert list(rows_by_key(reports.redline(db, rd.ask(Filters(), AS_OF, unit)))) == ["A21", "A2"]
    assert drill(db, unit).scope == "组织 A2"
    with pytest.raises(reports.OutOfScope):
        drill(db, unit, org="A")
    with pytest.raises(reports.OutOfScope):
        reports.build("redline", db, rd.ask(Filters(org="C1"), AS_OF, unit, view="redline"))


def test_group_and_system_scopes(db):
    group = Scope(groups=frozenset({"第一督导组"}))
    assert [(r[0], r[2]) for r in drill(db, group).rows] == [("卫生健康系统", 21)]
    system = Scope(systems=frozenset({"卫生健康系统"}))
    assert [p["code"] for p in reports.funnel(db, rd.ask(Filters(), AS_OF, system))["points"]] == ["C", "C1"]


def test_empty_scope_sees_nothing(db):
    assert drill(db, NOTHING).rows == []
    assert reports.redline(db, rd.ask(Filters(), AS_OF, NOTHING)).rows == []
    assert reports.overview(db, rd.ask(Filters(), AS_OF, NOTHING))["kpis"]["综合满意率"] is None
    with pytest.raises(reports.OutOfScope):
        drill(db, NOTHING, org="A")


def test_unknown_names_raise_not_found(db):
    for filters, named in ((dict(round="没有的批次"), "没有的批次"), (dict(system="没有的系统"), "没有的系统"),
                           (dict(region="999999"), "999999"), (dict(org="ZZZ"), "ZZZ"),
                           (dict(system="交通运输系统", region="510000", org="ZZZ"), "组织编码：ZZZ"),
                           (dict(round="没有的批次", org="A"), "没有的批次")):
        with pytest.raises(reports.NotFound, match=named):
            drill(db, **filters)
    with pytest.raises(reports.BadParameter):
        reports.build("nonsense", db, rd.ask(Filters(), AS_OF, EVERYTHING, view="nonsense"))


# ---------------------------------------------------------------------------------------- navigation
def test_breadcrumb_and_child_filters(db):
    path = reports.node_path(db, rd.ask(Filters(region="510104", org="A21"), scope=EVERYTHING))
    assert [label for label, _ in path] == ["全部", "锦江区", "运输公司党总支", "运输公司一支部"]
    assert path[2][1] == Filters(region="510104", org="A2")
    top = drill(db)
    assert reports.child_filters(Filters(), top, 0) == Filters(system="交通运输系统")
    members = drill(db, org="A21")
    assert reports.child_filters(Filters(org="A21"), members, 0) is None


def test_build_serves_every_export_view(db):
    """The seven views of docs/cli.md all come through build(), each with its own Chinese headers."""
    first_header = {"drilldown": "系统", "redline": "组织编码", "rectifications": "问题编号",
                    "pledges": "承诺编号", "contact-points": "督导组", "reporting": "组织编码", "quality": "检查项"}
    for view, header in first_header.items():
        table = reports.build(view, db, rd.ask(Filters(), AS_OF, EVERYTHING, view=view))
        assert table.view == view and header in table.headers
    with pytest.raises(reports.BadParameter):
        reports.build("nonsense", db, rd.ask(Filters(), AS_OF, EVERYTHING, view="nonsense"))


def test_four_level_scale_shows_option_shares_with_unique_headers(sessions):
    with sessions() as s:
        rd.load(s)
        rnd = s.scalar(select(Round).where(Round.name == rd.R2))
        rnd.scale = "四级"  # the stored positions now read 满意, 比较满意, 基本满意, 不满意
        s.commit()
    with sessions() as s:
        table = reports.drilldown(s, rd.ask(Filters(org="A"), AS_OF, EVERYTHING))
        assert len(set(table.headers)) == len(table.headers)
        a1 = rows_by_key(table)["A1"]  # positions 8, 1, 1: S = 满意 + 比较满意 = 9, B = 1
        assert (a1["满意率"], a1["满意率（选项）"], a1["比较满意率"], a1["基本满意率"]) == (0.9, 0.8, 0.1, 0.1)
        assert "基本满意率（选项）" not in a1  # identical to the bucket rate: not repeated
        items = reports.items_breakdown(s, rd.ask(Filters(org="A1"), AS_OF, EVERYTHING))
        assert items.headers[2:6] == ["满意", "比较满意", "基本满意", "不满意"]
        assert items.rows[0][2:6] == [8, 1, 1, 0]


def test_ledger_view_errors_reach_callers_as_report_errors(db):
    """The CLI and the API catch ReportError: the ledger views' own errors must arrive as those."""
    with pytest.raises(reports.NotFound):
        reports.build("rectifications", db, rd.ask(Filters(org="ZZZ"), AS_OF, EVERYTHING, view="rectifications"))
    with pytest.raises(reports.OutOfScope):
        reports.build("pledges", db, rd.ask(Filters(org="A"), AS_OF, Scope(org_codes=frozenset({"C"})), view="pledges"))
    assert issubclass(reports.NotFound, LookupError) and issubclass(reports.OutOfScope, PermissionError)
    assert issubclass(reports.BadParameter, ValueError)


def test_a_system_filter_narrows_subtrees_to_that_system(sessions):
    """A cross-system child (卫生 org under 交通's A) counts under A, except when 交通 is the filter."""
    with sessions() as s:
        ids = rd.load(s)["orgs"]
        a, c = s.get(Org, ids["A"]), s.get(Org, ids["C"])
        rnd = s.scalar(select(Round).where(Round.name == rd.R2))
        item = s.scalar(select(Item).where(Item.round_id == rnd.id, Item.is_overall.is_(True)))
        clinic = Org(code="A3", name="交通医院党支部", org_type="党支部", parent_id=a.id, system_id=c.system_id,
                     region_id=a.region_id, cross_system=True)
        s.add(clinic)
        s.flush()
        s.add(Tally(round_id=rnd.id, org_id=clinic.id, item_id=item.id, category="单位参评人员", opt1=10,
                    first_reported_at=rd.T0, updated_at=rd.T0))
        rebuild_closure(s)
        rebuild_rollups(s)
        s.commit()
    with sessions() as s:
        assert rows_by_key(drill(s, region="510100"))["A"]["测评数"] == 66
        assert rows_by_key(drill(s, system="交通运输系统", region="510100"))["A"]["测评数"] == 56
        assert "A3" not in rows_by_key(drill(s, system="交通运输系统", org="A"))
        assert rows_by_key(drill(s, system="卫生健康系统"))["510100"]["测评数"] == 10


def test_redline_is_the_same_when_candidates_are_read_in_chunks(db, monkeypatch):
    """Candidate ids go to SQL in bounded lists (bind-parameter limits at province scale)."""
    whole = reports.redline(db, rd.ask(Filters(), AS_OF, EVERYTHING)).rows
    monkeypatch.setattr("data.queries.CHUNK", 1)
    assert reports.redline(db, rd.ask(Filters(), AS_OF, EVERYTHING)).rows == whole


def test_red_line_s_two_lowest_items_are_the_first_two_of_the_sorted_list():
    """The index path picks each candidate's two lowest items in numpy: the same two, in the same order, as
    sorting all of them by (value, name, id), ties and items without answers included."""
    import numpy as np

    nan = float("nan")
    item_ids, names = [11, 12, 13, 14], {11: "办事效率", 12: "总体评价", 13: "廉洁自律", 14: "办事效率"}
    values = np.array([[0.5, nan, 0.4, 0.4], [nan, nan, nan, nan], [0.7, 0.2, nan, 0.7], [0.3, 0.3, 0.3, 0.3]])
    for row, picked in zip(values.tolist(), reports._two_lowest(values, item_ids, names)):
        expected = sorted((v, names[i], i) for v, i in zip(row, item_ids) if v == v)[:2]
        assert picked == expected
    assert reports._two_lowest(values, item_ids, names)[0] == [(0.4, "办事效率", 14), (0.4, "廉洁自律", 13)]
