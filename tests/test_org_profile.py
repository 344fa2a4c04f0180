"""单位画像 and 薄弱排名 (docs/views.md) on the hand-made campaign of tests/report_dataset.py, on SQLite and
PostgreSQL: the profile's figures are the drill-down's and the ledgers' for the same org; the ranking orders
by the interval's lower bound among orgs with the minimum sample, honours limit and the system, region and
组织类型 filters, and gives the rank in the previous round of the same kind; scope is the caller's (a unit user
gets its own org, an org outside the scope is answered like an unknown one)."""
from __future__ import annotations

import pytest

from dashboard import views
from data.models import Member, Org
from data.users import create_user
from domain import metrics
from domain.scope import EVERYTHING, Scope
from domain.tables import Filters
from tests import report_dataset as rd
from tests.conftest import login

AS_OF = rd.AS_OF.isoformat()
SAME = ("测评数", "综合满意率", "置信下限", "置信上限", "红线判定", "整改问题数", "整改措施数", "整改完成率", "超期整改",
        "到期承诺", "承诺兑现率", "逾期未兑现")


@pytest.fixture
def data(sessions):
    with sessions() as s:
        rd.load(s)
    return sessions


def build(sessions, view, scope=EVERYTHING, **params):
    with sessions() as s:
        return views.build(view, s, views.request(view, {"round": rd.R2, "as_of": AS_OF, **params}, scope))


def as_dict(table, i=0):
    return dict(zip(table.headers, table.rows[i]))


T, H = {"system": "交通运输系统", "region": "510100"}, {"system": "卫生健康系统", "region": "510700"}
PARENTS = {"A2": {"org": "A"}, "A21": {"org": "A2"}, "A1": {"org": "A"}, "A": T, "C": H, "C1": {"org": "C"},
           "B": {"system": "交通运输系统", "region": "510000"}}


@pytest.mark.parametrize("code", ["A2", "A21", "A", "C"])
def test_profile_figures_are_the_drilldown_row_and_the_ledgers(data, code):
    profile = as_dict(build(data, "profile", org=code))
    drill = build(data, "drilldown", **PARENTS[code])
    row = as_dict(drill, [r[0] for r in drill.rows].index(code))
    assert {k: profile[k] for k in SAME} == {k: row[k] for k in SAME}
    rects = build(data, "rectifications", org=code)
    assert profile["超期整改"] == sum(1 for r in rects.rows if as_dict(rects, rects.rows.index(r))["灯"] == "红")
    pledges = build(data, "pledges", org=code)
    assert profile["逾期未兑现"] == sum(1 for i in range(len(pledges.rows)) if as_dict(pledges, i)["逾期未兑现"] == "是")
    reporting = build(data, "reporting", org=code)
    assert profile["应上报组织数"] == len(reporting.rows)


def test_profile_of_a2_by_hand(data):
    p = as_dict(build(data, "profile", org="A2"))
    # A2 (2, 3, 7) + A21 (1, 1, 8): N 22, 7 satisfied or basically; Z1 (A21) 30 days overdue, Z2 done.
    assert (p["测评数"], p["红线判定"], p["整改措施数"], p["超期整改"]) == (22, metrics.CONFIRMED_BELOW, 2, 1)
    assert p["综合满意率"] == pytest.approx(7 / 22)
    assert (p["上级组织"], p["下级组织数"], p["返工状态"], p["低于红线无整改"]) == ("交通局党委", 1, "待认定", "否")
    assert (p["上报状态"], p["应上报组织数"]) == ("已上报", 1) or p["应上报组织数"] == 1


def test_below_the_line_without_a_rectification_is_flagged(data):
    with data.begin() as s:  # A21's only item moves to A1: A21 is below the line with nothing registered
        from data.models import Rectification
        s.query(Rectification).filter_by(code="Z1").update({"org_id": s.query(Org).filter_by(code="A1").one().id})
    p = as_dict(build(data, "profile", org="A21"))
    assert (p["红线判定"], p["整改措施数"], p["低于红线无整改"]) == (metrics.CONFIRMED_BELOW, 0, "是")


def test_members_are_listed_only_where_evaluated_and_trend_covers_the_kind(data):
    with data.begin() as s:
        s.add(Member(code="M3", name="王五", org_id=s.query(Org).filter_by(code="A21").one().id, category="正式"))
    children = build(data, "profile-children", org="A21")
    assert [r[0] for r in children.rows] == ["M1", "M2"]  # M3 has no answers: no row of zeros
    assert [r[0] for r in build(data, "profile-children", org="A").rows] == ["A1", "A2"]
    from dashboard import org_profile

    with data() as s:
        trend = org_profile.trend(s, views.request("profile", {"round": rd.R2, "org": "A1", "as_of": AS_OF}, EVERYTHING))
    assert [(p["round"], p["n"]) for p in trend["points"]] == [(rd.R1, 10), (rd.R2, 10)]


def _expected_order(data, codes):
    """codes sorted by their own Wilson lower bound, worked out here from the subtree counts of the drill-down."""
    lows = {}
    for code in codes:
        drill = build(data, "drilldown", **PARENTS[code])
        lows[code] = as_dict(drill, [r[0] for r in drill.rows].index(code))["置信下限"]
    return sorted(codes, key=lambda c: lows[c])


def test_ranking_orders_by_lower_bound_and_skips_small_samples(data):
    table = build(data, "ranking")
    codes = [r[1] for r in table.rows]
    assert "C1" not in codes  # N 6 < the minimum sample 10
    assert codes == _expected_order(data, ["A", "A1", "A2", "A21", "B", "C"])
    assert codes[0] == "A21" and [r[0] for r in table.rows] == list(range(1, 7))
    lows = [as_dict(table, i)["置信下限"] for i in range(len(table.rows))]
    assert lows == sorted(lows)
    assert [r[1] for r in build(data, "ranking", limit="2").rows] == codes[:2]


@pytest.mark.parametrize("params,expected", [({"system": "卫生健康系统"}, ["C"]), ({"level": "党支部"}, ["A21", "A1"]),
                                             ({"region": "510104"}, ["A21", "A2", "A1"])])
def test_ranking_within_a_system_region_or_level(data, params, expected):
    assert [r[1] for r in build(data, "ranking", **params).rows] == expected


def test_rank_change_against_the_previous_round_of_the_same_kind(data):
    table = build(data, "ranking")
    a1 = as_dict(table, [r[1] for r in table.rows].index("A1"))
    # R1 (same kind, 群众评议) has A1's answers only, counted for A1 and for A above it: equal bounds, the
    # lower org id first (A), so A1 was second; now it is fourth.
    assert (a1["名次"], a1["上轮名次"], a1["名次变化"]) == (4, 2, -2)
    assert as_dict(table, 0)["上轮名次"] is None  # A21 was not ranked in R1
    assert build(data, "ranking", round=rd.R1).rows[0][-2:] == [None, None]  # no earlier round of the kind


def test_the_ranking_s_level_choices_are_the_types_the_scope_reads_and_follow_the_data(data):
    from data.lookups import org_types_in_scope
    from data.rollups import bump_version

    with data() as s:
        every = sorted({o.org_type for o in s.query(Org)})
        assert org_types_in_scope(s, EVERYTHING) == every and len(every) > 1
        a21 = s.query(Org).filter_by(code="A21").one()
        assert org_types_in_scope(s, Scope(org_codes=frozenset({"A21"}))) == [a21.org_type]
    with data.begin() as s:  # a new type (an import bumps the data version): the kept choices follow
        s.query(Org).filter_by(code="C1").one().org_type = "临时党组织"
        bump_version(s)
    with data() as s:
        assert "临时党组织" in org_types_in_scope(s, EVERYTHING)


def test_a_ranking_by_type_follows_a_change_of_type(data):
    """The ranking by 组织类型 is kept per data version: an org given that type by an import is ranked in it at
    once, and a scoped user's ranking (never kept) says the same."""
    from data.rollups import bump_version

    assert [r[1] for r in build(data, "ranking", level="党支部").rows] == ["A21", "A1"]
    with data.begin() as s:
        s.query(Org).filter_by(code="A2").one().org_type = "党支部"
        bump_version(s)
    assert [r[1] for r in build(data, "ranking", level="党支部").rows] == ["A21", "A2", "A1"]
    unit = Scope(org_codes=frozenset({"A2"}))
    assert [r[1] for r in build(data, "ranking", scope=unit, level="党支部").rows] == ["A21", "A2"]


@pytest.mark.parametrize("limit", ["0", "x", "501"])
def test_ranking_refuses_a_bad_limit(data, limit):
    with pytest.raises(views.reports.BadParameter):
        build(data, "ranking", limit=limit)


def test_scope_unit_user_gets_its_own_org_and_others_are_unknown(data):
    unit = Scope(org_codes=frozenset({"A2"}))
    assert as_dict(build(data, "profile", scope=unit))["组织编码"] == "A2"
    with pytest.raises(views.reports.NotFound) as hidden:
        build(data, "profile", scope=unit, org="B")
    with pytest.raises(views.reports.NotFound) as unknown:
        build(data, "profile", scope=unit, org="NOPE")
    assert str(hidden.value).replace("B", "X") == str(unknown.value).replace("NOPE", "X")
    assert [r[1] for r in build(data, "ranking", scope=unit).rows] == ["A21", "A2"]
    with pytest.raises(views.reports.BadParameter):
        build(data, "profile", scope=EVERYTHING)  # an admin names the org


def test_api_and_cli_serve_profile_and_ranking(data, web_app, tmp_path, monkeypatch):
    with data.begin() as s:
        create_user(s, "uma", "password-123", "unit", ["A2"])
    client = web_app.test_client()
    assert login(client, "uma", "password-123").headers["Location"] == "/org"  # a unit lands on its own profile
    own = client.get(f"/api/v1/reports/profile?as_of={AS_OF}&round={rd.R2}").get_json()
    assert own["rows"][0][0] == "A2" and "超期整改" in own["columns"]
    # The record beside the figures, as 上报进度 and 领导点评 have it for the same org.
    from dashboard import record_reports
    row = dict(zip(own["columns"], own["rows"][0]))
    with data() as s:
        request = views.request("profile", {"round": rd.R2, "as_of": AS_OF, "org": "A2"}, Scope(org_codes=frozenset({"A2"})))
        assert row["审核状态"] == record_reports.approval_status(s, request, ["A2"])["A2"].state
        assert row["领导点评数"] == record_reports.comment_counts(s, request, ["A2"])["A2"]
        pub = record_reports.publication_status(s, request, ["A2"])["A2"]
        assert row["公示状态"] == ("逾期未公示" if pub.overdue else pub.status)
    hidden, unknown = (client.get(f"/api/v1/reports/profile?org={c}&as_of={AS_OF}") for c in ("B", "NOPE"))
    assert hidden.status_code == unknown.status_code == 404
    ranking = client.get(f"/api/v1/reports/ranking?limit=1&as_of={AS_OF}&round={rd.R2}").get_json()
    assert [r[1] for r in ranking["rows"]] == ["A21"]
    assert client.get("/api/v1/reports/ranking?limit=abc").status_code == 400
