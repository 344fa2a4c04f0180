"""The in-memory node index must give exactly what the general query path gives."""
from datetime import date

import pytest
from sqlalchemy import select

from tests import report_dataset as rd
from dashboard import node_index, reports
from domain.scope import EVERYTHING, Scope
from domain.tables import Filters
from data.demo import demo_as_of, load_demo
from data.models import System
from data.rollups import bump_version


@pytest.fixture
def demo(sessions):
    load_demo(sessions, "small")
    return sessions


def walk(session, filters, scope, as_of, depth=0, limit=3):
    """Drill tables from `filters` down, following the first `limit` rows at each level."""
    table = reports.drilldown(session, rd.ask(filters, as_of, scope))
    yield filters, table
    if depth >= 4:
        return
    for i in range(min(limit, len(table.rows))):
        child = reports.child_filters(filters, table, i)
        if child is not None:
            yield from walk(session, child, scope, as_of, depth + 1, limit)


@pytest.mark.parametrize("as_of", [demo_as_of(), date(2012, 7, 1)])
def test_index_path_equals_query_path_at_every_level(demo, as_of):
    with demo() as s:
        all_systems = Scope(systems=frozenset(s.scalars(select(System.name)).all()))  # = everything, by query
        seen = 0
        for filters, fast in walk(s, Filters(), EVERYTHING, as_of):
            slow = reports.drilldown(s, rd.ask(filters, as_of, all_systems))
            assert fast.rows == slow.rows, filters
            assert fast.red_rows == slow.red_rows
            seen += 1
        assert seen > 20
        # A system filter on an org node: the index must not count another system's subtree.
        for system in ("教育系统", "乡镇党委"):
            top = reports.drilldown(s, rd.ask(Filters(system=system), as_of, EVERYTHING))
            region = reports.child_filters(Filters(system=system), top, 0)
            for filters, fast in walk(s, region, EVERYTHING, as_of, depth=2):
                assert fast.rows == reports.drilldown(s, rd.ask(filters, as_of, all_systems)).rows


def test_every_system_s_regions_from_the_index_equal_the_query_path(demo):
    """Every system's 市/州 rows on 下钻 (the walk above follows the first three systems only), on several days
    one after another: the days' indexes share each grouping's answer counts (RoundCounts.grouped_sums)."""
    with demo() as s:
        systems = s.scalars(select(System.name).order_by(System.name.desc())).all()
        all_systems = Scope(systems=frozenset(systems))
        assert len(systems) > 3
        for as_of in (demo_as_of(), date(2012, 7, 1), date(2012, 11, 15)):
            for system in systems:
                fast = reports.drilldown(s, rd.ask(Filters(system=system), as_of, EVERYTHING))
                assert fast.rows, system
                assert fast.rows == reports.drilldown(s, rd.ask(Filters(system=system), as_of, all_systems)).rows


def test_overview_from_the_index_equals_the_query_path(demo):
    with demo() as s:
        all_systems = Scope(systems=frozenset(s.scalars(select(System.name)).all()))
        for rnd in (None, "2012年上半年创先争优群众评议"):
            fast = reports.overview(s, rd.ask(Filters(round=rnd), demo_as_of(), EVERYTHING))
            slow = reports.overview(s, rd.ask(Filters(round=rnd), demo_as_of(), all_systems))
            assert fast["kpis"] == slow["kpis"] and fast["参评人次口径"] == slow["参评人次口径"]
            assert fast["by_system"].rows == slow["by_system"].rows
            assert fast["by_region"].rows == slow["by_region"].rows
            assert fast["trend"] == slow["trend"]


@pytest.mark.parametrize("walk", [True, False], ids=["candidates-subtrees", "whole-round"])
def test_redline_from_the_index_equals_the_query_path(demo, monkeypatch, walk):
    """Both ways the index reads the candidates' answers per item (their "lowest items")."""
    monkeypatch.setattr(node_index, "_walk_subtrees", lambda reach, reporting: walk)
    with demo() as s:  # a new data version: the index is built again, the walk chosen above
        bump_version(s)
        s.commit()
    with demo() as s:
        all_systems = Scope(systems=frozenset(s.scalars(select(System.name)).all()))
        for filters in (Filters(), Filters(system="教育系统"), Filters(round="2012年上半年创先争优群众评议")):
            fast = reports.redline(s, rd.ask(filters, demo_as_of(), EVERYTHING))
            slow = reports.redline(s, rd.ask(filters, demo_as_of(), all_systems))
            assert fast.rows == slow.rows and fast.red_rows == slow.red_rows
            assert fast.rows, "the demo plants red-line candidates"


def test_compact_rows_read_back_as_the_matrix_they_store():
    """The index's compact storage (zero rows dropped, 16-bit rows, wide rows for province totals) must
    give back every value, whichever way a caller indexes it."""
    import numpy as np

    rng = np.random.default_rng(7)
    dense = rng.integers(0, 300, size=(500, 10), dtype=np.int64)
    dense[rng.random(500) < 0.6] = 0  # most orgs report nothing
    dense[3] = [400_000, 70_000, 65_536, 1, 0, 0, 0, 471_537, 5, 5]  # a province total: past 16 bits
    dense[4, 9] = -2  # a negative figure must not wrap
    dense[5, 0] = 2**40  # past 32 bits: stored wide, not truncated
    rows = node_index._Rows(dense)
    mask = rng.random(500) < 0.3
    picks = np.array([3, 0, 4, 5, 499, 3])
    assert np.array_equal(rows[:, 9], dense[:, 9])
    assert np.array_equal(rows[:, :-1], dense[:, :-1])
    assert np.array_equal(rows[mask], dense[mask])
    assert np.array_equal(rows[picks], dense[picks])
    assert np.array_equal(rows[picks, 7], dense[picks, 7])
    for i in (3, 4, 5, 6):
        assert np.array_equal(rows[i], dense[i])
        assert rows[i, 0] == dense[i, 0]
    assert rows.nbytes < dense.nbytes / 4


def test_kept_breakdowns_equal_the_query_path(demo):
    """The item and evaluator-category breakdowns a user who sees everything is given (kept per data
    version) are those of the query path, for every filter set (the campaign, a system, a region at each
    level, a system within a region) and org node, in every round: no two nodes share an answer."""
    from data.models import Org, Region, Round

    with demo() as s:
        all_systems = Scope(systems=frozenset(s.scalars(select(System.name)).all()))
        regions = s.execute(select(Region.level, Region.code).where(Region.id.in_(select(Org.region_id)))
                            .order_by(Region.level, Region.code)).all()
        by_level = {}
        for level, code in regions:
            by_level.setdefault(level, []).append(code)
        # Region codes of every level orgs sit in, and their ancestors' codes (l1..l3 of deeper regions).
        region_filters = {code for codes in by_level.values() for code in codes[:2]}
        region_filters |= {r for row in s.execute(select(Region.l1_code, Region.l2_code, Region.l3_code)
                                                  .where(Region.id.in_(select(Org.region_id)))).all()
                           for r in row if r}
        assert len({len(c) for c in region_filters}) >= 2 or len(by_level) >= 2
        for rnd in s.scalars(select(Round.name)).all():
            nodes = [Filters(round=rnd)]
            nodes += [Filters(round=rnd, system=name) for name in sorted(all_systems.systems)]
            nodes += [Filters(round=rnd, region=code) for code in sorted(region_filters)]
            nodes += [filters for filters, _ in walk(s, Filters(round=rnd), EVERYTHING, demo_as_of(), limit=2)]
            checked = 0
            for filters in nodes:
                for build in (reports.items_breakdown, reports.categories_breakdown):
                    fast = build(s, rd.ask(filters, demo_as_of(), EVERYTHING))
                    slow = build(s, rd.ask(filters, demo_as_of(), all_systems))
                    assert fast.rows == slow.rows, (build.__name__, filters)
                    assert fast.notes == slow.notes
                    checked += bool(fast.rows and any(r[1] for r in fast.rows))
            assert checked > 10, rnd


def test_kept_breakdowns_follow_a_data_change(demo):
    """A change of the data (which bumps the data version, as every import does) shows in the breakdowns
    at once."""
    from data import queries as q
    from data.models import Tally
    from data.rollups import bump_version, rebuild_rollups

    with demo() as s:
        before = [build(s, rd.ask(Filters(), demo_as_of(), EVERYTHING)).rows
                  for build in (reports.items_breakdown, reports.categories_breakdown)]
        shown = q.resolve(s, Filters(), EVERYTHING).round.id  # the round a page opens on
        tally = s.scalars(select(Tally).where(Tally.round_id == shown, Tally.member_key == 0)
                          .order_by(Tally.id)).first()
        tally.opt1 += 100
        rebuild_rollups(s, [tally.round_id])
        bump_version(s)
        s.commit()
    with demo() as s:
        all_systems = Scope(systems=frozenset(s.scalars(select(System.name)).all()))
        for build, old in zip((reports.items_breakdown, reports.categories_breakdown), before):
            fast = build(s, rd.ask(Filters(), demo_as_of(), EVERYTHING))
            assert fast.rows != old
            assert fast.rows == build(s, rd.ask(Filters(), demo_as_of(), all_systems)).rows


def test_after_the_warm_up_the_first_views_build_nothing_again(demo, monkeypatch):
    """The warm-up (at a start, after an import) leaves ready what a first visit asks for: the pages of the
    newest round at the day they open on when the URL names none (the demo's round is over: its end date, not
    today). After it those views build no index or per-item counts and run no breakdown query, and no system's
    市/州 choices, rows or breakdown cards on 下钻 are read or summed again."""
    from dashboard import views, warmup
    from data import lookups
    from data import queries as q

    warmup.warm(demo)

    def built_again(*args, **kwargs):
        raise AssertionError("built again after the warm-up")

    for owner, name in ((node_index.Tree, "__init__"), (node_index.RoundCounts, "__init__"),
                        (node_index.RoundIndex, "__init__"), (node_index.ItemCounts, "__init__"),
                        (q, "item_counts"), (q, "category_counts"), (lookups, "_regions_of"),
                        (node_index, "_own_sums"), (node_index, "_latest_days")):
        monkeypatch.setattr(owner, name, built_again)
    with demo() as s:
        systems = lookups.systems_in_scope(s, EVERYTHING)
        assert len(systems) > 3
        for system in systems:
            assert lookups.regions_in_scope(s, EVERYTHING, system)
            for view in ("drilldown", *warmup.SYSTEM_CARDS):
                assert views.build(view, s, views.request(view, {"system": system}, EVERYTHING, session=s)).rows
        for view in warmup.FIRST_VIEWS:
            request = views.request(view, {}, EVERYTHING, session=s)
            assert request.as_of == date(2012, 12, 31)  # the round's end, as a page without a date shows
            shown = reports.overview(s, request) if view == "overview" else views.build(view, s, request)
            assert shown


def test_everyone_s_system_region_and_source_choices_follow_new_data(demo):
    """The pickers' choices of a user who sees everything are kept per data version: an org of a new system
    in a region that had none, and a 问题来源 no ledger had (an import, which bumps the version), show in them
    at once."""
    from datetime import date as day

    from data.lookups import regions_in_scope, sources_in_scope, systems_in_scope
    from data.models import Org, Rectification, Region, Round

    with demo() as s:
        systems = systems_in_scope(s, EVERYTHING)
        sources = sources_in_scope(s, EVERYTHING)
        region = s.scalars(select(Region).where(Region.level == 3).order_by(Region.code)).first()
        assert "新增测试系统" not in systems and regions_in_scope(s, EVERYTHING, "新增测试系统") == []
        assert "新增来源" not in sources
        new = System(name="新增测试系统")
        s.add(new)
        s.flush()
        org = Org(code="NEW-0001", name="新增组织", org_type="党支部", system_id=new.id, region_id=region.id)
        s.add(org)
        s.flush()
        s.add(Rectification(code="NEW-R1", round_id=s.scalars(select(Round.id)).first(), org_id=org.id,
                            source="新增来源", description="问题", registered_date=day(2012, 9, 1),
                            deadline=day(2012, 10, 1), status="整改中"))
        bump_version(s)
        s.commit()
    with demo() as s:
        assert systems_in_scope(s, EVERYTHING) == sorted([*systems, "新增测试系统"])
        assert region.code in [code for code, _ in regions_in_scope(s, EVERYTHING, "新增测试系统")]
        assert sources_in_scope(s, EVERYTHING) == [*sources, "新增来源"]


def test_what_the_warm_up_built_is_out_of_the_collector_s_reach(demo, monkeypatch):
    """A full garbage collection walked the warm-up's ~200,000 objects inside a user's request (about 90 ms at
    province, every few requests): they are frozen once the index is built, before the steps that wait for a
    quiet moment of the server (which may be long in coming), and again at the end."""
    import gc

    from dashboard import warmup

    frozen_when_waiting = []
    monkeypatch.setattr(warmup, "_wait_quiet", lambda: frozen_when_waiting.append(gc.get_freeze_count()))
    gc.unfreeze()
    try:
        warmup._loop(demo)
        assert frozen_when_waiting and frozen_when_waiting[0] > 10_000
        assert gc.get_freeze_count() >= frozen_when_waiting[0]
    finally:
        gc.unfreeze()


def test_redline_follows_a_candidate_renamed_or_reported_again(demo):
    """红线 keeps its candidates' names and 首评 rows per data version for users who see everything: a renamed
    candidate and a candidate's own answers changed (each bumping the data version, as every import and edit
    does) show at once."""
    from data.models import Org, Tally
    from data.rollups import rebuild_rollups

    def shown(s, code):
        table = reports.redline(s, rd.ask(Filters(), demo_as_of(), EVERYTHING))
        names = [c.name for c in table.columns]
        row = next(r for r in table.rows if r[0] == code)
        return row[names.index("名称")], row[next(i for i, n in enumerate(names) if n.startswith("首评"))]

    with demo() as s:
        code = reports.redline(s, rd.ask(Filters(), demo_as_of(), EVERYTHING)).rows[0][0]
        name, first = shown(s, code)
        org = s.scalars(select(Org).where(Org.code == code)).one()
        org.name = "改名后的组织"
        tallies = s.scalars(select(Tally).where(Tally.org_id == org.id, Tally.member_key == 0)).all()
        for tally in tallies:  # its 总体评价 item among them, where its headline comes from
            tally.opt1 += 5
        rebuild_rollups(s, [tally.round_id for tally in tallies])
        bump_version(s)
        s.commit()
    with demo() as s:
        assert shown(s, code)[0] == "改名后的组织" != name
        assert shown(s, code)[1] != first
