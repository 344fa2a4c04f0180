"""Queries behind the ledger-type views (整改台账, 承诺践诺, 督导联系点, 上报进度, 数据质量).

They return rows and counts, never rates: every formula lives in domain.metrics. Scope is applied here,
from the values domain.scope hands over, so no query of these views can forget it (deny by default).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import Row, Select, String, and_, case, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

from domain.gridmodel import INT_EPS
from domain.rules import Counts
from domain.scope import Scope
from domain.tables import Filters
from data.queries import CHUNK, NotFound, chunks, filter_org_ids, id_in, of_orgs, resolve
from data.models import (
    COUNT_COLUMNS, Ballot, EvalSession, Item, Member, Org, OrgClosure, Pledge, Rectification, Region, RollupHeadline,
    SupervisionGroup, SupervisionLink, System, Tally
)


def visible_org_ids(session: Session, scope: Scope, filters: Filters) -> Select:
    """SELECT of the org ids in the scope and inside the filters (system, region subtree, org subtree).

    Unknown names or codes raise NotFound; an org filter outside the scope raises OutOfScope.
    """
    return filter_org_ids(scope, resolve(session, filters, scope))


@dataclass(frozen=True)
class OrgInfo:
    id: int
    code: str
    name: str
    system: str
    region: str  # full path where known, else the region's name
    region_l2: str | None
    is_leaf: bool
    org_type: str
    region_name: str  # the region's own name (红线 and 薄弱排名 show it)


def org_infos(session: Session, org_ids: Iterable[int] | Select) -> dict[int, OrgInfo]:
    """The orgs of an org-id SELECT, or of any number of ids (read in chunks)."""
    query = (select(Org.id, Org.code, Org.name, System.name, Region.full_name, Region.name,
                    Region.l2_code, Org.is_leaf, Org.org_type)
             .join(System, System.id == Org.system_id).join(Region, Region.id == Org.region_id))
    parts = [org_ids] if isinstance(org_ids, Select) else chunks(set(org_ids))
    return {r[0]: OrgInfo(r[0], r[1], r[2], r[3], r[4] or r[5], r[6], bool(r[7]), r[8], r[5])
            for part in parts for r in session.execute(query.where(
                Org.id.in_(part) if isinstance(part, Select) else id_in(session, Org.id, part)))}


def region_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    codes = sorted({c for c in codes if c})
    if not codes:
        return {}
    return dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())


# ---------------------------------------------------------------------------------------- ledgers
def rectifications(session: Session, round_id: int, org_ids: Select,
                    columns: Iterable[str] | None = None) -> list[Row]:
    """Plain rows with the model's attribute names, not ORM objects: an export reads a whole province's
    ledger, and tracked instances weigh several times the row (their peak stayed in the server's memory).
    columns: only these (a summary needs no descriptions), else every column."""
    table = Rectification.__table__
    return list(session.execute(select(*([table] if columns is None else [table.c[c] for c in columns]))
                                .where(Rectification.round_id == round_id,
                                       of_orgs(Rectification.org_id, org_ids))
                                .order_by(Rectification.code, Rectification.measure_no)))


def rect_org_labels(session: Session, round_id: int, org_ids: Select) -> dict[int, tuple[str, str]]:
    """id -> (code, name) of the orgs of org_ids with rectifications in the round, in one query: a province's
    11,000 such orgs looked up by id, 500 at a time, took twice as long on PostgreSQL (124 → 57 ms)."""
    return {i: (code, name) for i, code, name in session.execute(
        select(Org.id, Org.code, Org.name).where(Org.id.in_(
            select(Rectification.org_id).where(Rectification.round_id == round_id,
                                               of_orgs(Rectification.org_id, org_ids)))))}


def pledge_dates(session: Session, round_id: int, org_ids: Select) -> list[Row]:
    """(org_id, due_date, status, fulfilled_date) of the pledges of org_ids: what a pledge's state needs."""
    return list(session.execute(select(Pledge.org_id, Pledge.due_date, Pledge.status, Pledge.fulfilled_date)
                                .where(Pledge.round_id == round_id, of_orgs(Pledge.org_id, org_ids))))


@dataclass(frozen=True)
class PledgeRow:
    pledge: Row  # the pledges table's columns, by the model's attribute names
    member_code: str | None
    member_name: str | None


def pledges(session: Session, round_id: int, org_ids: Select) -> list[PledgeRow]:
    query = (select(Pledge.__table__, Member.code.label("member_code"), Member.name.label("member_name"))
             .outerjoin(Member, Member.id == Pledge.member_id)
             .where(Pledge.round_id == round_id, of_orgs(Pledge.org_id, org_ids))
             .order_by(Pledge.code))  # plain rows, as rectifications() above
    return [PledgeRow(row, row.member_code, row.member_name) for row in session.execute(query)]


# ---------------------------------------------------------------------------------------- ledger pages
# One page of a ledger with its total, straight from SQL: the as-of state rules of domain.metrics are
# expressed as comparisons of stored dates with the boundaries worked out there (AsOfDates).
@dataclass(frozen=True)
class AsOfDates:
    day: date  # the as-of day
    late_from: date  # an open rectification due before this day has 超期天数 > 0
    soon_until: date  # an open rectification due in [day, soon_until] is 临期
    done_statuses: tuple[str, ...]  # a rectification with one of these and a completion date is done
    pledge_done: str  # the status of a fulfilled pledge


@dataclass(frozen=True)
class GridQuery:
    """A grid's sort and filters on stored columns (domain.gridmodel.pushdown): sort is (field,
    descending) pairs, where is (field, condition) with a condition either (op, needle) — op one of
    TEXT_OPS, the needle a string whose matching does not depend on case —, ("number", op, a, b) on a
    whole-number column (gridmodel.NUMBER_OPS, bounds as floats or None) or ("and" | "or", conditions)."""
    sort: tuple[tuple[str, bool], ...] = ()
    where: tuple[tuple[str, Any], ...] = ()


TEXT_OPS = ("contains", "notContains", "equals", "notEqual", "startsWith", "endsWith", "blank", "notBlank")
BLANK_TEXTS = ("", "—")


@dataclass(frozen=True)
class RectPageRow:
    rect: Row  # the rectifications table's columns (and the org's), by the model's attribute names
    org_code: str
    org_name: str


@dataclass(frozen=True)
class PledgePageRow:
    pledge: Row  # the pledges table's columns (and more), by the model's attribute names
    member_code: str | None
    member_name: str | None
    org_code: str
    org_name: str


def _condition(col, cond) -> Any:
    """SQL for gridmodel's test of a pushed condition on a nullable column: text (NULL reads as ""), whole
    numbers (("number", op, a, b)), or several joined by and / or."""
    if cond[0] == "number":
        return _number_condition(col, *cond[1:])
    op, arg = cond
    if op in ("and", "or"):
        parts = [_condition(col, c) for c in arg]
        return and_(*parts) if op == "and" else or_(*parts)
    return _text_condition(col, op, arg)


def _number_condition(col, op: str, a: float | None, b: float | None) -> Any:
    """gridmodel._number_test on a whole-number column: NULL is blank and never compares."""
    if op in ("blank", "notBlank"):
        return col.is_(None) if op == "blank" else col.is_not(None)
    if op == "notEqual":
        return true() if a is None else or_(col.is_(None), col <= a - INT_EPS, col >= a + INT_EPS)
    if a is None or (op == "inRange" and b is None):
        return false()
    tests = {"equals": lambda: and_(col > a - INT_EPS, col < a + INT_EPS), "lessThan": lambda: col < a,
             "lessThanOrEqual": lambda: col <= a + INT_EPS, "greaterThan": lambda: col > a,
             "greaterThanOrEqual": lambda: col >= a - INT_EPS, "inRange": lambda: and_(col >= a, col <= b)}
    if op not in tests:
        raise ValueError(f"unknown number filter {op}")
    return and_(col.is_not(None), tests[op]())


def _text_condition(col, op: str, arg: str) -> Any:
    """SQL for gridmodel's text test on a nullable column (NULL reads as "")."""
    if op == "blank":
        return or_(col.is_(None), col.in_(BLANK_TEXTS))
    if op == "notBlank":
        return and_(col.is_not(None), col.not_in(BLANK_TEXTS))
    if op not in TEXT_OPS:
        raise ValueError(f"unknown text filter {op}")
    if arg == "":  # "" contains, starts and ends every text, and equals only the empty one
        return {"contains": true(), "notContains": false(), "startsWith": true(), "endsWith": true(),
                "equals": or_(col.is_(None), col == ""), "notEqual": and_(col.is_not(None), col != "")}[op]
    match = {"contains": lambda: col.contains(arg, autoescape=True),
             "startsWith": lambda: col.startswith(arg, autoescape=True),
             "endsWith": lambda: col.endswith(arg, autoescape=True),
             "equals": lambda: col == arg}
    if op in match:
        return and_(col.is_not(None), match[op]())
    positive = {"notContains": "contains", "notEqual": "equals"}[op]
    return or_(col.is_(None), not_(match[positive]()))


def _binary(col, session: Session):
    """The column compared by code point, as Python compares strings (SQLite's default; "C" on PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql" and isinstance(col.type, String):
        return col.collate("C")
    return col


def _grid_page(session: Session, stmt: Select, joins: dict, fields: dict, grid: GridQuery,
               parts: list, part_order: list, offset: int, limit: int | None) -> tuple[int, list]:
    """(how many rows `stmt` — a SELECT of `key` — has under the grid's filters, their keys offset..
    offset+limit in the grid's order: its sort keys (blanks last either way, texts by code point) then the
    ledger's own order: the rows of each of `parts` (conditions, the last one what the others leave) in
    turn, each in part_order). `fields` maps the grid's fields to (column, join name or None); the joins a
    field needs are added to the statement only when the grid uses that field."""
    used = {name for field, _ in grid.sort + grid.where
            for name in [fields[field][1]] if name is not None}
    for name, join in joins.items():
        if name in used:
            stmt = join(stmt)
    for field, cond in grid.where:
        stmt = stmt.where(_condition(fields[field][0], cond))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    if not grid.sort:
        return total or 0, _parts_page(session, stmt, parts, part_order, offset, limit)
    order = []
    for field, desc in grid.sort:
        col = fields[field][0]
        order += [col.is_(None), _binary(col, session).desc() if desc else _binary(col, session)]
    in_part = case(*[(cond, i) for i, cond in enumerate(parts[:-1])], else_=len(parts) - 1)
    page = stmt.order_by(*order, in_part, *part_order).offset(max(0, offset))
    if limit is not None:
        page = page.limit(max(0, limit))
    return total or 0, list(session.scalars(page))


def _parts_page(session: Session, stmt: Select, parts: list, part_order: list, offset: int,
                limit: int | None) -> list:
    """Keys offset..offset+limit of `stmt` in its ledger's own order, one part after the other: each part's
    rows come in the order of an index (round, deadline, …), so a page is read without sorting the round's
    ledger by a CASE of the day (整改台账's first page at province: 4.0 ms of SQLite → 0.01, docs/SCALING.md). A
    part is counted only when the page starts beyond it."""
    keys: list = []
    skip = max(0, offset)
    for cond in parts:
        want = None if limit is None else max(0, limit) - len(keys)
        if want == 0:
            break
        part = stmt.where(cond)
        if skip:
            size = session.scalar(select(func.count()).select_from(part.subquery())) or 0
            if size <= skip:
                skip -= size
                continue
        page = part.order_by(*part_order).offset(skip)
        keys += session.scalars(page if want is None else page.limit(want))
        skip = 0
    return keys


def _in_order(keys: list, rows: Iterable, key) -> list:
    """rows in the order of keys; a key whose row has gone since the keys were read is left out."""
    by_key = {key(row): row for row in rows}
    return [by_key[k] for k in keys if k in by_key]


def _parts_in_order(session: Session, query: Select, id_column, ids: list[int], make, key) -> Iterator[list]:
    """The rows of `ids` in that order, CHUNK ids per statement and per part yielded."""
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        yield _in_order(part, (make(row) for row in session.execute(query.where(id_in(session, id_column, part)))),
                        key)


def rect_page(session: Session, round_id: int, org_where: list, dates: AsOfDates, *, status: str | None = None,
              light: str | None = None, source: str | None = None, overdue_only: bool = False,
              grid: GridQuery = GridQuery(), offset: int = 0, limit: int | None = None
              ) -> tuple[int, list[int]]:
    """整改台账 page: the round's items of the orgs matching org_where (conditions on Org, see
    data.queries.org_conditions) registered by the as-of day, matching the shown status (as of the day),
    light ("red" / "yellow" / "green"), source and overdue_only; red first by deadline (most days overdue
    first), then yellow by deadline (soonest due), then the rest by deadline, then code. Returns how many match and the page's ids in order:
    rect_page_rows() reads their rows."""
    r, day = Rectification, dates.day
    finished = func.coalesce(r.completed_date, r.closed_date)
    done = and_(r.status.in_(dates.done_statuses), finished.is_not(None), finished <= day)
    overdue = and_(not_(done), r.deadline < day)
    soon = and_(not_(done), r.deadline >= day, r.deadline <= dates.soon_until)
    completed = and_(r.completed_date.is_not(None), r.completed_date <= day)
    closed = and_(r.closed_date.is_not(None), r.closed_date <= day)
    shown = case((and_(r.status == "已销号", not_(closed)), case((completed, "已完成"), else_="整改中")),
                 (and_(r.status == "已完成", not_(completed)), "整改中"), else_=r.status)
    # The lights in the ledger's own order: red by deadline (most days first), yellow, the rest.
    lights = {"red": overdue, "yellow": soon, "green": not_(or_(overdue, soon))}
    stmt = select(r.id).where(r.round_id == round_id, r.registered_date <= day)
    if org_where:
        stmt = stmt.join(Org, Org.id == r.org_id).where(*org_where)
    if status:
        stmt = stmt.where(shown == status)
    if light:
        stmt = stmt.where(lights[light])
    if source:
        stmt = stmt.where(r.source == source)
    if overdue_only:
        stmt = stmt.where(overdue)
    joins = {} if org_where else {"org": lambda st: st.join(Org, Org.id == r.org_id)}
    fields = {"code": (r.code, None), "org_code": (Org.code, "org"), "org_name": (Org.name, "org"),
              "source": (r.source, None), "description": (r.description, None), "measure": (r.measure, None),
              "owner": (r.owner, None), "registered": (r.registered_date, None), "deadline": (r.deadline, None),
              "evidence": (r.evidence, None), "measure_no": (r.measure_no, None)}
    return _grid_page(session, stmt, joins, fields, grid, list(lights.values()),
                      [r.deadline, _binary(r.code, session), r.measure_no], offset, limit)


def rect_page_rows(session: Session, ids: list[int]) -> Iterator[list[RectPageRow]]:
    """The rectifications of rect_page()'s ids, in that order, a part at a time: an export of a whole
    ledger never holds every row. Plain rows, not ORM objects (see rectifications())."""
    r = Rectification
    query = select(r.__table__, Org.code.label("org_code"), Org.name.label("org_name")).join(Org, Org.id == r.org_id)
    return _parts_in_order(session, query, r.id, ids, lambda row: RectPageRow(row, row.org_code, row.org_name),
                           lambda row: row.rect.id)


def pledge_page(session: Session, round_id: int, org_where: list, dates: AsOfDates, *, status: str | None = None,
                overdue_only: bool = False, grid: GridQuery = GridQuery(), offset: int = 0,
                limit: int | None = None) -> tuple[int, list[int]]:
    """承诺践诺 page: the round's pledges of the orgs matching org_where, matching the shown status (as of
    the day) and overdue_only; overdue first by due date, then the rest by due date, then code. Returns how
    many match and the page's ids in order: pledge_page_rows() reads their rows."""
    p, day = Pledge, dates.day
    fulfilled = and_(p.status == dates.pledge_done, p.fulfilled_date.is_not(None), p.fulfilled_date <= day)
    overdue = and_(p.due_date < day, not_(fulfilled))
    shown = case((and_(p.status == dates.pledge_done, not_(fulfilled)), "推进中"), else_=p.status)
    stmt = select(p.id).where(p.round_id == round_id)
    if org_where:
        stmt = stmt.join(Org, Org.id == p.org_id).where(*org_where)
    if status:
        stmt = stmt.where(shown == status)
    if overdue_only:
        stmt = stmt.where(overdue)
    joins = {"member": lambda st: st.outerjoin(Member, Member.id == p.member_id)}
    if not org_where:
        joins["org"] = lambda st: st.join(Org, Org.id == p.org_id)
    fields = {"code": (p.code, None), "org_code": (Org.code, "org"), "org_name": (Org.name, "org"),
              "member_code": (Member.code, "member"), "member_name": (Member.name, "member"),
              "content": (p.content, None), "due": (p.due_date, None)}
    return _grid_page(session, stmt, joins, fields, grid, [overdue, not_(overdue)],
                      [p.due_date, _binary(p.code, session)], offset, limit)


def pledge_page_rows(session: Session, ids: list[int]) -> Iterator[list[PledgePageRow]]:
    """The pledges of pledge_page()'s ids, in that order, a part at a time (as rect_page_rows())."""
    p = Pledge
    query = (select(p.__table__, Member.code.label("member_code"), Member.name.label("member_name"),
                    Org.code.label("org_code"), Org.name.label("org_name"))
             .outerjoin(Member, Member.id == p.member_id).join(Org, Org.id == p.org_id))
    return _parts_in_order(session, query, p.id, ids,
                           lambda row: PledgePageRow(row, row.member_code, row.member_name, row.org_code,
                                                     row.org_name), lambda row: row.pledge.id)


# ---------------------------------------------------------------------------------------- supervision
@dataclass(frozen=True)
class GroupLink:
    group: str
    leader: str | None
    org_id: int
    is_contact_point: bool


def supervision_links(session: Session, group: str | None = None, round_id: int | None = None) -> list[GroupLink]:
    """Every 督导分组 row (optionally of one group, which must exist); with round_id, only the groups of that
    round and those of every round."""
    query = (select(SupervisionGroup.name, SupervisionGroup.leader, SupervisionLink.org_id,
                    SupervisionLink.is_contact_point)
             .join(SupervisionLink, SupervisionLink.group_id == SupervisionGroup.id)
             .order_by(SupervisionGroup.name, SupervisionLink.org_id))
    if round_id is not None:
        query = query.where(or_(SupervisionGroup.round_id.is_(None), SupervisionGroup.round_id == round_id))
    if group:
        if session.scalar(select(SupervisionGroup.id).where(SupervisionGroup.name == group)) is None:
            raise NotFound(f"未知督导组: {group}")
        query = query.where(SupervisionGroup.name == group)
    return [GroupLink(*r) for r in session.execute(query)]


def ancestors(session: Session, org_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each org's ancestors, self first, nearest first."""
    out: dict[int, list[int]] = defaultdict(list)
    ids = sorted(set(org_ids))
    if not ids:
        return out
    for desc, anc in session.execute(select(OrgClosure.descendant_id, OrgClosure.ancestor_id)
                                     .where(OrgClosure.descendant_id.in_(ids))
                                     .order_by(OrgClosure.descendant_id, OrgClosure.depth)):
        out[desc].append(anc)
    return out


def among(session: Session, org_ids: Iterable[int], within: Select) -> set[int]:
    """The orgs of org_ids that are also in `within` (e.g. the scope and filters): a few hundred looked up,
    not every org of `within` read."""
    found: set[int] = set()
    column = within.selected_columns[0]
    for part in chunks(set(org_ids)):  # the ids inside `within`'s own query: SQLite then reads no other org
        found.update(session.scalars(within.where(column.in_(part))))
    return found


def descendants(session: Session, org_ids: Iterable[int]) -> dict[int, set[int]]:
    """Each org's subtree (self included)."""
    out: dict[int, set[int]] = defaultdict(set)
    ids = sorted(set(org_ids))
    if ids:
        for anc, desc in session.execute(select(OrgClosure.ancestor_id, OrgClosure.descendant_id)
                                         .where(OrgClosure.ancestor_id.in_(ids))):
            out[anc].add(desc)
    return out


def subtree_ids(root_ids: Iterable[int], within: Select) -> Select:
    """SELECT of the orgs in the subtrees of root_ids that are also in `within` (e.g. the scope)."""
    return (select(OrgClosure.descendant_id)
            .where(OrgClosure.ancestor_id.in_(sorted(set(root_ids))), OrgClosure.descendant_id.in_(within))
            .distinct())


@dataclass(frozen=True)
class Headline:
    counts: Counts
    latest: datetime | None
    system_id: int


def headlines(session: Session, round_id: int, org_ids: Select | Iterable[int]) -> dict[int, Headline]:
    """Each org's own headline counts in the round (rollup_headline), with its latest report time."""
    query = select(RollupHeadline.org_id, RollupHeadline.latest_reported_at, RollupHeadline.system_id,
                   *[getattr(RollupHeadline, c) for c in COUNT_COLUMNS]).where(
        RollupHeadline.round_id == round_id, RollupHeadline.org_id.in_(org_ids))
    return {row[0]: Headline(Counts.of_values(row[3:]), row[1], row[2]) for row in session.execute(query)}


# ---------------------------------------------------------------------------------------- reporting
# These read rollup_headline, which has a row with the first and latest report time for every org with any
# accepted tally in the round (its members' included): grouping the tallies themselves took seconds. An
# expected org has reported when it or any org under it has (逐级上报: a township's one 汇总表 for its branches).
def _subtree_reports(round_id: int, org_ids: Select):
    """Subquery (org_id, first, latest): the earliest first and the latest report of each org of org_ids over
    its subtree (org_closure), for the orgs that have any."""
    head = RollupHeadline
    return (select(OrgClosure.ancestor_id.label("org_id"), func.min(head.first_reported_at).label("first"),
                   func.max(head.latest_reported_at).label("latest"))
            .join(head, and_(head.org_id == OrgClosure.descendant_id, head.round_id == round_id))
            .where(OrgClosure.ancestor_id.in_(org_ids)).group_by(OrgClosure.ancestor_id).subquery())


def expected_reports(session: Session, round_id: int, org_ids: Select) -> list[tuple]:
    """(code, name, system, region, first report, latest report) of the orgs of org_ids, the times None when
    the org's subtree has reported nothing in the round; one query (a province expects ~90,000 orgs)."""
    sub = _subtree_reports(round_id, org_ids)
    query = (select(Org.code, Org.name, System.name, func.coalesce(Region.full_name, Region.name),
                    sub.c.first, sub.c.latest)
             .select_from(Org).join(System, System.id == Org.system_id).join(Region, Region.id == Org.region_id)
             .outerjoin(sub, sub.c.org_id == Org.id)
             .where(Org.id.in_(org_ids)))
    return [tuple(row) for row in session.execute(query)]


def participating_system_ids(session: Session, round_id: int, until: datetime) -> set[int]:
    """Systems taking part in the round: any org of theirs has a tally first reported by `until`."""
    query = (select(RollupHeadline.system_id)
             .where(RollupHeadline.round_id == round_id, RollupHeadline.first_reported_at < until).distinct())
    return set(session.scalars(query))


def expected_org_ids(org_ids: Select, system_ids: Iterable[int], report_level: str | None = None) -> Select:
    """SELECT of the orgs among org_ids expected to report (of 组织类型 report_level, else the leaves) that
    belong to one of the systems."""
    level = Org.org_type == report_level if report_level else Org.is_leaf.is_(True)
    return select(Org.id).where(Org.id.in_(org_ids), level, Org.system_id.in_(sorted(set(system_ids))))


def report_status_counts(session: Session, round_id: int, org_ids: Select, missing_from: datetime,
                         late_from: datetime | None) -> list[tuple[str, str | None, int, int]]:
    """(system name, 市/州 code, status, orgs) over the orgs of org_ids, grouped in the database. Status:
    0 when the org's first report (its subtree's) is missing or from missing_from on, 1 when it is from
    late_from on, else 2 (the caller maps these to domain.metrics.reporting_status's statuses and passes its
    cut-offs)."""
    sub = _subtree_reports(round_id, org_ids)
    first = sub.c.first
    late = [(first >= late_from, 1)] if late_from is not None else []
    status = case((first.is_(None), 0), (first >= missing_from, 0), *late, else_=2)
    query = (select(System.name, Region.l2_code, status, func.count())
             .select_from(Org).join(System, System.id == Org.system_id).join(Region, Region.id == Org.region_id)
             .outerjoin(sub, sub.c.org_id == Org.id)
             .where(Org.id.in_(org_ids))
             .group_by(System.name, Region.l2_code, status))
    return [tuple(row) for row in session.execute(query)]


# ---------------------------------------------------------------------------------------- quality
def over_returned_sessions(session: Session, round_id: int, org_ids: Select) -> list[EvalSession]:
    """The 测评场次 that returned more ballots than they issued (the candidates of metrics.session_void): a
    province has 100,000 sessions and a handful of these."""
    return list(session.scalars(select(EvalSession)
                                .where(EvalSession.round_id == round_id, EvalSession.org_id.in_(org_ids),
                                       EvalSession.returned > EvalSession.issued)
                                .order_by(EvalSession.org_id, EvalSession.target)))


def uniform_item_counts(session: Session, round_id: int, org_ids: Select) -> dict[int, tuple[int, Counts]]:
    """Orgs whose own (not their members') answers are the very same on each of at least two items, summed
    over evaluator categories, with some answer: org id -> (items, the counts every item has). Found in the
    database, which returns only those orgs (a province has ~600,000 org-item sums)."""
    per_item = (select(Tally.org_id, *[func.sum(getattr(Tally, c)).label(c) for c in COUNT_COLUMNS])
                .join(Item, Item.id == Tally.item_id)
                .where(Tally.round_id == round_id, Tally.member_key == 0, Tally.org_id.in_(org_ids), Tally.current)
                .group_by(Tally.org_id, Item.name).subquery())
    columns = [per_item.c[c] for c in COUNT_COLUMNS]
    query = (select(per_item.c.org_id, func.count(), *[func.min(c) for c in columns])
             .group_by(per_item.c.org_id)
             .having(func.count() >= 2, *[func.min(c) == func.max(c) for c in columns],
                     func.max(sum(columns[1:], columns[0])) > 0))
    return {row[0]: (row[1], Counts.of_values(row[2:])) for row in session.execute(query)}


def org_categories(session: Session, round_id: int) -> dict[int, tuple[int, set[str]]]:
    """Per org with tallies in the round (whole round, every system): (its system id, its evaluator
    categories)."""
    out: dict[int, tuple[int, set[str]]] = {}
    query = (select(Tally.org_id, Org.system_id, Tally.category).join(Org, Org.id == Tally.org_id)
             .where(Tally.round_id == round_id, Tally.current).distinct())
    for org_id, system_id, category in session.execute(query):
        out.setdefault(org_id, (system_id, set()))[1].add(category)
    return out


def ballots(session: Session, round_id: int) -> list[tuple[int, str, dict[str, str]]]:
    """Every ballot of the round as (org id, ballot number, answers by item name)."""
    rows = session.execute(select(Ballot.org_id, Ballot.ballot_no, Ballot.answers)
                           .where(Ballot.round_id == round_id).order_by(Ballot.org_id, Ballot.ballot_no))
    out = []
    for org_id, number, answers in rows:
        try:
            parsed = json.loads(answers) if answers else {}
        except ValueError:
            parsed = {}
        if not isinstance(parsed, dict):  # importers store an object; anything else carries no answers
            parsed = {}
        out.append((org_id, number, {str(k): str(v or "").strip() for k, v in parsed.items()}))
    return out


__all__ = [
    "visible_org_ids", "OrgInfo",
    "org_infos", "region_names", "rectifications", "pledges", "PledgeRow", "supervision_links", "GroupLink",
    "ancestors", "descendants", "subtree_ids", "headlines", "Headline", "expected_reports",
    "participating_system_ids", "expected_org_ids", "report_status_counts", "over_returned_sessions", "uniform_item_counts", "org_categories",
    "ballots", "AsOfDates", "GridQuery", "TEXT_OPS", "RectPageRow", "PledgePageRow", "rect_page", "pledge_page", "rect_page_rows", "pledge_page_rows",
]
