"""The demo campaign: loads on both backends, is reproducible, and holds every case the views must show."""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select, text

from domain import metrics
from domain.rules import EVALUATOR_CATEGORIES, Counts, RuleProfile, bucketize, option_position
from data.db import make_engine, make_session_factory
from data.demo import DEMO_ROUNDS, SYSTEM_NAMES, demo_as_of, load_demo
from data.models import (
    COUNT_COLUMNS, Ballot, Base, EvalSession, Item, Member, Org, OrgClosure, Pledge, Rectification, Region,
    RollupHeadline, Round, SupervisionLink, System, Tally, User
)
from data.schema import upgrade

AS_OF = demo_as_of()
SKIP_IN_CHECKSUM = {"users", "user_scopes", "api_tokens", "import_log", "audit_log", "round_changes", "login_failures",
                    "data_version"}  # accounts, logs and the random cache token


def checksum(factory) -> str:
    """Every demo table's rows without surrogate ids (sequences differ between runs), order-free."""
    digest = hashlib.sha256()
    with factory() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in SKIP_IN_CHECKSUM:
                continue
            cols = [c for c in table.columns if c.name != "id"]
            rows = sorted(repr(tuple(r)) for r in session.execute(select(*cols)))
            digest.update(table.name.encode())
            digest.update("\n".join(rows).encode())
    return digest.hexdigest()


def fresh_sqlite(path):
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine, make_session_factory(engine)


def test_demo_refuses_reload_and_is_deterministic(sessions, tmp_path):
    summary = load_demo(sessions)
    with sessions() as s:
        orgs = s.scalar(select(func.count()).select_from(Org))
        tallies = s.scalar(select(func.count()).select_from(Tally))
        s.add(User(username="kept", password_hash="x", role="admin"))
        s.commit()
    assert f"{orgs:,} 个组织" in summary and f"测评汇总 {tallies:,} 行" in summary
    first = checksum(sessions)

    with pytest.raises(ValueError, match="已有数据.*replace=True"):
        load_demo(sessions)
    assert checksum(sessions) == first  # the refusal wrote nothing

    load_demo(sessions, replace=True)
    assert checksum(sessions) == first
    with sessions() as s:  # users survive a replace
        assert s.scalar(select(User.username)) == "kept"

    # Importers add rows after the demo: ids the demo assigned itself must not collide (PostgreSQL sequences).
    with sessions() as s:
        s.add(Round(name="2013年上半年创先争优群众评议"))
        s.add(Org(code="NEW-1", name="新建党支部", org_type="党支部", system_id=1, region_id=1))
        s.add(Member(code="NEW-M1", name="新党员", org_id=1))
        s.commit()

    # Same seed in another database (the fixture's backend against SQLite): the same rows.
    engine, other = fresh_sqlite(tmp_path / "again.sqlite3")
    load_demo(other)
    assert checksum(other) == first != checksum(sessions)
    engine.dispose()
    engine, third = fresh_sqlite(tmp_path / "seed7.sqlite3")
    load_demo(third, seed=7)
    assert checksum(third) != first
    engine.dispose()


def _check_statistics(s):
    """On PostgreSQL the tables the pages read have planner statistics as soon as the demo is in: without them
    (autovacuum off, or not run yet) an org's breakdown cards took seconds instead of milliseconds."""
    if s.get_bind().dialect.name != "postgresql":
        return
    analysed = set(s.scalars(text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")))
    assert {"tallies", "orgs", "org_closure", "rollup_headline", "pledges", "rectifications"} <= analysed


def test_demo_rejects_unknown_scale(sessions):
    with pytest.raises(ValueError, match="未知的演示规模"):
        load_demo(sessions, scale="huge")
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Org)) == 0


def test_small_demo_holds_the_story(sessions):
    load_demo(sessions)
    with sessions() as s:
        _check_statistics(s)
        _check_structure(s)
        _check_tallies_and_sessions(s)
        _check_ballots(s)
        _check_ledgers(s)
        _check_supervision(s)
        _check_member_round(s)
        _check_township_round(s)


def _check_township_round(s):
    """逐级上报: the township round expects its 党委 (上报层级), not their 党支部; a township's report time is the
    上报日期 in its sheet, not the later import time; some on time, some late, some missing."""
    from dashboard import ledger_reports
    from domain.scope import EVERYTHING
    from domain.tables import Filters
    from tests import report_dataset as rd

    rnd = s.scalar(select(Round).where(Round.name == DEMO_ROUNDS[3]))
    assert rnd.report_level == "党委"
    table = ledger_reports.reporting(s, rd.ask(Filters(round=rnd.name), AS_OF, EVERYTHING, view="reporting"))
    rows = [dict(zip(table.headers, r)) for r in table.rows]
    types = dict(s.execute(select(Org.code, Org.org_type)).all())
    assert rows and {types[r["组织编码"]] for r in rows} == {"党委"}
    statuses = Counter(r["上报状态"] for r in rows)
    assert statuses[metrics.MISSING] >= 1 and statuses[metrics.REPORTED_LATE] >= 1
    assert statuses[metrics.REPORTED] > statuses[metrics.REPORTED_LATE] + statuses[metrics.MISSING]
    deadline = rnd.report_deadline.isoformat()
    for r in rows:  # every sheet was keyed in after the deadline; the 上报日期 decides
        if r["上报状态"] != metrics.MISSING:
            assert r["首次上报时间"].endswith("00:00") and r["最近上报时间"] > deadline
            assert (r["首次上报时间"][:10] > deadline) == (r["上报状态"] == metrics.REPORTED_LATE)
    # The townships' rows are their 党支部's: no 党委 reported a row of its own.
    own = s.scalars(select(Org.org_type).join(Tally, Tally.org_id == Org.id)
                    .where(Tally.round_id == rnd.id).distinct()).all()
    assert own == ["党支部"]


def _check_member_round(s):
    """Members of six 党支部 rated on the 民主评议党员 scale: one branch over the 优秀 quota, one member with
    不合格 over a third of N, a 预备党员 rated but not graded."""
    from dashboard import reports
    from domain.scope import EVERYTHING
    from domain.tables import Filters
    from tests import report_dataset as rd

    rnd = s.scalar(select(Round).where(Round.scale == "民主评议党员"))
    branches = s.scalars(select(Org.code).join(Tally, Tally.org_id == Org.id)
                         .where(Tally.round_id == rnd.id).distinct().order_by(Org.code)).all()
    assert len(branches) == 6
    tables = [reports.drilldown(s, rd.ask(Filters(round=rnd.name, org=code), AS_OF, EVERYTHING)) for code in branches]
    rows = [dict(zip(t.headers, r)) for t in tables for r in t.rows]
    assert all(r["测评数"] >= 8 for r in rows)  # every member of those branches is rated
    assert sum(t.notes[0].startswith("⚠ 优秀比例超标") for t in tables) == 1
    assert sum(r["不合格超三分之一"] == "是" for r in rows) == 1
    assert any(r["党员类别"] == "预备" and r["红线判定"] == "不评定" and r["评为优秀"] is None for r in rows)


def _check_structure(s):
    assert set(s.scalars(select(System.name))) == set(SYSTEM_NAMES)
    assert {"交通运输系统", "卫生健康系统", "教育系统", "公安系统", "市场监管系统", "乡镇党委"} <= set(SYSTEM_NAMES)
    for level, code in s.execute(select(Region.level, Region.code)):
        assert len(code) == (9 if level == 4 else 6) and code.isdigit()
    assert {lvl for (lvl,) in s.execute(select(Region.level).distinct())} == {1, 2, 3, 4}
    assert s.scalar(select(func.max(Org.depth))) == 4  # five levels: 省 → 市 → 县 → 党总支 → 党支部
    assert set(s.scalars(select(Org.org_type).distinct())) == {"党委", "党总支", "党支部", "领导班子"}
    # Members sit in leaf 党支部 only, both kinds present.
    kinds = set(s.scalars(select(Member.category).distinct()))
    assert kinds == {"正式", "预备"}
    member_orgs = s.scalars(select(Org).join(Member, Member.org_id == Org.id).distinct()).all()
    assert all(o.is_leaf and o.org_type == "党支部" for o in member_orgs)
    rounds = s.scalars(select(Round).order_by(Round.id)).all()
    assert [r.name for r in rounds] == list(DEMO_ROUNDS)
    assert [r.scale for r in rounds] == ["三级", "四级", "民主评议党员", "三级"]
    # The 民主评议党员 round is dated between the campaign rounds and the township round before them: the
    # newest (the app's default) stays 下半年.
    assert rounds[3].start_date < rounds[0].start_date < rounds[2].start_date < rounds[1].start_date
    assert rounds[1].start_date < rounds[1].report_deadline < AS_OF <= rounds[1].end_date
    for r in rounds:
        assert s.scalar(select(func.count()).where(Item.round_id == r.id, Item.is_overall)) == 1
    assert set(s.scalars(select(Tally.category).distinct())) <= set(EVALUATOR_CATEGORIES)


def _check_tallies_and_sessions(s):
    round2 = s.scalar(select(Round).where(Round.name == DEMO_ROUNDS[1]))
    profile = RuleProfile.from_record(round2)
    verdicts = Counter()
    perfect = 0
    for h in s.scalars(select(RollupHeadline).where(RollupHeadline.round_id == round2.id)):
        b = bucketize(Counts.of(h), profile)
        verdicts[metrics.redline(b, profile).verdict] += 1
        perfect += b.n >= 20 and b.s == b.n
    assert verdicts[metrics.CONFIRMED_BELOW] >= 1
    assert verdicts[metrics.SUSPECTED_BELOW] >= 1
    assert verdicts[metrics.INSUFFICIENT] >= 1  # small N
    assert verdicts[metrics.MEETS] > 10 * (verdicts[metrics.CONFIRMED_BELOW] + verdicts[metrics.SUSPECTED_BELOW])
    assert perfect >= 1

    # Sessions agree with the tallies: per item (and 测评轮次: a 复评 is a sitting of its own with as many
    # ballots), the answers of all categories never exceed 有效份数.
    sessions_of = {(e.round_id, e.org_id): e for e in s.scalars(select(EvalSession))}
    answers = defaultdict(int)
    for t in s.scalars(select(Tally)):
        n = sum(getattr(t, c) for c in COUNT_COLUMNS)
        if t.member_key:  # a member is rated on the same ballots as the org: one answer per ballot at most
            assert n <= sessions_of[(t.round_id, t.org_id)].valid
        else:
            answers[(t.round_id, t.org_id, t.item_id, t.phase)] += n
    for (rid, oid, _, _), n in answers.items():
        assert n == sessions_of[(rid, oid)].valid
    # The rework story: two 返工补课 orders of the first round, one 复评 passing and one still below.
    from data.models import Rectification, ReworkOrder
    assert s.scalar(select(func.count()).select_from(ReworkOrder)) == 2
    assert s.scalar(select(func.count()).select_from(Rectification).where(Rectification.measure_no == 2)) == 2
    assert s.scalar(select(func.count()).select_from(Rectification).where(Rectification.source == "回头看")) == 1
    void = [e for e in sessions_of.values() if metrics.session_void(e.issued, e.returned)]
    assert 1 <= len(void) <= 5
    for e in sessions_of.values():
        assert e.valid <= e.returned and max(e.issued, e.returned) <= e.expected
        assert e.held_on <= e.imported_at.date()

    # Reporting: some late, some missing among the leaves of the systems that take part.
    statuses = Counter()
    leaves = s.scalars(select(Org.id).where(Org.is_leaf)).all()
    firsts = dict(s.execute(select(RollupHeadline.org_id, RollupHeadline.first_reported_at)
                            .where(RollupHeadline.round_id == round2.id)).all())
    for oid in leaves:
        first = firsts.get(oid)
        statuses[metrics.reporting_status(first.date() if first else None, round2.report_deadline, AS_OF)] += 1
    assert statuses[metrics.REPORTED_LATE] >= 1 and statuses[metrics.MISSING] >= 1
    assert statuses[metrics.REPORTED] > statuses[metrics.REPORTED_LATE] + statuses[metrics.MISSING]

    # Two orgs of one system with the same result vector (结果雷同).
    vectors = defaultdict(list)
    for oid in leaves:
        rows = s.execute(select(Tally.item_id, Tally.category, *[getattr(Tally, c) for c in COUNT_COLUMNS])
                         .where(Tally.round_id == round2.id, Tally.org_id == oid)).all()
        if rows:
            vectors[tuple(sorted(tuple(r) for r in rows))].append(oid)
    assert any(len(same) >= 2 for same in vectors.values())


def _check_ballots(s):
    ballots = s.scalars(select(Ballot)).all()
    assert ballots
    scale_of = {r.id: r.scale for r in s.scalars(select(Round))}
    items = {(i.round_id, i.name): i.id for i in s.scalars(select(Item))}
    recount = defaultdict(lambda: [0] * 7)
    straight = 0
    for b in ballots:
        answers = json.loads(b.answers)
        values = set(answers.values())
        straight += len(answers) >= 5 and len(values) == 1 and "" not in values
        for name, text in answers.items():
            pos = option_position(scale_of[b.round_id], text)
            idx = {"unknown": 5, "abstain": 6}.get(pos, pos)
            recount[(b.round_id, b.org_id, items[(b.round_id, name)], b.category)][idx] += 1
    assert straight >= 2
    tallied = {(t.round_id, t.org_id, t.item_id, t.category): [getattr(t, c) for c in COUNT_COLUMNS]
               for t in s.scalars(select(Tally).where(Tally.from_ballots))}
    assert tallied == dict(recount)


def _check_ledgers(s):
    profile = RuleProfile()
    rects = s.scalars(select(Rectification)).all()
    assert {r.status for r in rects} == {"未启动", "整改中", "已完成", "已销号"}
    states = [metrics.rect_state(r.status, r.registered_date, r.deadline, r.completed_date, r.closed_date,
                                 AS_OF, profile) for r in rects]
    assert any(st.overdue and st.light == metrics.RED for st in states)
    assert any(st.due_soon and st.light == metrics.YELLOW for st in states)
    assert any(st.mark == metrics.LATE_DONE for st in states)
    assert all(st.registered for st in states)  # the story is told after every item was registered
    closed = [r for r in rects if r.status == "已销号"]
    assert all(r.closed_date and r.closed_date <= AS_OF for r in closed)
    assert any(r.evidence is None for r in closed) and any(r.evidence for r in closed)
    per_day = Counter((r.org_id, r.closed_date) for r in closed)
    assert max(per_day.values()) >= 5  # a batch closed on one day
    for r in rects:
        assert r.registered_date <= (r.completed_date or r.registered_date) <= AS_OF

    pledges = s.scalars(select(Pledge)).all()
    assert {p.status for p in pledges} == {"未启动", "推进中", "已兑现"}
    pstates = [metrics.pledge_state(p.due_date, p.status, p.fulfilled_date, AS_OF) for p in pledges]
    assert any(st.overdue for st in pstates)
    assert any(p.status != "已兑现" and 0 <= (p.due_date - AS_OF).days <= 3 for p in pledges)
    assert any(p.fulfilled_date and p.fulfilled_date > p.due_date for p in pledges)  # kept, but late
    assert all(p.fulfilled_date is None or p.fulfilled_date <= AS_OF for p in pledges)
    assert any(p.member_id for p in pledges)


def _check_supervision(s):
    links = s.scalars(select(SupervisionLink)).all()
    units = [l for l in links if not l.is_contact_point]
    points = defaultdict(list)
    for l in links:
        if l.is_contact_point:
            points[l.group_id].append(l.org_id)
    assert len({l.group_id for l in units}) >= 2
    closure = set(s.execute(select(OrgClosure.ancestor_id, OrgClosure.descendant_id)).all())
    per_unit = Counter()
    for unit in units:
        per_unit[unit.org_id] = sum((unit.org_id, p) in closure for p in points[unit.group_id])
    # every contact point lies under one of its group's units
    assert sum(per_unit.values()) == sum(len(v) for v in points.values())
    assert min(per_unit.values()) < 2 and max(per_unit.values()) >= 2


def test_cli_demo_refuses_a_loaded_database_with_a_message(tmp_path, monkeypatch, capsys):
    from dashboard.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "评议批次 4 个" in out and "演示日期为 2012-12-10" in out
    assert main(["demo", "--seed", "3"]) == 1
    err = capsys.readouterr().err
    assert "已有数据" in err and "--replace" in err and "Traceback" not in err
