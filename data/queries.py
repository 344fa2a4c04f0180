"""Read side of the reports: scope-applied SQL that returns counts and raw ledger fields, never rates.

Every function takes the caller's Scope (or an org-id SELECT built from it by `filter_org_ids`), so a
query cannot forget it. Rates, intervals, verdicts and overdue logic belong to domain.metrics; here we
only sum counts (from the rollups, never the raw tallies for drill-down tables) and fetch ledger dates.

Grouping levels used by the drill-down (`level` arguments):
  "all"      one group (key 0): the whole filtered node
  "system"   Org.system_id
  "region"   the org's 市/州 code, or its province code for orgs sitting at province level
  "ancestor" each org of `ancestors` with every org of the filter set below it (org_closure)
  "org"      each org itself
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, and_, any_, bindparam, false, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from domain.names import canonical
from domain.rules import FIRST, RECHECK, Counts
from domain.scope import Scope
from data.cache import ComputedCache, data_fingerprint, data_version
from data.db import READS_ONLY
from data.models import (
    COUNT_COLUMNS, EvalSession, Item, Member, Org, OrgClosure, Pledge, Rectification, Region, RollupHeadline, Round,
    SupervisionGroup, SupervisionLink, System, ReworkOrder, Tally
)


class QueryError(Exception):
    """A request the data cannot answer; the message is for the user (Chinese)."""


class NotFound(QueryError, LookupError):
    """An unknown round, system, region or org (the API answers 404)."""


class OutOfScope(QueryError, PermissionError):
    """An org the caller may not read (the API answers 403)."""


class BadParameter(QueryError, ValueError):
    """A malformed request parameter or filter value (the API answers 400)."""


# ---------------------------------------------------------------------------------------- scope
EVERY_ORG = select(Org.id)


def of_orgs(column, org_ids: Select):
    """`column IN org_ids`, or no condition at all when org_ids selects every org (someone who may see
    everything, no filter): the IN over a province's 100,000 org ids cost more than reading the rows it kept
    (整改台账's rows for its per-org summary: 49 → 31 ms on SQLite, 91 → 28 ms on PostgreSQL)."""
    return true() if org_ids.compare(EVERY_ORG) else column.in_(org_ids)


def visible_org_ids(scope: Scope) -> Select:
    """SELECT of the ids of every org the scope may read (deny by default)."""
    if scope.everything:
        return EVERY_ORG
    conditions = []
    if scope.org_codes:
        root = aliased(Org)
        conditions.append(Org.id.in_(
            select(OrgClosure.descendant_id).join(root, root.id == OrgClosure.ancestor_id)
            .where(root.code.in_(sorted(scope.org_codes)))))
    if scope.groups:
        conditions.append(Org.id.in_(
            select(OrgClosure.descendant_id)
            .join(SupervisionLink, SupervisionLink.org_id == OrgClosure.ancestor_id)
            .join(SupervisionGroup, SupervisionGroup.id == SupervisionLink.group_id)
            .where(SupervisionGroup.name.in_(sorted(scope.groups)))))
    if scope.systems:
        conditions.append(Org.system_id.in_(
            select(System.id).where(System.name.in_(sorted(scope.systems)))))
    if not conditions:
        return select(Org.id).where(false())
    return select(Org.id).where(or_(*conditions))


# ---------------------------------------------------------------------------------------- filters
@dataclass(frozen=True)
class Node:
    """Filters resolved to rows: the round and the current node of the drill (each level optional)."""

    round: Round
    system: System | None = None
    region: Region | None = None
    org: Org | None = None


def rounds(session: Session) -> list[Round]:
    """Every round, oldest first (start date, then id; rounds without a start date first)."""
    return list(session.scalars(
        select(Round).order_by(Round.start_date.is_(None).desc(), Round.start_date, Round.id)))


def find_round(session: Session, name: str | None) -> Round:
    if name:
        rnd = session.scalar(select(Round).where(Round.name == canonical(name)))
        if rnd is None:
            raise NotFound(f"未找到评议批次：{name}")
        return rnd
    all_rounds = rounds(session)
    if not all_rounds:
        raise NotFound("尚无评议批次，请先导入数据")
    return all_rounds[-1]


def resolve(session: Session, filters, scope: Scope) -> Node:
    """Filters (domain.tables.Filters) -> Node; unknown names raise NotFound, a hidden org OutOfScope."""
    rnd, system, region, org = _named(session, filters)
    if rnd is None:
        raise NotFound(f"未找到评议批次：{filters.round}" if filters.round else "尚无评议批次，请先导入数据")
    if filters.system and system is None:
        raise NotFound(f"未找到系统：{filters.system}")
    if filters.region and region is None:
        raise NotFound(f"未找到地区编码：{filters.region}")
    if filters.org and org is None:
        raise NotFound(f"未找到组织编码：{filters.org}")
    # A system or region with no org the caller may read is out of scope: its name (shown in the
    # breadcrumb and titles) must not be disclosed to someone who only knows its code.
    if system is not None and not scope.everything and session.scalar(select(literal(1)).where(
            Org.system_id == system.id, Org.id.in_(visible_org_ids(scope))).limit(1)) is None:
        raise OutOfScope(f"无权查看系统：{filters.system}")
    if region is not None and not scope.everything and session.scalar(
            select(literal(1)).select_from(Org).join(Region, Region.id == Org.region_id).where(
            _region_column(region.level) == region.code, Org.id.in_(visible_org_ids(scope))).limit(1)) is None:
        raise OutOfScope(f"无权查看地区：{filters.region}")
    if org is not None and not scope.everything:
        if session.scalar(select(literal(1)).where(Org.id == org.id, Org.id.in_(visible_org_ids(scope)))) \
                is None:
            raise OutOfScope(f"无权查看组织：{filters.org}")
    return Node(rnd, system, region, org)


def _named(session: Session, filters) -> tuple:
    """(round, system, region, org) that the filters name, each None when not named or not found; the round
    is the newest (find_round) when none is named.

    A read-only session (data.db.READS_ONLY: every web request's) takes the round, system and region from what
    an earlier request resolved for the same names and data version (every click names the same few; this
    was most of a millisecond of each) and reads only the org. Those shared rows are detached (loaded in a
    session of their own, then closed), so no session expires or changes them, and reading an attribute they
    did not load fails loudly."""
    # Round names and org codes as people type them (brackets, digits, spaces): domain.names.
    names = (canonical(filters.round) or None, filters.system, filters.region)
    org_code = canonical(filters.org) or None
    if not session.info.get(READS_ONLY):
        return _load_named(session, *names, org_code)
    # Only a complete answer is kept: an error path need not be fast, and a name may yet be imported.
    shared = _named_cache.get((*data_version(session), names), lambda: _detached(session, names),
                              keep=lambda rows: rows[0] is not None and all(
                                  row is not None for row, name in zip(rows[1:], names[1:]) if name))
    org = session.scalar(select(Org).where(Org.code == org_code)) if org_code else None
    return (*shared, org)


def _detached(session: Session, names: tuple) -> tuple:
    """The named rows loaded in a session of their own, then closed, so no request's session expires or
    changes the shared copies (reading an attribute they did not load fails loudly)."""
    with Session(bind=session.get_bind()) as own:
        return _load_named(own, *names, None)[:3]


_named_cache = ComputedCache(1024)


def _load_named(session: Session, round_name, system, region, org) -> tuple:
    """_named in one round trip (a drill-down click used to pay one per level)."""
    named = [(model, column == value) for model, column, value in (
        (System, System.name, system), (Region, Region.code, region), (Org, Org.code, org)) if value]
    stmt = select(Round, *[model for model, _ in named]).select_from(Round)
    for model, on in named:
        stmt = stmt.outerjoin(model, on)
    if round_name:
        stmt = stmt.where(Round.name == round_name)
    else:  # rounds()'s order, newest first
        stmt = stmt.order_by(Round.start_date.is_(None).asc(), Round.start_date.desc(), Round.id.desc()).limit(1)
    row = session.execute(stmt).first()
    found = dict(zip([Round, *[model for model, _ in named]], row or ()))
    return tuple(found.get(model) for model in (Round, System, Region, Org))


def _region_column(level: int):
    return getattr(Region, f"l{level}_code")


def filter_org_ids(scope: Scope, node: Node) -> Select:
    """SELECT of the org ids of the current node: scope ∩ system ∩ region subtree ∩ org subtree."""
    return select(Org.id).where(*org_conditions(scope, node))


def org_conditions(scope: Scope, node: Node) -> list:
    """Conditions on Org's columns that hold exactly for the orgs of filter_org_ids (none at all for the
    whole campaign seen by someone who may see everything), for queries that join Org anyway."""
    conditions = [] if scope.everything else [Org.id.in_(visible_org_ids(scope))]
    if node.system is not None:
        conditions.append(Org.system_id == node.system.id)
    if node.region is not None:
        conditions.append(Org.region_id.in_(
            select(Region.id).where(_region_column(node.region.level) == node.region.code)))
    if node.org is not None:
        conditions.append(Org.id.in_(
            select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == node.org.id)))
    return conditions


# ---------------------------------------------------------------------------------------- grouping
def _grouped(stmt: Select, org_col, level: str, org_ids: Select, ancestors: Select | None = None):
    """Add the joins of a grouping level to `stmt` (rows of org `org_col`); return (stmt, key)."""
    stmt = stmt.where(org_col.in_(org_ids))
    if level == "all":  # one group; callers skip GROUP BY (PostgreSQL rejects grouping by a constant)
        return stmt, literal(0)
    if level == "org":
        return stmt, org_col
    if level == "system":
        return stmt.join(Org, Org.id == org_col), Org.system_id
    if level == "region":
        key = func.coalesce(Region.l2_code, Region.l1_code)
        return stmt.join(Org, Org.id == org_col).join(Region, Region.id == Org.region_id), key
    if level == "ancestor":
        if ancestors is None:
            raise ValueError("level 'ancestor' needs ancestors")
        # `+ 0` keeps SQLite from probing the (ancestor, descendant) key once per listed ancestor for
        # every row (quadratic: 10 s at 5,000 orgs); it walks each row's few ancestors instead.
        stmt = stmt.join(OrgClosure, OrgClosure.descendant_id == org_col).where(
            (OrgClosure.ancestor_id + 0).in_(ancestors))
        return stmt, OrgClosure.ancestor_id
    raise ValueError(f"unknown grouping level {level!r}")


def _sums(model) -> list:
    return [func.coalesce(func.sum(getattr(model, c)), 0) for c in COUNT_COLUMNS]


def _counts(values) -> Counts:
    return Counts.of_values(values)


def headline_counts(session: Session, round_id: int, org_ids: Select, level: str = "all",
                    ancestors: Select | None = None) -> dict:
    """key -> pooled headline Counts of the orgs of `org_ids`, grouped by `level` (rollup_headline).

    Only groups with at least one reporting org appear, so a missing key means "no data in the round".
    """
    stmt, key = _grouped(select().select_from(RollupHeadline), RollupHeadline.org_id, level, org_ids,
                         ancestors)
    stmt = stmt.add_columns(key.label("k"), *_sums(RollupHeadline)).where(
        RollupHeadline.round_id == round_id)
    if level == "all":
        stmt = stmt.add_columns(func.count())
        return {0: _counts(row[1:-1]) for row in session.execute(stmt) if row[-1]}
    return {row[0]: _counts(row[1:]) for row in session.execute(stmt.group_by(key))}


def pledge_rows(session: Session, round_id: int, org_ids: Select, level: str = "all",
                ancestors: Select | None = None) -> list[tuple]:
    """(key, due_date, status, fulfilled_date) of every pledge of the round's orgs in `org_ids`."""
    stmt, key = _grouped(select().select_from(Pledge), Pledge.org_id, level, org_ids, ancestors)
    stmt = stmt.add_columns(key, Pledge.due_date, Pledge.status, Pledge.fulfilled_date).where(
        Pledge.round_id == round_id)
    return [tuple(r) for r in session.execute(stmt)]


def rect_rows(session: Session, round_id: int, org_ids: Select, level: str = "all",
              ancestors: Select | None = None) -> list[tuple]:
    """(key, status, registered, deadline, completed, closed, 问题编号) of every rectification (measure) in
    `org_ids`."""
    stmt, key = _grouped(select().select_from(Rectification), Rectification.org_id, level, org_ids,
                         ancestors)
    stmt = stmt.add_columns(key, Rectification.status, Rectification.registered_date,
                            Rectification.deadline, Rectification.completed_date,
                            Rectification.closed_date, Rectification.code).where(Rectification.round_id == round_id)
    return [tuple(r) for r in session.execute(stmt)]


# ---------------------------------------------------------------------------------------- children
def systems_by_id(session: Session, ids) -> dict[int, System]:
    ids = list(ids)
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(System).where(System.id.in_(ids)))}


def regions_by_code(session: Session, codes) -> dict[str, Region]:
    codes = [c for c in codes if c is not None]
    if not codes:
        return {}
    return {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}


def top_orgs(session: Session, org_ids: Select) -> list[Org]:
    """Orgs of the filter set whose parent is outside it (or who have none), by code."""
    return list(session.scalars(
        select(Org).where(Org.id.in_(org_ids), or_(Org.parent_id.is_(None), Org.parent_id.not_in(org_ids)))
        .order_by(Org.code)))


def top_org_ids(org_ids: Select) -> Select:
    """SELECT of the ids of the orgs of the filter set whose parent is outside it (or who have none)."""
    return select(Org.id).where(Org.id.in_(org_ids),
                                or_(Org.parent_id.is_(None), Org.parent_id.not_in(org_ids)))


def child_org_ids(org_id: int, org_ids: Select) -> Select:
    return select(Org.id).where(Org.parent_id == org_id, Org.id.in_(org_ids))


def child_orgs(session: Session, org_id: int, org_ids: Select) -> list[Org]:
    return list(session.scalars(
        select(Org).where(Org.parent_id == org_id, Org.id.in_(org_ids)).order_by(Org.code)))


def ancestors_of(session: Session, org: Org, scope: Scope, node: Node | None = None) -> list[Org]:
    """The org's ancestors the scope may read, within the node's system and region (a Node without an org),
    root first (for the breadcrumb). Conditions on the org row itself (org_conditions), not a membership
    test in the set of such orgs, which the database built whole: 6 ms a breadcrumb at province scale."""
    return list(session.scalars(
        select(Org).join(OrgClosure, OrgClosure.ancestor_id == Org.id)
        .where(OrgClosure.descendant_id == org.id, OrgClosure.depth > 0,
               *org_conditions(scope, node or Node(None)))
        .order_by(OrgClosure.depth.desc())))


CHUNK = 500  # ids per bound list: far below SQLite's and PostgreSQL's bind-parameter limits


def chunks(ids) -> list[list[int]]:
    ids = sorted(ids)
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def id_in(session: Session, column, ids: list[int]):
    """`column IN ids` for a chunk of ids: on PostgreSQL one array parameter (`= ANY`), where a list of
    hundreds of bound ids cost more to render and send than the query took to run (红线's 首评 headlines of
    1,137 orgs at province: 43 → 31 ms); on SQLite the bound list."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(ids)


def org_codes_names(session: Session, ids) -> dict[int, tuple[str, str]]:
    """id -> (code, name) for a list of ids (Core: the drill-down's hot path needs no ORM objects)."""
    out = {}
    for part in chunks(ids):
        stmt = select(Org.id, Org.code, Org.name).where(id_in(session, Org.id, part))
        out.update({r[0]: (r[1], r[2]) for r in session.connection().execute(stmt)})
    return out


def org_labels(session: Session, org_ids: Select) -> dict[int, tuple[str, str]]:
    """id -> (code, name) of the orgs of an org-id SELECT (no ORM objects: cheap for thousands)."""
    return {i: (code, name) for i, code, name in
            session.execute(select(Org.id, Org.code, Org.name).where(Org.id.in_(org_ids)))}


def id_select(ids) -> Select:
    """An org-id SELECT of a short list of ids (at most CHUNK; see chunks) for a grouping's `ancestors`."""
    ids = list(ids)
    if len(ids) > CHUNK:
        raise ValueError(f"id_select takes at most {CHUNK} ids; split them with chunks()")
    return select(Org.id).where(Org.id.in_(ids or [-1]))


# ---------------------------------------------------------------------------------------- members
@dataclass(frozen=True)
class MemberCounts:
    member: Member
    counts: Counts  # headline: the 总体评价 item where the member has answers on it, else all items


def member_counts(session: Session, round_id: int, org_id: int, scope: Scope) -> list[MemberCounts]:
    """Members of an org (in scope) with their headline counts in the round, by member code."""
    members = list(session.scalars(
        select(Member).where(Member.org_id == org_id, Member.org_id.in_(visible_org_ids(scope)))
        .order_by(Member.code)))
    if not members:
        return []
    stmt = (select(Tally.member_key, Item.is_overall, *_sums(Tally))
            .join(Item, Item.id == Tally.item_id)
            .where(Tally.round_id == round_id, Tally.org_id == org_id, Tally.member_key != 0, Tally.current)
            .group_by(Tally.member_key, Item.is_overall))
    overall: dict[int, Counts] = {}
    pooled: dict[int, Counts] = {}
    for key, is_overall, *values in session.execute(stmt):
        counts = _counts(values)
        pooled[key] = pooled.get(key, Counts()) + counts
        if is_overall:
            overall[key] = counts
    return [MemberCounts(m, overall.get(m.id, pooled.get(m.id, Counts()))) for m in members]


def member_pledge_rows(session: Session, round_id: int, org_id: int, scope: Scope) -> list[tuple]:
    """(member_id, due_date, status, fulfilled_date) of the members' own pledges of one org."""
    stmt = (select(Pledge.member_id, Pledge.due_date, Pledge.status, Pledge.fulfilled_date)
            .where(Pledge.round_id == round_id, Pledge.org_id == org_id, Pledge.member_id.is_not(None),
                   Pledge.org_id.in_(visible_org_ids(scope))))
    return [tuple(r) for r in session.execute(stmt)]


# ---------------------------------------------------------------------------------------- breakdowns
def round_items(session: Session, round_id: int) -> list[Item]:
    return list(session.scalars(select(Item).where(Item.round_id == round_id)
                                .order_by(Item.position, Item.id)))


def item_counts(session: Session, round_id: int, org_ids: Select, level: str = "all",
                ancestors: Select | None = None) -> dict[tuple, Counts]:
    """(key, item_id) -> the orgs' own answers (member_key 0) per item, summed from the tallies."""
    stmt, key = _grouped(select().select_from(Tally), Tally.org_id, level, org_ids, ancestors)
    stmt = stmt.add_columns(key, Tally.item_id, *_sums(Tally)).where(
        Tally.round_id == round_id, Tally.member_key == 0, Tally.current)
    stmt = stmt.group_by(Tally.item_id) if level == "all" else stmt.group_by(key, Tally.item_id)
    return {(row[0], row[1]): _counts(row[2:]) for row in session.execute(stmt)}


def category_counts(session: Session, round_id: int, org_ids: Select) -> dict[str, Counts]:
    """Evaluator category -> the orgs' headline answers (the rule of rollup_headline, per org): the answers
    on the overall item, plus every answer of the orgs that have none on it. Two sums, not one with an
    OR over a correlated EXISTS, which PostgreSQL ran once per tally (6 s → 1 s at the top of a province)."""
    overall = select(Item.id).where(Item.round_id == round_id, Item.is_overall.is_(True))
    own = [Tally.round_id == round_id, Tally.member_key == 0, Tally.org_id.in_(org_ids), Tally.current]
    other = aliased(Tally)
    has_overall = (select(other.id).where(other.round_id == round_id, other.member_key == 0, other.current,
                                          other.org_id == Tally.org_id, other.item_id.in_(overall)).exists())
    out: dict[str, Counts] = {}
    for which in (Tally.item_id.in_(overall), ~has_overall):
        stmt = select(Tally.category, *_sums(Tally)).where(*own, which).group_by(Tally.category)
        for row in session.execute(stmt):
            counts = _counts(row[1:])
            out[row[0]] = out[row[0]] + counts if row[0] in out else counts
    return out


def session_counts(session: Session, round_id: int, org_ids: Select) -> list[tuple]:
    """(expected, issued, returned) of every 测评场次 of the round's orgs in `org_ids`."""
    stmt = select(EvalSession.expected, EvalSession.issued, EvalSession.returned).where(
        EvalSession.round_id == round_id, EvalSession.org_id.in_(org_ids))
    return [tuple(r) for r in session.execute(stmt)]


# ---------------------------------------------------------------------------------------- whole-tree reads
def _parts(session: Session, stmt, size: int = 5_000):
    """The rows of a whole-campaign read in parts of `size` tuples, so a caller that turns each part
    into arrays never holds hundreds of thousands of Python rows at once (Core: no ORM row overhead)."""
    connection = session.connection()
    # A server-side cursor needs a transaction block on PostgreSQL; read sessions there run without one
    # (data.db.read_engine), so they read through the client-side cursor, still turned into tuples by parts.
    # The option is the statement's: set on the connection, it stayed for the session's later statements,
    # and PostgreSQL refuses an UPDATE through a cursor.
    streamed = connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT"
    result = connection.execute(stmt, execution_options={"yield_per": size} if streamed else None)
    for part in result.partitions(size):
        yield [tuple(r) for r in part]


def tree_rows(session: Session):
    """Parts of (id, parent id or -1, depth, system id, region id) of every org, by id."""
    stmt = select(Org.id, func.coalesce(Org.parent_id, -1), func.coalesce(Org.depth, 0), Org.system_id,
                  Org.region_id).order_by(Org.id)
    return _parts(session, stmt)


def region_rows(session: Session) -> list[tuple]:
    """(id, level, l1, l2, l3, l4 code) of every region, by id."""
    stmt = select(Region.id, Region.level, Region.l1_code, Region.l2_code, Region.l3_code,
                  Region.l4_code).order_by(Region.id)
    return [tuple(r) for r in session.connection().execute(stmt)]


def headline_rows(session: Session, round_id: int):
    """Parts of (org_id, opt1..opt5, unknown, abstain) of every org with a headline in the round."""
    stmt = select(RollupHeadline.org_id, *[getattr(RollupHeadline, c) for c in COUNT_COLUMNS]).where(
        RollupHeadline.round_id == round_id)
    return _parts(session, stmt)


def report_days(session: Session, round_id: int, until: datetime):
    """Parts of (org_id, day of its latest report) of every org that reported in the round, its latest report
    made before `until` (an org whose latest came later counts as knowing none then, as the ledgers read it)."""
    stmt = select(RollupHeadline.org_id, RollupHeadline.latest_reported_at).where(
        RollupHeadline.round_id == round_id, RollupHeadline.latest_reported_at < until)
    for part in _parts(session, stmt):
        yield [(org_id, latest.toordinal()) for org_id, latest in part]


def org_item_rows(session: Session, round_id: int):
    """Parts of (org_id, item_id, opt1..opt5, unknown, abstain) of every org's own answers per item."""
    stmt = (select(Tally.org_id, Tally.item_id, *_sums(Tally))
            .where(Tally.round_id == round_id, Tally.member_key == 0, Tally.current)
            .group_by(Tally.org_id, Tally.item_id))
    return _parts(session, stmt)


def subtree_item_rows(session: Session, round_id: int, root_ids: list[int]) -> list[tuple]:
    """(root id, item_id, opt1..opt5, unknown, abstain): the own answers per item of everything in each root's
    subtree (the root included). Walks org_closure from the roots, so it costs what the subtrees hold, not the
    round (the red line asks this of its candidates, most of them small units)."""
    out = []
    for part in chunks(root_ids):
        # Materialised first on SQLite: otherwise SQLite's planner walks the round's tallies and probes the closure
        # for each (minutes at province scale).
        pairs = (select(OrgClosure.ancestor_id, OrgClosure.descendant_id).where(OrgClosure.ancestor_id.in_(part))
                 .cte("pairs").prefix_with("MATERIALIZED", dialect="sqlite"))
        stmt = (select(pairs.c.ancestor_id, Tally.item_id, *_sums(Tally))
                .select_from(pairs)
                .join(Tally, and_(Tally.round_id == round_id, Tally.org_id == pairs.c.descendant_id,
                                  Tally.member_key == 0, Tally.current))
                .group_by(pairs.c.ancestor_id, Tally.item_id))
        out += [tuple(r) for r in session.connection().execute(stmt)]
    return out


def round_pledges(session: Session, round_id: int) -> list[tuple]:
    """(org_id, due_date, status, fulfilled_date) of every pledge of the round (whole campaign)."""
    stmt = select(Pledge.org_id, Pledge.due_date, Pledge.status, Pledge.fulfilled_date).where(
        Pledge.round_id == round_id)
    return [tuple(r) for r in session.connection().execute(stmt)]


# ---------------------------------------------------------------------------------------- 返工补课
def rework_orders(session: Session, round_id: int, org_ids: Select) -> dict[int, ReworkOrder]:
    """The round's 返工补课 orders of the orgs of org_ids, by org id."""
    return {o.org_id: o for o in session.scalars(select(ReworkOrder).where(
        ReworkOrder.round_id == round_id, ReworkOrder.org_id.in_(org_ids)))}


def rechecked_org_ids(session: Session, round_id: int, org_ids: Select, until) -> set[int]:
    """Orgs of org_ids with 复评 rows reported before `until` (a datetime)."""
    recheck = bindparam("recheck", RECHECK, literal_execute=True)  # in the SQL text: the partial index applies
    return set(session.scalars(select(Tally.org_id).where(
        Tally.round_id == round_id, Tally.phase == recheck, Tally.first_reported_at < until,
        Tally.org_id.in_(org_ids)).distinct()))


def rollup_firsts(session: Session, round_id: int, org_ids: list[int]) -> dict[int, tuple]:
    """org id -> (its rows' latest first 上报日期, its headline Counts or None when it has none of its own) from
    rollup_headline: what first_headlines reads there."""
    out = {}
    counts = [getattr(RollupHeadline, c) for c in COUNT_COLUMNS]
    for part in chunks(org_ids):
        stmt = select(RollupHeadline.org_id, RollupHeadline.last_row_reported_at, *counts).where(
            RollupHeadline.round_id == round_id, id_in(session, RollupHeadline.org_id, part))
        # an org reporting only for its members has no headline of its own
        out.update((org_id, (last_row, _counts(values) if any(values) else None))
                   for org_id, last_row, *values in session.execute(stmt))
    return out


def first_headlines(session: Session, round_id: int, org_ids: list[int], until, rechecked: set[int],
                    firsts: dict[int, tuple] | None = None) -> dict[int, Counts]:
    """phase_headlines(…, FIRST, until), read where it can be from rollup_headline: an org whose rows were all
    first reported before `until`, none of them 复评 (`rechecked`: the orgs with 复评 rows before it), has its
    首评 headline there, as every row counts and they are its current ones. The others are read from the
    tallies. firsts: rollup_firsts of some of the orgs, already read (the rest are read here)."""
    firsts = firsts or {}
    known = {k: firsts[k] for k in org_ids if k in firsts}
    known.update(rollup_firsts(session, round_id, [k for k in org_ids if k not in firsts]))
    out: dict[int, Counts] = {}
    others = []
    for org_id, (last_row, counts) in known.items():
        if org_id in rechecked or last_row is None or last_row >= until:
            others.append(org_id)
        elif counts is not None:
            out[org_id] = counts
    if others:
        out.update(phase_headlines(session, round_id, others, FIRST, until))
    return out


def phase_headlines(session: Session, round_id: int, org_ids: list[int], phase: str, until) -> dict[int, Counts]:
    """Each org's own headline counts (its 总体评价 item where it has one, else all items) of one 测评轮次, from
    the rows reported before `until`: the 首评 and 复评 figures shown side by side on the red-line page.
    The 总体评价 rows are read first, the index's (round, org, member, item) prefix going straight to them;
    only the orgs without one have all their items read."""
    overall = [i.id for i in round_items(session, round_id) if i.is_overall]
    out: dict[int, Counts] = {}

    def read(ids: list[int], items: list[int] | None) -> None:
        for part in chunks(ids):
            stmt = (select(Tally.org_id, *_sums(Tally))
                    .where(Tally.round_id == round_id, id_in(session, Tally.org_id, part), Tally.member_key == 0,
                           Tally.phase == phase, Tally.first_reported_at < until)
                    .group_by(Tally.org_id))
            if items is not None:
                stmt = stmt.where(Tally.item_id.in_(items))
            out.update((org_id, _counts(values)) for org_id, *values in session.execute(stmt))

    if overall:
        read(org_ids, overall)
    read([k for k in org_ids if k not in out], None)
    return out


def round_rects(session: Session, round_id: int) -> list[tuple]:
    """(org_id, status, registered, deadline, completed, closed, 问题编号) of every rectification of the round."""
    stmt = select(Rectification.org_id, Rectification.status, Rectification.registered_date,
                  Rectification.deadline, Rectification.completed_date, Rectification.closed_date,
                  Rectification.code).where(
        Rectification.round_id == round_id)
    return [tuple(r) for r in session.connection().execute(stmt)]


def session_rows(session: Session, round_id: int):
    """Parts of (org_id, issued, returned) of every 测评场次 of the round."""
    stmt = select(EvalSession.org_id, EvalSession.issued, EvalSession.returned).where(
        EvalSession.round_id == round_id)
    return _parts(session, stmt)


__all__ = [
    "data_fingerprint", "org_codes_names", "org_item_rows", "tree_rows", "region_rows", "headline_rows", "session_rows", "round_pledges", "round_rects",
    "QueryError", "NotFound", "OutOfScope", "Node", "visible_org_ids", "rounds", "find_round", "resolve",
    "filter_org_ids", "org_conditions", "headline_counts", "pledge_rows", "rect_rows", "systems_by_id", "regions_by_code",
    "top_orgs", "top_org_ids", "child_orgs", "child_org_ids", "org_labels", "id_select", "chunks", "ancestors_of", "MemberCounts", "member_counts",
    "member_pledge_rows", "round_items", "item_counts", "category_counts", "session_counts",
]
