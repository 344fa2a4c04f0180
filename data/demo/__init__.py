"""The deterministic synthetic campaign behind `python -m dashboard demo` (docs/cli.md).

One fictional province (江南省, code 39xxxx, which no real province uses) with real-looking cities, counties
and townships; six systems with org trees four to five levels deep; members; two campaign rounds, a
民主评议党员 round and a township round reported by 党委 (上报层级); tallies with a story in them (a few
orgs below the red line, small samples, late and missing reporters, void sessions, 走过场 patterns, raw
ballots); pledges and rectifications in every state at `demo_as_of()`; supervision
groups with their contact points.

Everything comes from one `random.Random(seed)` and fixed dates, so the same seed gives the same rows.
Rows are written straight into the models with Core bulk inserts (the importers validate files; the demo
is generated valid), then the closure table and the rollups are rebuilt, all in one transaction.

One module per kind of data, written in the order of `_write` below (each draws from the shared random
stream in turn, so a new kind of data goes last, or draws from its own stream as member_round does).
"""
from __future__ import annotations

import random

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from data.demo.bulk import insert_rows
from data.demo.ledgers import write_pledges, write_rectifications
from data.demo.member_round import write_member_round
from data.demo.members import build_members
from data.demo.orgs import build_orgs
from data.demo.regions import build_regions
from data.demo.record import write_record
from data.demo.rework import write_rework
from data.demo.rounds import write_rounds
from data.demo.spec import DEMO_ROUNDS, DEMO_SCALES, PROVINCE_NAME, ROUNDS, SYSTEM_NAMES, demo_as_of
from data.demo.state import DemoState, Leaf
from data.demo.supervision import write_supervision
from data.demo.township_round import write_township_round
from data.models import Base, Item, Member, Org, Region, Round, SupervisionGroup, System
from data.rollups import rebuild_closure, rebuild_rollups

# Tables the demo owns; users, tokens and the logs survive a replace.
# Accounts, logs and bookkeeping survive a replace and do not count as "data".
_KEEP_TABLES = {"users", "user_scopes", "api_tokens", "import_log", "audit_log", "login_failures", "data_version"}
# Tables whose ids the demo assigns itself (so rows can refer to each other without a round trip).
_EXPLICIT_ID_TABLES = (System, Region, Org, Member, Round, Item, SupervisionGroup)


def load_demo(session_factory: sessionmaker[Session], scale: str = "small", seed: int = 2012,
              replace: bool = False) -> str:
    """Load the demo campaign and return a one-paragraph summary (Chinese, for the command line).

    Refuses (ValueError) when the database already holds data, unless `replace` is true, in which case
    every data table is emptied first (users, tokens and logs are kept). All or nothing: one transaction.
    """
    if scale not in DEMO_SCALES:
        raise ValueError(f"未知的演示规模：{scale}（可选：{'、'.join(DEMO_SCALES)}）")
    with session_factory.begin() as session:
        existing = _has_data(session)
        if existing and not replace:
            orgs = session.scalar(select(func.count()).select_from(Org)) or 0
            rounds = session.scalar(select(func.count()).select_from(Round)) or 0
            raise ValueError(
                f"数据库中已有数据（组织 {orgs:,} 个，评议批次 {rounds} 个），演示数据只能装入空库；"
                "如确需清空现有数据（保留用户）后重新装入，请使用 replace=True（命令行：demo --replace）。")
        if existing:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in _KEEP_TABLES:
                    session.execute(table.delete())
        counts = _write(DemoState(random.Random(seed), DEMO_SCALES[scale]), session)
        if session.get_bind().dialect.name == "postgresql":
            # Freshly filled tables have no statistics until autovacuum analyses them (never, where it is off).
            # The planner then guesses: once psycopg prepared a statement, one org's breakdown card was planned
            # as for any node and walked a whole system's orgs (0.6 s for 2.5 ms on the small demo, 8-18 s
            # under load). The rebuilds below read these tables; every page reads them.
            session.execute(text("ANALYZE orgs, regions, items, tallies"))
        rebuild_closure(session)
        rebuild_rollups(session)
        write_rework(session, 1, seed, counts)  # the first round (ids follow ROUNDS)
        counts.update(write_record(session, seed, (1, 2)))  # 领导点评, 公示反馈, 逐级审核
        _fix_sequences(session)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))  # and every table written since (ledgers, rollups, the record)
    return _summary(scale, seed, counts)


def _has_data(session: Session) -> bool:
    return any(session.execute(select(t).limit(1)).first() is not None
               for t in Base.metadata.sorted_tables if t.name not in _KEEP_TABLES)


def _fix_sequences(session: Session) -> None:
    """PostgreSQL: explicit ids do not advance the serial sequences; move them past the demo's ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in _EXPLICIT_ID_TABLES:
        name = model.__tablename__
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 0) + 1,"
            " false)"))


def _summary(scale: str, seed: int, c: dict[str, int]) -> str:
    return (
        f"已载入演示评议活动（规模 {scale}，种子 {seed}）：{PROVINCE_NAME}下辖 {c['cities']} 个市/州、"
        f"{c['counties']} 个县/区、{c['townships']} 个乡镇/街道；{len(SYSTEM_NAMES)} 个系统共 {c['orgs']:,} 个组织"
        f"（基层组织 {c['leaves']:,} 个），党员 {c['members']:,} 名；评议批次 {c['rounds']} 个"
        f"（{'、'.join(DEMO_ROUNDS)}），测评场次 {c['sessions']:,} 场，测评汇总 {c['tallies']:,} 行，"
        f"原始测评表 {c['ballots']:,} 份；承诺 {c['pledges']:,} 项，整改事项 {c['rectifications']:,} 项；"
        f"督导组 {c['groups']} 个，督导联系点 {c['contact_points']} 个。演示日期为 {demo_as_of().isoformat()}"
        f"（按此日期查看逾期与临期情况）。")


def _write(demo: DemoState, session: Session) -> dict[str, int]:
    tree = build_regions(demo)
    build_orgs(demo, tree)
    build_members(demo)
    insert_rows(session, System, [{"id": i + 1, "name": n} for i, n in enumerate(SYSTEM_NAMES)])
    insert_rows(session, Region, demo.regions)
    insert_rows(session, Org, demo.orgs)
    insert_rows(session, Member, demo.members)

    leaves = [Leaf(o["id"], o["org_type"], o["system_id"] - 1) for o in demo.orgs if o["is_leaf"]]
    counts = {"cities": sum(1 for r in demo.regions if r["level"] == 2),
              "counties": sum(1 for r in demo.regions if r["level"] == 3),
              "townships": sum(1 for r in demo.regions if r["level"] == 4),
              "orgs": len(demo.orgs), "leaves": len(leaves), "members": len(demo.members),
              "rounds": len(DEMO_ROUNDS), "sessions": 0, "tallies": 0, "ballots": 0}
    reporters, item_id = write_rounds(demo, session, leaves, counts)

    counts["pledges"] = write_pledges(demo, session, leaves, reporters)
    counts["rectifications"] = write_rectifications(demo, session, leaves, reporters)
    counts.update(write_supervision(demo, session))
    write_member_round(demo, session, len(ROUNDS) + 1, item_id + 1, counts)
    write_township_round(demo, session, len(ROUNDS) + 2, item_id + 2, counts)
    return counts


__all__ = ["DEMO_ROUNDS", "DEMO_SCALES", "SYSTEM_NAMES", "demo_as_of", "load_demo"]
