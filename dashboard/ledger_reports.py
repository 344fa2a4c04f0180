"""The ledger-type views of docs/views.md: 整改台账, 承诺践诺, 督导联系点, 上报进度, 数据质量.

Each view is `(session, request) -> ReportTable` (domain.request: built and checked by the caller); the UI grid, the export, the API and the CLI
all call these (through dashboard.reports.build), so they cannot disagree. Rows come from
data.ledger_queries (scope applied there); every rate, light and overdue count comes from domain.metrics.
Everything is reproduced "as of" a date: items registered later do not exist yet, and a completion,
fulfilment or report dated after the as-of day has not happened yet.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import cached_property
from datetime import date, datetime
from math import prod
from typing import Any, Callable, Iterable

from sqlalchemy import Row
from sqlalchemy.orm import Session

from dashboard import node_index, record_reports
from domain import gridmodel
from domain import metrics
from domain.rules import Counts, RuleProfile, bucketize, option_position
from domain.record import RETURNED
from domain.request import Request, ViewFilter
from domain.tables import DATE, INT, PERCENT, VIEW_TITLES, Column, ReportTable, RowStream, positions
from data import ledger_queries as q
from data import queries
from data import visits as visit_data
from data.cache import ComputedCache, data_version
from data.models import Round

YES, NO = "是", "否"
LIGHTS = (metrics.RED, metrics.YELLOW, metrics.GREEN)
RECT_STATUSES = ("未启动", "整改中", "已完成", "已销号")
PLEDGE_STATUSES = ("未启动", "推进中", "已兑现")

# The view filters each ledger reads (checked where the request is built, domain.request).
RECT_FILTERS = (ViewFilter("status", "状态", RECT_STATUSES), ViewFilter("light", "灯", LIGHTS),
                ViewFilter("source", "问题来源"), ViewFilter("overdue_only", "仅看超期", flag=True))
PLEDGE_FILTERS = (ViewFilter("status", "状态", PLEDGE_STATUSES), ViewFilter("overdue_only", "仅看逾期", flag=True))
GROUP_FILTERS = (ViewFilter("group", "督导组"),)
REPORTING_STATUSES = (metrics.REPORTED, metrics.REPORTED_LATE, metrics.MISSING)
REPORTING_FILTERS = (ViewFilter("status", "上报状态", REPORTING_STATUSES),)
VIEW_FILTERS = {"rectifications": RECT_FILTERS, "rectification-summary": RECT_FILTERS,
                "rectification-ageing": RECT_FILTERS, "pledges": PLEDGE_FILTERS, "pledges-overdue": PLEDGE_FILTERS,
                "contact-points": GROUP_FILTERS, "contact-point-detail": GROUP_FILTERS, "visits": GROUP_FILTERS,
                "reporting": REPORTING_FILTERS}

MIN_CONTACT_POINTS = 2  # the default 联系点下限 (each round has its own: RuleProfile.contact_min/contact_max)
BONSAI_GAP = 0.15  # a contact point this far above the rest of its unit looks like a showcase ("盆景")
UNIFORM_MIN_N = 20  # 满意率100% / 无不满意 only mean something on a sample this large
IDENTICAL_MIN_N = 10  # identical result vectors across orgs are suspicious from this sample on
CATEGORY_MIN_ORGS = 3  # a system needs this many reporting orgs before "most orgs" is a norm
STRAIGHT_MIN_ITEMS = 3  # a ballot needs this many items before answering all alike is telling
STRAIGHT_MIN_OBSERVED = 2
STRAIGHT_FACTOR = 3  # flag when observed > this × the count expected by chance
SAME_DAY_MIN = 3  # closing this many rectifications, all on one day, looks like a paper exercise



# ---------------------------------------------------------------------------------------- shared
@dataclass
class _Context:
    round: Round
    profile: RuleProfile
    visible: Any  # SELECT of the org ids in scope and filters
    scoped: Any  # SELECT of the org ids in scope (filters ignored)


def _context(session: Session, request: Request) -> _Context:
    rnd = queries.find_round(session, request.filters.round)
    return _Context(rnd, RuleProfile.from_record(rnd), q.visible_org_ids(session, request.scope, request.filters),
                    queries.visible_org_ids(request.scope))


def _table(view: str, ctx: _Context, columns: list[Column], rows: list[list[Any]], request: Request,
           red_rows: Iterable[int] = (), subtitle: str = "",
           notes: Iterable[str] = ()) -> ReportTable:
    title = f"{VIEW_TITLES[view]}{subtitle} · {ctx.round.name}"
    return ReportTable(view=view, title=title, columns=columns, rows=rows, filters=request.filters,
                       as_of=request.as_of, scope=request.scope.describe(), red_rows=set(red_rows), notes=list(notes),
                       context=ctx.profile.title_lines())


def _yes(flag: bool) -> str:
    return YES if flag else NO


def _rate(counts: Counts, profile: RuleProfile) -> float | None:
    return metrics.rates(bucketize(counts, profile), profile)["综合满意率"]


def _sum_counts(parts: Iterable[Counts]) -> Counts:
    return sum(parts, Counts())


# ---------------------------------------------------------------------------------------- 整改台账
def _rect_status_as_of(r: Row, as_of: date) -> tuple[str, date | None, date | None]:
    """The status, 完成日期 and 销号日期 the ledger showed on the as-of day (later events had not happened)."""
    completed = r.completed_date if r.completed_date and r.completed_date <= as_of else None
    closed = r.closed_date if r.closed_date and r.closed_date <= as_of else None
    status = r.status
    if status == "已销号" and closed is None:
        status = "已完成" if completed else "整改中"
    elif status == "已完成" and completed is None:
        status = "整改中"
    return status, completed, closed


# What the per-org summary and the ageing chart read of each rectification (the ledger reads every column: at
# province scale its descriptions and measures were most of the 11,000 rows read).
STATE_COLUMNS = ("org_id", "code", "status", "registered_date", "deadline", "completed_date", "closed_date", "source")


def _rect_states(session: Session, ctx: _Context, as_of: date, columns: Iterable[str] | None = None):
    """(rectification, state) for every item of the round in view that was registered by as_of (columns: of
    the rectification, q.rectifications)."""
    out = []
    for r in q.rectifications(session, ctx.round.id, ctx.visible, columns):
        state = metrics.rect_state(r.status, r.registered_date, r.deadline, r.completed_date,
                                   r.closed_date, as_of, ctx.profile)
        if state.registered:
            out.append((r, state))
    return out


# Stored columns (the paged ledger's queries sort and filter on them: data.ledger_queries.GridQuery) are
# keyed by their field; the others are worked out as of the day. 灯 and 超期天数 come right after the key
# column, so what needs action is on screen first (also on a phone, where the others scroll).
RECT_COLUMNS = [
    Column("问题编号", key="code", stored=True), Column("灯", key="light"), Column("超期天数", INT, key="overdue_days"),
    Column("整改时限", DATE, key="deadline", stored=True), Column("组织编码", key="org_code", stored=True),
    Column("组织名称", key="org_name", stored=True), Column("问题来源", key="source", stored=True),
    Column("问题描述", key="description", stored=True), Column("整改措施", key="measure", stored=True),
    Column("责任人", key="owner", stored=True), Column("登记日期", DATE, key="registered", stored=True),
    Column("状态", key="status"), Column("完成日期", DATE, key="completed"), Column("销号日期", DATE, key="closed"),
    Column("标记", key="mark"), Column("整改佐证", key="evidence", stored=True),
    Column("措施编号", INT, key="measure_no", stored=True),
]
RECT = positions(RECT_COLUMNS)


RECT_FILTERS = ("status", "light", "source", "overdue_only")  # 整改台账's filters that pick among a node's rows


def _rect_filtered(session: Session, ctx: _Context, request: Request, columns: Iterable[str] | None = None):
    """(rectification, state, status/完成日期/销号日期 as of the day) matching the extra filters status,
    light, source and overdue_only — the ledger, its per-org summary and its ageing chart all use these."""
    return _rect_matching([(r, s, _rect_status_as_of(r, request.as_of))
                           for r, s in _rect_states(session, ctx, request.as_of, columns)], request)


def _rect_matching(items: list, request: Request) -> list:
    """The (rectification, state, shown) of items that match the request's RECT_FILTERS."""
    status, light, source = request.option("status"), request.option("light"), request.option("source")
    overdue_only = request.option("overdue_only", False)
    if not (status or light or source or overdue_only):
        return items
    return [(r, s, shown) for r, s, shown in items
            if not ((status and shown[0] != status) or (light and s.light != light)
                    or (source and r.source != source) or (overdue_only and not s.overdue))]


def _working_days_note(ctx: _Context) -> list[str]:
    if not ctx.profile.working_days:
        return []
    return ["本批次按工作日计算：超期天数、临期均只计工作日（法定节假日不计，调休上班日计入）。"]


def _rect_row(r: Row, s: metrics.RectState, shown: tuple, org_code: str, org_name: str) -> list:
    shown_status, completed, closed = shown
    values = {"code": r.code, "org_code": org_code, "org_name": org_name, "source": r.source,
              "description": r.description, "measure": r.measure, "owner": r.owner, "registered": r.registered_date,
              "deadline": r.deadline, "status": shown_status, "completed": completed, "closed": closed,
              "overdue_days": s.overdue_days, "light": s.light, "mark": s.mark, "evidence": r.evidence,
              "measure_no": r.measure_no}
    return [values[c.key] for c in RECT_COLUMNS]


# The ledger's default order (docs/views.md): red (most days overdue first), yellow (soonest due), the rest.
LIGHT_ORDER = {metrics.RED: 0, metrics.YELLOW: 1}


def rectifications(session: Session, request: Request) -> ReportTable:
    """整改台账: one row per rectification, red first (most days overdue first), then yellow (soonest due),
    then the rest by deadline. Extra filters: status, light, source, overdue_only."""
    ctx = _context(session, request)
    items = _rect_filtered(session, ctx, request)
    orgs = q.org_infos(session, {r.org_id for r, _, _ in items})  # not every visible org: a province has 100,000
    rows = [_rect_row(r, s, shown, orgs[r.org_id].code, orgs[r.org_id].name) for r, s, shown in items]
    rows.sort(key=lambda row: (LIGHT_ORDER.get(row[RECT["light"]], 2), -row[RECT["overdue_days"]],
                               row[RECT["deadline"]], row[RECT["code"]], row[RECT["measure_no"]]))
    red = [i for i, row in enumerate(rows) if _rect_is_red(row)]
    return _table("rectifications", ctx, RECT_COLUMNS, rows, request, red,
                  notes=_working_days_note(ctx))


# 整改台账's per-org summary and ageing chart read the same rows and states, asked one after the other when the
# page opens and again at each change of its filters (the states of a province's 11,151 rectifications took
# 210 ms in Python): they are kept per data version and request without RECT_FILTERS, which pick among them.
_state_rows = ComputedCache(4)


def _rect_state_rows(session: Session, ctx: _Context, request: Request) -> list:
    node = request.without_options(RECT_FILTERS)
    every = _state_rows.get((*data_version(session), node), lambda: _rect_filtered(session, ctx, node, STATE_COLUMNS))
    return _rect_matching(every, request)


def rectification_summary(session: Session, request: Request) -> ReportTable:
    """Per org with rectifications: 整改问题数, 整改措施数, 完成措施数, 整改完成率 (of measures), 按期完成率,
    超期, 临期 (metrics.rect_summaries): at province, with its orgs summed one by one in Python and their names
    read 500 at a time, the summary took 172 ms on SQLite and 227 on PostgreSQL (about 130 and 155 now)."""
    ctx = _context(session, request)
    items = _rect_state_rows(session, ctx, request)
    summaries = metrics.rect_summaries((r.org_id for r, _, _ in items), (r.code for r, _, _ in items),
                                       [s for _, s, _ in items])
    labels = q.rect_org_labels(session, ctx.round.id, ctx.visible) if summaries else {}
    rows = [[*labels[org_id], m.problems, m.registered, m.done, m.completion_rate, m.on_time_rate, m.overdue,
             m.due_soon] for org_id, m in summaries.items()]
    rows.sort(key=lambda row: (-row[7], row[0]))
    columns = [Column("组织编码"), Column("名称"), Column("整改问题数", INT), Column("整改措施数", INT),
               Column("完成措施数", INT), Column("整改完成率", PERCENT), Column("按期完成率", PERCENT),
               Column("超期", INT), Column("临期", INT)]
    red = [i for i, row in enumerate(rows) if row[7]]
    return _table("rectifications", ctx, columns, rows, request, red, "（按组织汇总）",
                  _working_days_note(ctx))


def rectification_ageing(session: Session, request: Request) -> ReportTable:
    """超期 rectifications counted per ageing band (the ledger's ageing chart): every band, shortest first,
    an empty one with 0."""
    ctx = _context(session, request)
    counts: Counter[str] = Counter()
    for _, s, _ in _rect_state_rows(session, ctx, request):
        band = metrics.ageing_bucket(s.overdue_days)
        if band:
            counts[band] += 1
    rows = [[band, counts[band]] for band in metrics.AGEING_BANDS]
    columns = [Column("超期时长"), Column("超期整改", INT)]
    return _table("rectifications", ctx, columns, rows, request, subtitle="（超期账龄）",
                  notes=_working_days_note(ctx))


# ---------------------------------------------------------------------------------------- 承诺践诺
def _pledge_items(session: Session, ctx: _Context, as_of: date):
    out = []
    for row in q.pledges(session, ctx.round.id, ctx.visible):
        p = row.pledge
        out.append((row, metrics.pledge_state(p.due_date, p.status, p.fulfilled_date, as_of)))
    return out


def pledges(session: Session, request: Request) -> ReportTable:
    """承诺践诺: one row per pledge, longest overdue first. Extra filters: status, overdue_only."""
    ctx = _context(session, request)
    status, overdue_only = request.option("status"), request.option("overdue_only", False)
    items = _pledge_items(session, ctx, request.as_of)
    orgs = q.org_infos(session, {row.pledge.org_id for row, _ in items})
    rows = []
    for row, s in items:
        p = row.pledge
        shown = _pledge_row(p, s, row.member_code, row.member_name, orgs[p.org_id].code, orgs[p.org_id].name)
        if (status and shown[PLEDGE["status"]] != status) or (overdue_only and not s.overdue):
            continue
        rows.append(shown)
    rows.sort(key=lambda r: (-r[PLEDGE["overdue_days"]], r[PLEDGE["due"]], r[PLEDGE["code"]]))
    red = [i for i, r in enumerate(rows) if _pledge_is_red(r)]
    return _table("pledges", ctx, PLEDGE_COLUMNS, rows, request, red)


PLEDGE_COLUMNS = [
    Column("承诺编号", key="code", stored=True), Column("组织编码", key="org_code", stored=True),
    Column("组织名称", key="org_name", stored=True), Column("党员编号", key="member_code", stored=True),
    Column("党员姓名", key="member_name", stored=True), Column("承诺内容", key="content", stored=True),
    Column("承诺时限", DATE, key="due", stored=True), Column("状态", key="status"),
    Column("兑现日期", DATE, key="fulfilled"), Column("是否到期", key="is_due"), Column("逾期未兑现", key="overdue"),
    Column("逾期天数", INT, key="overdue_days"),
]
PLEDGE = positions(PLEDGE_COLUMNS)


def _pledge_row(p, s: metrics.PledgeState, member_code, member_name, org_code: str, org_name: str) -> list:
    # A fulfilment dated after the as-of day had not happened yet on that day.
    shown_status = p.status if s.fulfilled or p.status != metrics.PLEDGE_DONE else "推进中"
    return [p.code, org_code, org_name, member_code, member_name, p.content, p.due_date, shown_status,
            p.fulfilled_date if s.fulfilled else None, _yes(s.due), _yes(s.overdue), s.overdue_days]


def overdue_pledges(session: Session, request: Request) -> ReportTable:
    """The 逾期未兑现 list: the pledge ledger with overdue_only set (the other filters kept)."""
    table = pledges(session, _overdue_only(request))
    return _overdue_title(table)


def _overdue_only(request: Request) -> Request:
    return request.with_option("overdue_only", True, "1")


def _overdue_title(table: ReportTable) -> ReportTable:
    return replace(table, title=table.title.replace(VIEW_TITLES["pledges"], f"{VIEW_TITLES['pledges']}（逾期未兑现）", 1))


def pledge_summary_by_org(session: Session, request: Request) -> ReportTable:
    """Per org with pledges: 承诺数, 到期承诺, 已兑现 (of those due), 承诺兑现率, 逾期未兑现."""
    ctx = _context(session, request)
    by_org: dict[int, list] = defaultdict(list)
    # Only the columns a state needs, and the orgs' codes and names alone: at province the whole pledge rows
    # and each org's full description took 0.75 s of this summary's 1.1 s.
    for org_id, due, status, fulfilled in q.pledge_dates(session, ctx.round.id, ctx.visible):
        by_org[org_id].append(metrics.pledge_state(due, status, fulfilled, request.as_of))
    orgs = queries.org_codes_names(session, by_org)
    rows = []
    for org_id, states in by_org.items():
        summary = metrics.pledge_summary(states)
        rows.append([*orgs[org_id], summary.total, summary.due, summary.fulfilled_due, summary.rate,
                     summary.overdue])
    rows.sort(key=lambda r: (-r[6], r[0]))
    columns = [Column("组织编码"), Column("名称"), Column("承诺数", INT), Column("到期承诺", INT),
               Column("已兑现", INT), Column("承诺兑现率", PERCENT), Column("逾期未兑现", INT)]
    red = [i for i, r in enumerate(rows) if r[6]]
    return _table("pledges", ctx, columns, rows, request, red, "（按组织汇总）")


# ---------------------------------------------------------------------------------------- pages
# The ledgers as pages straight from SQL: the grid asks for 100 rows and a count, and a province's ledger
# (hundreds of thousands of rows) is never built for that. Their stored columns are the ones a grid may sort
# or filter in SQL.
PAGED_VIEWS = {"rectifications": RECT_COLUMNS, "pledges": PLEDGE_COLUMNS, "pledges-overdue": PLEDGE_COLUMNS}


def _as_of_dates(as_of: date, profile: RuleProfile) -> q.AsOfDates:
    return q.AsOfDates(as_of, metrics.late_from(as_of, profile.working_days),
                       metrics.soon_until(as_of, profile.warn_days, profile.working_days),
                       metrics.DONE_STATUSES, metrics.PLEDGE_DONE)


def page(view: str, session: Session, request: Request, sort_model: list[dict] | None = None,
         filter_model: dict | None = None, start: int = 0,
         end: int | None = None) -> tuple[ReportTable, int] | None:
    """(rows start..end of gridmodel.apply(the view's table, sort_model, filter_model), how many rows that
    table has) with the query doing the filtering, ordering and slicing; red_rows count from start. None when
    the view has no paged form or the grid's sort/filter needs worked-out values (callers then take the
    whole table)."""
    start = max(0, start)
    found = _paged(view, session, request, sort_model, filter_model, start,
                   None if end is None else max(0, end - start))
    if found is None:
        return None
    frame, total, stream = found
    rows = [row for part in stream.parts for row in part]
    return replace(frame, rows=rows, red_rows={i for i, row in enumerate(rows) if stream.is_red(row)}), total


def stream(view: str, session: Session, request: Request, sort_model: list[dict] | None = None,
           filter_model: dict | None = None) -> tuple[ReportTable, RowStream] | None:
    """Every row page() gives from the start, read from the session a part at a time as the stream is
    consumed (an export), beside the table they belong to (without rows); None as for page()."""
    found = _paged(view, session, request, sort_model, filter_model, 0, None)
    return None if found is None else (found[0], found[2])


def _paged(view, session, request, sort_model, filter_model, start, limit):
    """(the table without rows, how many rows match, a RowStream of rows start..start+limit) or None."""
    if view not in PAGED_VIEWS:
        return None
    pushed = gridmodel.pushdown(PAGED_VIEWS[view], sort_model, filter_model)
    if pushed is None:
        return None
    grid = q.GridQuery(*pushed)
    if view == "rectifications":
        return _rect_page(session, request, grid, start, limit)
    frame, total, stream = _pledge_page(session, _overdue_only(request) if view == "pledges-overdue" else request,
                                        grid, start, limit)
    return (_overdue_title(frame) if view == "pledges-overdue" else frame), total, stream


def _page_context(session: Session, request: Request) -> tuple[_Context, list]:
    """_context, and the scope and filters as conditions on Org (the page queries join Org when needed)."""
    scope = request.scope
    node = queries.resolve(session, request.filters, scope)
    ctx = _Context(node.round, RuleProfile.from_record(node.round), queries.filter_org_ids(scope, node),
                   queries.visible_org_ids(scope))
    return ctx, queries.org_conditions(scope, node)


def _rect_page(session, request, grid, start, limit):
    ctx, org_where = _page_context(session, request)
    status, light, as_of = request.option("status"), request.option("light"), request.as_of
    total, ids = q.rect_page(
        session, ctx.round.id, org_where, _as_of_dates(as_of, ctx.profile), status=status,
        light={metrics.RED: "red", metrics.YELLOW: "yellow", metrics.GREEN: "green"}.get(light),
        source=request.option("source"), overdue_only=request.option("overdue_only", False),
        grid=grid, offset=start, limit=limit)

    def rows(part):
        for item in part:
            r = item.rect
            state = metrics.rect_state(r.status, r.registered_date, r.deadline, r.completed_date, r.closed_date,
                                       as_of, ctx.profile)
            yield _rect_row(r, state, _rect_status_as_of(r, as_of), item.org_code, item.org_name)
    parts = (list(rows(part)) for part in q.rect_page_rows(session, ids))
    frame = _table("rectifications", ctx, RECT_COLUMNS, [], request, notes=_working_days_note(ctx))
    return frame, total, RowStream(len(ids), parts, _rect_is_red)


def _rect_is_red(row: list) -> bool:
    return row[RECT["light"]] == metrics.RED


def _pledge_page(session, request, grid, start, limit):
    ctx, org_where = _page_context(session, request)
    status, as_of = request.option("status"), request.as_of
    total, ids = q.pledge_page(session, ctx.round.id, org_where, _as_of_dates(as_of, ctx.profile),
                               status=status, overdue_only=request.option("overdue_only", False), grid=grid,
                               offset=start, limit=limit)

    def rows(part):
        for item in part:
            p = item.pledge
            state = metrics.pledge_state(p.due_date, p.status, p.fulfilled_date, as_of)
            yield _pledge_row(p, state, item.member_code, item.member_name, item.org_code, item.org_name)
    parts = (list(rows(part)) for part in q.pledge_page_rows(session, ids))
    return _table("pledges", ctx, PLEDGE_COLUMNS, [], request), total, \
        RowStream(len(ids), parts, _pledge_is_red)


def _pledge_is_red(row: list) -> bool:
    return row[PLEDGE["overdue"]] == YES


# ---------------------------------------------------------------------------------------- 督导联系点
@dataclass
class _Unit:
    group: str
    leader: str | None
    org_id: int
    contact_points: list[int]


@dataclass(frozen=True)
class _Pool:
    """What the page reads of a subtree (within the caller's scope), or of several pooled."""
    counts: Counts
    overdue_rects: int = 0
    overdue_pledges: int = 0
    latest: date | None = None  # 最近数据日期 as known on the as-of day: reports made later are left out


@dataclass
class _Board:
    units: list[_Unit]
    orphans: list[tuple[str, int]]  # visible contact points under no supervised unit of their group
    orgs: dict[int, q.OrgInfo]
    subtree: dict[int, _Pool]  # of each unit shown and each of its contact points
    points: dict[tuple[str, int], Counts]  # by unit (group, org id): its contact points' subtrees pooled, each org once


def whole_subtrees(scope) -> bool:
    """Whether each org the scope holds has its whole subtree in it, so a subtree's figures are the node index's
    (the rows under 300 units took 1.1-1.6 s at province): everything, or orgs and 督导组 granted with their
    subtrees; not a system (a unit may hold orgs of other systems)."""
    return scope.everything or not scope.systems


def _board(session: Session, ctx: _Context, request: Request) -> _Board:
    links = q.supervision_links(session, request.option("group"), ctx.round.id)
    whole = whole_subtrees(request.scope)
    if whole:  # only the links' orgs looked up: their subtrees are read from the node index
        ids = [link.org_id for link in links]
        visible, scoped = q.among(session, ids, ctx.visible), q.among(session, ids, ctx.scoped)
    else:
        visible, scoped = set(session.scalars(ctx.visible)), set(session.scalars(ctx.scoped))
    unit_ids = defaultdict(set)
    for link in links:
        if not link.is_contact_point:
            unit_ids[link.group].add(link.org_id)
    cps = [link for link in links if link.is_contact_point]
    chains = q.ancestors(session, [link.org_id for link in cps])
    units = {(link.group, link.org_id): _Unit(link.group, link.leader, link.org_id, [])
             for link in links if not link.is_contact_point}
    orphans = []
    for link in cps:
        # A contact point belongs to the nearest ancestor-or-self that is a unit of the same group.
        owner = next((a for a in chains.get(link.org_id, []) if a in unit_ids[link.group]), None)
        if owner is None:
            if link.org_id in visible:
                orphans.append((link.group, link.org_id))
        elif link.org_id in scoped:  # never name an org the caller may not see
            units[(link.group, owner)].contact_points.append(link.org_id)
    shown = [u for u in units.values() if u.org_id in visible]
    roots = {u.org_id for u in shown} | {c for u in shown for c in u.contact_points}
    if whole:
        subtree, points = _pools_from_index(session, ctx, request.as_of, shown, roots, chains)
    else:
        subtree, points = _pools_from_rows(session, ctx, request.as_of, shown, roots, scoped)
    orgs = q.org_infos(session, roots | {o for _, o in orphans})
    shown.sort(key=lambda u: (u.group, orgs[u.org_id].code))
    for u in shown:
        u.contact_points.sort(key=lambda c: orgs[c].code)
    return _Board(shown, orphans, orgs, subtree, points)


def _pools_from_index(session: Session, ctx: _Context, as_of: date, shown: list[_Unit], roots: set[int],
                      chains: dict[int, list[int]]) -> tuple[dict[int, _Pool], dict[tuple[str, int], Counts]]:
    """Whole subtrees, read from the node index: a unit's contact points pooled are those not under another
    of its contact points (a subtree inside another is already in it)."""
    index = node_index.get(session, ctx.round, as_of)
    totals = index.subtrees(roots)
    latest = node_index.subtree_latest(session, ctx.round, as_of, list(totals))
    subtree = {o: _Pool(t.counts, t.rects.overdue, t.pledges.overdue, latest[o]) for o, t in totals.items()}
    points = {}
    for u in shown:
        mine = set(u.contact_points)
        tops = [c for c in mine if not mine.intersection(chains.get(c, [c])[1:])]
        points[(u.group, u.org_id)] = _sum_counts(subtree[c].counts for c in tops)
    return subtree, points


def _pools_from_rows(session: Session, ctx: _Context, as_of: date, shown: list[_Unit], roots: set[int],
                     scoped: set[int]) -> tuple[dict[int, _Pool], dict[tuple[str, int], Counts]]:
    """Subtrees cut to the caller's scope (a unit may hold orgs of other systems), from the rows under them."""
    below = {k: v & scoped for k, v in q.descendants(session, roots).items()}
    everything = q.subtree_ids(roots, ctx.scoped)
    overdue_rects: Counter = Counter()
    for r in q.rectifications(session, ctx.round.id, everything):
        if metrics.rect_state(r.status, r.registered_date, r.deadline, r.completed_date, r.closed_date,
                              as_of, ctx.profile).overdue:
            overdue_rects[r.org_id] += 1
    overdue_pledges: Counter = Counter()
    for row in q.pledges(session, ctx.round.id, everything):
        p = row.pledge
        if metrics.pledge_state(p.due_date, p.status, p.fulfilled_date, as_of).overdue:
            overdue_pledges[p.org_id] += 1
    headline, until = q.headlines(session, ctx.round.id, everything), metrics.day_end(as_of)

    def pool(org_ids: set[int]) -> _Pool:
        heads = [headline[o] for o in org_ids if o in headline]
        times = [h.latest for h in heads if h.latest and h.latest < until]
        return _Pool(_sum_counts(h.counts for h in heads), sum(overdue_rects[o] for o in org_ids),
                      sum(overdue_pledges[o] for o in org_ids), max(times).date() if times else None)
    subtree = {o: pool(below.get(o, set())) for o in roots}
    points = {(u.group, u.org_id): pool(set().union(*(below.get(c, set()) for c in u.contact_points))).counts
              for u in shown}
    return subtree, points


def _gap(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _lead(columns: list[Column], rows: list[list], names: tuple[str, ...]) -> tuple[list[Column], list[list]]:
    """The columns `names` first, in that order (the first one the key the grid pins), the others after them
    as they were; rows alike. What needs a look comes first, also on a phone."""
    first = [next(i for i, c in enumerate(columns) if c.name == name) for name in names]
    order = first + [i for i in range(len(columns)) if i not in first]
    return [columns[i] for i in order], [[row[i] for i in order] for row in rows]


def contact_points(session: Session, request: Request) -> ReportTable:
    """督导联系点: a row per supervised unit with its contact points and how they compare with the rest.
    Extra filter: group (督导组 name)."""
    ctx = _context(session, request)
    board = _board(session, ctx, request)
    rows = []
    for u in board.units:
        whole, points = board.subtree[u.org_id], board.points[(u.group, u.org_id)]
        pools = [bucketize(c, ctx.profile) for c in (whole.counts, points, whole.counts - points)]  # once each
        unit_rate, cp_rate, rest_rate = (metrics.rates(b, ctx.profile)["综合满意率"] for b in pools)
        cp_rate = cp_rate if u.contact_points else None
        names = "、".join(f"{board.orgs[c].code} {board.orgs[c].name}" for c in u.contact_points)
        org = board.orgs[u.org_id]
        rows.append([u.group, u.leader, org.code, org.name, len(u.contact_points),
                     _yes(len(u.contact_points) < ctx.profile.contact_min), names or None, unit_rate, cp_rate,
                     rest_rate, _gap(cp_rate, rest_rate), whole.overdue_rects, whole.overdue_pledges, whole.latest,
                     _yes(len(u.contact_points) > ctx.profile.contact_max),
                     *(b.n for b in pools)])
    columns = [Column("督导组"), Column("督导组长"), Column("单位编码"), Column("单位名称"), Column("联系点数", INT),
               Column("联系点不足"), Column("联系点"), Column("单位综合满意率", PERCENT),
               Column("联系点综合满意率", PERCENT), Column("其余综合满意率", PERCENT), Column("差距", PERCENT),
               Column("超期整改", INT), Column("逾期未兑现", INT), Column("最近数据日期", DATE),
               Column("联系点过多"),
               # the three rates' N, last so the columns before them keep their places (docs/views.md)
               Column("单位测评数", INT, hidden=True), Column("联系点测评数", INT, hidden=True),
               Column("其余测评数", INT, hidden=True)]
    short, many = (positions(columns)[name] for name in ("联系点不足", "联系点过多"))
    red = [i for i, r in enumerate(rows) if YES in (r[short], r[many])]
    columns, rows = _lead(columns, rows, ("单位名称", "差距", "超期整改"))
    limits = f"本批次每个督导单位应有 {ctx.profile.contact_min}–{ctx.profile.contact_max} 个联系点"
    notes = [limits] + [f"联系点 {board.orgs[o].code} 不在督导组 {g} 任何督导单位之下，未计入"
                        for g, o in board.orphans]
    return _table("contact-points", ctx, columns, rows, request, red, notes=notes)


def contact_point_detail(session: Session, request: Request) -> ReportTable:
    """A row per contact point: its 综合满意率 against the rest of its unit, with a 疑似"盆景" flag when it
    is at least BONSAI_GAP above the rest."""
    ctx = _context(session, request)
    board = _board(session, ctx, request)
    rows = []
    for u in board.units:
        whole = board.subtree[u.org_id].counts
        rest_rate = _rate(whole - board.points[(u.group, u.org_id)], ctx.profile)
        unit = board.orgs[u.org_id]
        for c in u.contact_points:
            sub = board.subtree[c]
            rate = _rate(sub.counts, ctx.profile)
            gap = _gap(rate, rest_rate)
            rows.append([u.group, unit.code, unit.name, board.orgs[c].code, board.orgs[c].name,
                         bucketize(sub.counts, ctx.profile).n, rate, rest_rate, gap,
                         _yes(gap is not None and gap >= BONSAI_GAP - 1e-9), sub.overdue_rects, sub.overdue_pledges,
                         sub.latest])
    columns = [Column("督导组"), Column("单位编码"), Column("单位名称"), Column("联系点编码"), Column("联系点名称"),
               Column("测评数", INT), Column("联系点综合满意率", PERCENT), Column("单位其余综合满意率", PERCENT),
               Column("差距", PERCENT), Column('疑似"盆景"'), Column("超期整改", INT), Column("逾期未兑现", INT),
               Column("最近数据日期", DATE)]
    red = [i for i, r in enumerate(rows) if r[9] == YES]
    columns, rows = _lead(columns, rows, ("联系点名称", "差距", "超期整改"))
    notes = [f'差距 ≥ {BONSAI_GAP:.0%} 标记为疑似"盆景"（联系点明显好于本单位其余组织）']
    return _table("contact-points", ctx, columns, rows, request, red, "（联系点明细）", notes)


# ---------------------------------------------------------------------------------------- 上报进度
STATUS_ORDER = {metrics.MISSING: 0, metrics.REPORTED_LATE: 1, metrics.REPORTED: 2}


def _fmt_time(value: datetime | None) -> str | None:
    return value.isoformat(" ", "minutes") if value else None  # "%Y-%m-%d %H:%M", several times faster


def reporting(session: Session, request: Request) -> ReportTable:
    """上报进度: a row per expected org (in view under the systems taking part: of the round's 上报层级, else the
    leaves), reported when it or any org under it has; 未上报 first, then 逾期上报, then 已上报. Extra filter:
    status."""
    ctx = _context(session, request)
    wanted, as_of = request.option("status"), request.as_of
    until = metrics.day_end(as_of)
    expected = q.expected_org_ids(ctx.visible, q.participating_system_ids(session, ctx.round.id, until),
                                  ctx.round.report_level)
    rows = []
    for code, name, system, region, first, latest in q.expected_reports(session, ctx.round.id, expected):
        first = first if first is not None and first < until else None
        status = metrics.reporting_status(first.date() if first else None, ctx.round.report_deadline, as_of)
        if wanted is None or status == wanted:
            # Replacements are not dated one by one: the last report known on the as-of day is at least the first.
            latest = (latest if latest < until else first) if first else None
            rows.append([code, name, system, region, status, _fmt_time(first), _fmt_time(latest)])
    rows.sort(key=lambda r: (STATUS_ORDER[r[4]], r[0]))
    _record_columns(session, request, rows)
    # 审核状态 beside 上报状态: the two states a reader compares, and the one the approval tools above act on.
    columns = [Column("组织编码"), Column("组织名称"), Column("系统"), Column("地区"), Column("上报状态"), Column("审核状态"),
               Column("首次上报时间"), Column("最近上报时间"), *RECORD_COLUMNS]
    red = [i for i, r in enumerate(rows) if r[4] == metrics.MISSING]
    deadline = ctx.round.report_deadline
    notes = [f"上报截止日期：{deadline.isoformat() if deadline else '未设定'}",
             f"应上报组织：{'组织类型为' + ctx.round.report_level + '的组织' if ctx.round.report_level else '末级组织'}"
             "（本组织或其下级组织有数据即为已上报）"]
    return _table("reporting", ctx, columns, rows, request, red, notes=notes)


RECORD_COLUMNS = (Column("审核人"), Column("审核时间"), Column("退回原因"), Column("公示状态"), Column("公示逾期"))


def _record_columns(session: Session, request: Request, rows: list[list]) -> None:
    """逐级审核 (now) and 公示状态 (as of the day) of each expected org, appended to its row (docs/views.md)."""
    codes = [r[0] for r in rows]
    approved = record_reports.approval_status(session, request, codes)
    published = record_reports.publication_status(session, request, codes)
    for row in rows:
        a, p = approved[row[0]], published[row[0]]
        row.insert(5, a.state)
        row += [a.acted_by, _fmt_time(a.acted_at), a.reason if a.state == RETURNED else None, p.status,
                _yes(p.overdue)]


def reporting_completeness(session: Session, request: Request) -> ReportTable:
    """上报完整率 by system, then by 市/州: expected, reported (incl. late), late, missing. Counted in the
    database: the expected orgs of a province are ~100,000 leaves."""
    ctx = _context(session, request)
    until = metrics.day_end(request.as_of)
    deadline = ctx.round.report_deadline
    expected = q.expected_org_ids(ctx.visible, q.participating_system_ids(session, ctx.round.id, until),
                                  ctx.round.report_level)
    # reporting_status's rule as cut-offs: missing unless first reported by the as-of day, late after the
    # deadline's day.
    statuses = (metrics.MISSING, metrics.REPORTED_LATE, metrics.REPORTED)
    counted = [(system, city, statuses[status], n) for system, city, status, n in q.report_status_counts(
        session, ctx.round.id, expected, until, metrics.day_end(deadline) if deadline else None)]
    cities = q.region_names(session, (city for _, city, _, _ in counted))
    rows = []
    for label, key in (("系统", lambda system, city: system),
                       ("市/州", lambda system, city: cities.get(city, "省本级") if city else "省本级")):
        groups: dict[str, Counter] = defaultdict(Counter)
        for system, city, status, n in counted:
            groups[key(system, city)][status] += n
        for name in sorted(groups):
            c = groups[name]
            expected_n = sum(c.values())
            reported = c[metrics.REPORTED] + c[metrics.REPORTED_LATE]
            rows.append([label, name, expected_n, reported, c[metrics.REPORTED_LATE], c[metrics.MISSING],
                         metrics.ratio(reported, expected_n)])
    columns = [Column("维度"), Column("名称"), Column("应上报数", INT), Column("已上报数", INT),
               Column("逾期上报数", INT), Column("未上报数", INT), Column("上报完整率", PERCENT)]
    red = [i for i, r in enumerate(rows) if r[5]]
    return _table("reporting", ctx, columns, rows, request, red, "（完整率）")


# ---------------------------------------------------------------------------------------- 数据质量
def _counts_text(counts: Counts, profile: RuleProfile) -> str:
    parts = [f"{name}{n}" for name, n in zip(profile.options, counts.opt)]
    if counts.unknown:
        parts.append(f"不了解{counts.unknown}")
    if counts.abstain:
        parts.append(f"弃权{counts.abstain}")
    return "/".join(parts)


def _straight_lines(ballots, profile: RuleProfile) -> dict[int, tuple[int, int, float]]:
    """Per org: (straight-lined ballots, ballots, the number expected by chance).

    A ballot is straight-lined when it has at least STRAIGHT_MIN_ITEMS items and the same (non-blank) option
    on every one. By chance, a ballot straight-lines with probability Σ_option Π_item p_item(option), where
    p_item is the share of the round's ballots giving that option on that item.
    """
    def norm(text: str) -> str:
        pos = option_position(profile.scale, text)
        return "" if pos == "abstain" else profile.options[pos] if isinstance(pos, int) else text

    normalised = [(org, {item: norm(a) for item, a in answers.items()}) for org, _, answers in ballots]
    asked: Counter = Counter()
    chosen: Counter = Counter()
    for _, answers in normalised:
        for item, answer in answers.items():
            asked[item] += 1
            if answer:
                chosen[(item, answer)] += 1
    options = sorted({answer for (_, answer) in chosen})
    out: dict[int, list] = defaultdict(lambda: [0, 0, 0.0])
    for org, answers in normalised:
        acc = out[org]
        acc[1] += 1
        if len(answers) < STRAIGHT_MIN_ITEMS:
            continue
        values = set(answers.values())
        if len(values) == 1 and "" not in values:
            acc[0] += 1
        acc[2] += sum(prod(chosen[(item, opt)] / asked[item] for item in answers) for opt in options)
    return {org: tuple(v) for org, v in out.items()}


class _Facts:
    """What the quality checks read, each part loaded once per table and only when a check asks for it."""

    def __init__(self, session: Session, ctx: _Context, request: Request):
        self.session, self.ctx, self.request, self.profile = session, ctx, request, ctx.profile
        self.visible = set(session.scalars(ctx.visible))

    @cached_property
    def heads(self) -> dict[int, q.Headline]:  # every org in scope: 结果雷同 compares across the filters
        return q.headlines(self.session, self.ctx.round.id, self.ctx.scoped)

    @cached_property
    def orgs(self) -> dict[int, q.OrgInfo]:
        return q.org_infos(self.session, self.ctx.scoped)

    @cached_property
    def rects(self) -> list:
        return _rect_states(self.session, self.ctx, self.request.as_of)


@dataclass(frozen=True)
class QualityCheck:
    """A 走过场 check: its name (检查项), what it means in the summary, and find(facts) -> (org id, 数量, 说明)
    of every visible org it flags."""
    name: str
    explained: str
    find: Callable[[_Facts], Iterable[tuple[int, int, str]]]


def _void_sessions(f: _Facts):
    """收回 > 发放: the counts of such a session are excluded."""
    void: dict[int, list[str]] = defaultdict(list)
    for s in q.over_returned_sessions(f.session, f.ctx.round.id, f.ctx.visible):
        if metrics.session_void(s.issued, s.returned):
            void[s.org_id].append(f"{s.target}测评发放{s.issued}份、收回{s.returned}份")
    for org_id, texts in void.items():
        yield org_id, len(texts), "；".join(texts) + "，收回多于发放，该场次作废，票数不计入"


def _uniform(all_satisfied: bool):
    """满意率100% (every answer satisfied) or 无不满意 (not one dissatisfied, but not all satisfied)."""
    def find(f: _Facts):
        for org_id, h in f.heads.items():
            b = bucketize(h.counts, f.profile)
            if org_id not in f.visible or b.n < UNIFORM_MIN_N:
                continue
            if all_satisfied and b.s == b.n:
                yield org_id, b.n, f"测评数{b.n}，全部为满意（满意率100%）"
            elif not all_satisfied and b.s != b.n and b.u == 0:
                yield org_id, b.n, f"测评数{b.n}，没有一票不满意（{_counts_text(h.counts, f.profile)}）"
    return find


def _same_item_counts(f: _Facts):
    """Every item of the org has the very same answer counts."""
    for org_id, (items, counts) in q.uniform_item_counts(f.session, f.ctx.round.id, f.ctx.visible).items():
        yield org_id, items, f"{items}个测评项目的选项分布完全相同（均为{_counts_text(counts, f.profile)}）"


def _identical_results(f: _Facts):
    """Orgs of one system (within the caller's scope) with identical headline counts."""
    clusters: dict[tuple, list[int]] = defaultdict(list)
    for org_id, h in f.heads.items():
        if bucketize(h.counts, f.profile).n >= IDENTICAL_MIN_N:
            clusters[(h.system_id, h.counts)].append(org_id)
    for (_, counts), ids in clusters.items():
        for org_id in (ids if len(ids) > 1 else ()):
            if org_id in f.visible:
                others = "、".join(sorted(f"{f.orgs[o].code} {f.orgs[o].name}" for o in ids if o != org_id))
                yield org_id, len(ids), f"与同系统的 {others} 测评结果完全相同（{_counts_text(counts, f.profile)}）"


def _missing_categories(f: _Facts):
    """A category that more than half of the system's reporting orgs have (a system with at least
    CATEGORY_MIN_ORGS reporting orgs) is expected of every reporting org of that system."""
    categories = q.org_categories(f.session, f.ctx.round.id)
    per_system: dict[int, list[int]] = defaultdict(list)
    for org_id, (system_id, _) in categories.items():
        per_system[system_id].append(org_id)
    for ids in per_system.values():
        if len(ids) < CATEGORY_MIN_ORGS:
            continue
        having = Counter(c for o in ids for c in categories[o][1])
        usual = {c for c, k in having.items() if k * 2 > len(ids)}
        for org_id in ids:
            missing = sorted(usual - categories[org_id][1])
            if org_id in f.visible and missing:
                share = "，".join(f"{c} {having[c]}/{len(ids)}" for c in missing)
                yield (org_id, len(missing),
                       f"缺少参评类别：{'、'.join(missing)}（本系统已上报组织中过半数有此类别：{share}）")


def _straight_lined(f: _Facts):
    """Straight-lined ballots clearly above what chance would give on this round's answers."""
    for org_id, (observed, total, expected) in _straight_lines(q.ballots(f.session, f.ctx.round.id),
                                                               f.profile).items():
        if org_id in f.visible and observed >= STRAIGHT_MIN_OBSERVED and observed > STRAIGHT_FACTOR * expected:
            yield (org_id, observed, f"{total}张测评表中{observed}张所有项目选同一选项；按本批次各项目选项分布随机作答，"
                                     f"预期约{expected:.2f}张")


def _closed_same_day(f: _Facts):
    days: dict[int, list[date]] = defaultdict(list)
    for r, _ in f.rects:
        if r.status == "已销号" and r.closed_date and r.closed_date <= f.request.as_of:
            days[r.org_id].append(r.closed_date)
    for org_id, closed in days.items():
        if len(closed) >= SAME_DAY_MIN and len(set(closed)) == 1:
            yield org_id, len(closed), f"{len(closed)}项整改全部于{closed[0].isoformat()}同日销号"


def _done_without_evidence(f: _Facts):
    bare: dict[int, list[str]] = defaultdict(list)
    for r, s in f.rects:
        if s.done and not (r.evidence or "").strip():
            bare[r.org_id].append(r.code)
    for org_id, codes in bare.items():
        yield org_id, len(codes), f"已完成/已销号但无整改佐证：{'、'.join(sorted(codes))}"


# The checks, in the order the table and its summary list them.
CHECKS = (
    QualityCheck("作废场次", "收回份数多于发放份数的测评场次：票数不计入任何比率（数量 = 作废场次数）", _void_sessions),
    QualityCheck("满意率100%", f"测评数≥{UNIFORM_MIN_N}却全部为满意，真实评议中极少见（数量 = 测评数）", _uniform(True)),
    QualityCheck("无不满意", f"测评数≥{UNIFORM_MIN_N}却没有一票不满意（数量 = 测评数）", _uniform(False)),
    QualityCheck("各项分布相同", "同一组织所有测评项目的选项票数完全一样，像是照抄一项（数量 = 测评项目数）",
                 _same_item_counts),
    QualityCheck("结果雷同", f"同一系统内测评数≥{IDENTICAL_MIN_N}的组织各选项票数完全相同（数量 = 雷同组织数）",
                 _identical_results),
    QualityCheck("缺少参评类别", f"本系统已上报组织≥{CATEGORY_MIN_ORGS}个时，过半数组织都有的参评人员类别本组织没有"
                             "（数量 = 缺少的类别数）", _missing_categories),
    QualityCheck("直线作答", f"测评表所有项目（≥{STRAIGHT_MIN_ITEMS}项）选同一选项，且明显多于随机作答的预期张数"
                         f"（说明中列出预期值；数量 = 直线作答的测评表张数）", _straight_lined),
    QualityCheck("同日销号", f"≥{SAME_DAY_MIN}项整改全部在同一天销号（数量 = 销号项数）", _closed_same_day),
    QualityCheck("无佐证销号", "整改已完成或已销号却没有填写整改佐证（数量 = 项数）", _done_without_evidence),
)
QUALITY_CHECKS = tuple(c.name for c in CHECKS)
QUALITY_EXPLAINED = {c.name: c.explained for c in CHECKS}


def quality(session: Session, request: Request) -> ReportTable:
    """数据质量 (走过场 checks): a row per finding, grouped by check in CHECKS order."""
    ctx = _context(session, request)
    facts = _Facts(session, ctx, request)
    findings = [(check.name, org_id, n, text) for check in CHECKS for org_id, n, text in check.find(facts)]
    orgs = facts.orgs
    order = {c: i for i, c in enumerate(QUALITY_CHECKS)}
    findings.sort(key=lambda f: (order[f[0]], orgs[f[1]].code))
    rows = [[check, orgs[o].code, orgs[o].name, n, text] for check, o, n, text in findings]
    columns = [Column("检查项"), Column("组织编码"), Column("组织名称"), Column("数量", INT), Column("说明")]
    return _table("quality", ctx, columns, rows, request, notes=QUALITY_RULES)


QUALITY_RULES = [
    "作废场次：收回份数多于发放份数的测评场次，其票数不计入",
    f"满意率100%、无不满意：仅检查测评数≥{UNIFORM_MIN_N}的组织",
    f"结果雷同：同一系统内测评数≥{IDENTICAL_MIN_N}且各选项票数完全相同的组织",
    f"缺少参评类别：本系统已上报组织≥{CATEGORY_MIN_ORGS}个时，过半数组织都有的参评人员类别视为应有",
    f"直线作答：测评项目≥{STRAIGHT_MIN_ITEMS}项且各项选同一选项的测评表；不少于{STRAIGHT_MIN_OBSERVED}张且多于"
    f"随机预期{STRAIGHT_FACTOR}倍时列出",
    f"同日销号：已销号整改≥{SAME_DAY_MIN}项且全部同一天销号",
    "无佐证销号：已完成或已销号但未填整改佐证",
]


# ---------------------------------------------------------------------------------------- 督导走访记录
VISIT_COLUMNS = [Column("督导组"), Column("联系点编码"), Column("联系点名称"), Column("走访日期", DATE),
                 Column("发现问题"), Column("跟进事项"), Column("记录人"), Column("记录时间")]


def visits(session: Session, request: Request) -> ReportTable:
    """督导走访记录: the visits made on or before the as-of day to contact points in view, newest first.
    Extra filter: group (督导组 name)."""
    ctx = _context(session, request)
    found = visit_data.visits(session, ctx.visible, request.option("group"), request.as_of)
    orgs = q.org_infos(session, {v.org_id for v in found})
    rows = [[v.group, orgs[v.org_id].code, orgs[v.org_id].name, v.visited_on, v.findings, v.follow_up,
             v.recorded_by, _fmt_time(v.recorded_at)] for v in found]
    return _table("visits", ctx, VISIT_COLUMNS, rows, request)


# ---------------------------------------------------------------------------------------- 数据质量 (page)
def quality_summary(session: Session, request: Request) -> ReportTable:
    """One row per 走过场 check, every check listed (0 when nothing was found): how many orgs it flags,
    the sum of their 数量 and the rule in plain words."""
    return summarise_quality(quality(session, request))


def summarise_quality(table: ReportTable) -> ReportTable:
    """quality_summary of the table that quality() returned."""
    orgs: Counter = Counter(row[0] for row in table.rows)
    amount: Counter = Counter()
    for row in table.rows:
        amount[row[0]] += row[3]
    rows = [[check, orgs[check], amount[check], QUALITY_EXPLAINED[check]] for check in QUALITY_CHECKS]
    columns = [Column("检查项"), Column("涉及组织数", INT), Column("数量合计", INT), Column("说明")]
    red = [i for i, r in enumerate(rows) if r[1]]
    return replace(table, title=table.title.replace(VIEW_TITLES["quality"], VIEW_TITLES["quality"] + "（汇总）", 1),
                   columns=columns, rows=rows, red_rows=set(red),
                   notes=[f"{check}：{QUALITY_EXPLAINED[check]}" for check in QUALITY_CHECKS])



VOID_COLUMNS = [Column("组织编码"), Column("组织名称"), Column("测评对象"), Column("应到人数", INT),
                Column("发放份数", INT), Column("收回份数", INT), Column("有效份数", INT), Column("测评日期", DATE),
                Column("场次状态")]


def void_sessions(session: Session, request: Request) -> ReportTable:
    """The 测评场次 rows behind a 作废场次 finding: every void session of the round in view (收回 > 发放)."""
    ctx = _context(session, request)
    found = [s for s in q.over_returned_sessions(session, ctx.round.id, ctx.visible)
             if metrics.session_void(s.issued, s.returned)]
    orgs = q.org_infos(session, {s.org_id for s in found})
    rows = [[orgs[s.org_id].code, orgs[s.org_id].name, s.target, s.expected, s.issued, s.returned, s.valid,
             s.held_on, "作废"] for s in found]
    rows.sort(key=lambda r: (r[0], r[2]))
    return _table("quality", ctx, VOID_COLUMNS, rows, request, range(len(rows)), "（作废场次）",
                  ["收回份数多于发放份数：该场次作废，其票数不计入任何比率"])


__all__ = [
    "visits", "quality_summary", "void_sessions", "REPORTING_STATUSES",
    "rectifications", "rectification_summary", "rectification_ageing", "pledges", "pledge_summary_by_org",
    "overdue_pledges", "page", "PAGED_VIEWS",
    "contact_points", "contact_point_detail", "reporting", "reporting_completeness", "quality",
    "QUALITY_CHECKS", "BONSAI_GAP", "MIN_CONTACT_POINTS", "UNIFORM_MIN_N", "IDENTICAL_MIN_N",
]
