"""督导工作台 (docs/views.md, view `scorecard`): one row per unit a 督导组 supervises, and its 待办 list.

Every figure is read from the tables the other pages show (红线/薄弱组织, 整改台账, 承诺践诺, 督导联系点, 督导走访记录,
上报进度), computed with the group's own scope (data.groups: who may open which group) and counted per unit
subtree, so a cell and the page it links to, filtered to that unit, cannot disagree. The unit's own 测评数 and
rate are its subtree's pooled headline counts, as the drill-down shows the unit's row. dashboard.reports hands
in its `build` (this module imports nothing of reports, which dispatches to it).
"""
from __future__ import annotations

from dataclasses import astuple, dataclass, field
from datetime import date
from typing import Any, Callable

from sqlalchemy.orm import Session

from dashboard import node_index, record_reports
from data import groups as group_data
from data import queries as q
from domain import metrics, record
from domain.request import Request, ViewFilter
from domain.rules import Counts, RuleProfile, bucketize
from domain.scope import Scope
from domain.tables import DATE, DECIMAL, INT, PERCENT, VIEW_TITLES, Column, Filters, ReportTable

FILTERS = (ViewFilter("group", "督导组"),)
TODO_VIEW = "scorecard-todo"
YES = "是"
# 待办 kinds, in the order they are listed on one day (the layout words them in the user's language).
BELOW_UNORDERED, RECT_OVERDUE, PLEDGE_OVERDUE, NOT_VISITED, NOT_REPORTED = (
    "低于红线未认定", "超期整改", "逾期未兑现承诺", "联系点未走访", "逾期未上报")
RETURNED, PUBLISH_OVERDUE = "审核退回", record.OVERDUE_UNPUBLISHED
TODO_KINDS = (BELOW_UNORDERED, RETURNED, RECT_OVERDUE, PLEDGE_OVERDUE, NOT_REPORTED, PUBLISH_OVERDUE, NOT_VISITED)
BuildFn = Callable[[str, Session, Request], ReportTable]


@dataclass
class Unit:
    """What the workbench knows of one supervised unit (its subtree within the group's scope)."""
    code: str
    name: str
    red: metrics.RedLine
    latest: date | None = None  # 最近数据日期 (督导联系点)
    too_few: str = "否"
    below: list[tuple[str, str, str, str]] = field(default_factory=list)  # (code, name, 红线判定, 返工状态)
    rework: str | None = None  # the unit's own 返工状态 (None: never a candidate, no order)
    overdue_rects: list[tuple[str, date, int]] = field(default_factory=list)  # (问题编号, 整改时限, 超期天数)
    overdue_pledges: list[tuple[str, date, int]] = field(default_factory=list)  # (承诺编号, 承诺时限, 逾期天数)
    points: list[tuple[str, str]] = field(default_factory=list)  # contact points (code, name)
    unvisited: list[tuple[str, str]] = field(default_factory=list)
    expected: int = 0
    reported: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)  # 未上报 (code, name)
    comments: int = 0  # 领导点评数: on the unit or below, made by the as-of day
    publicity: str = record.NOT_PUBLISHED  # the unit's own 公示状态, 逾期未公示 once overdue
    publish_due: date | None = None
    unpublished: list[tuple[str, str]] = field(default_factory=list)  # expected orgs 公示逾期 (code, name)
    returned: list[tuple[str, str, str, date | None]] = field(default_factory=list)  # 退回 (code, name, reason, day)

    @property
    def overdue_publishing(self) -> list[tuple[str, str]]:
        """The orgs late to publish: the unit itself (when it is) and the expected orgs under it."""
        own = [(self.code, self.name)] if self.publicity == record.OVERDUE_UNPUBLISHED else []
        return own + [o for o in self.unpublished if o[0] != self.code]

    @property
    def unordered(self) -> list[tuple[str, str, str, str]]:
        return [b for b in self.below if b[3] == metrics.TO_ORDER]


def columns(profile: RuleProfile) -> list[tuple[Column, Callable[[Unit], Any]]]:
    """The workbench's columns and how each reads a Unit. Another column (e.g. 领导点评数, 公示状态) is one
    more entry here with a Unit field filled in `_units`; the page colours and links it by its name
    (layouts.workbench)."""
    metric = profile.redline_metric
    return [
        (Column("单位编码"), lambda u: u.code),
        (Column("单位名称"), lambda u: u.name),
        (Column("测评数", INT), lambda u: u.red.n),
        (Column(metric, DECIMAL if metric == "测评得分" else PERCENT), lambda u: u.red.value),
        (Column("红线判定"), lambda u: u.red.verdict),
        (Column("低于红线组织数", INT), lambda u: sum(1 for b in u.below if b[2] in metrics.CANDIDATE_VERDICTS)),
        (Column("超期整改数", INT), lambda u: len(u.overdue_rects)),
        (Column("逾期未兑现承诺数", INT), lambda u: len(u.overdue_pledges)),
        (Column("联系点数", INT), lambda u: len(u.points)),
        (Column("未走访联系点数", INT), lambda u: len(u.unvisited)),
        (Column("联系点不足"), lambda u: u.too_few),
        (Column("上报完整率", PERCENT), lambda u: metrics.ratio(u.reported, u.expected)),
        (Column("返工状态"), lambda u: u.rework),
        (Column("领导点评数", INT), lambda u: u.comments),
        (Column("公示状态"), lambda u: u.publicity),
        (Column("公示逾期组织数", INT), lambda u: len(u.overdue_publishing)),
        # 上报完整率's N, last so the columns before it keep their places (docs/views.md)
        (Column("应上报组织数", INT, hidden=True), lambda u: u.expected),
    ]


@dataclass
class Card:
    round_name: str
    start: date | None
    deadline: date | None
    profile: RuleProfile
    group: str
    units: list[Unit]


def default_group(session: Session, scope: Scope, round_id: int) -> str:
    """The group shown when none is asked for: the caller's first (by name) of the round."""
    found = group_data.openable(session, scope, round_id)
    if not found:
        raise q.NotFound("本批次没有您可查看的督导组")
    return found[0]


def _rows(table: ReportTable, *names: str) -> list[tuple]:
    idx = [table.headers.index(n) for n in names]
    return [tuple(row[i] for i in idx) for row in table.rows]


def _card(session: Session, request: Request, build: BuildFn) -> Card:
    """The units of the request's group (checked against the caller's scope) with their figures."""
    f = request.filters
    if f.system or f.region or f.org:
        raise q.BadParameter("督导工作台只按督导组（group）查看，不接受 system、region、org")
    rnd = q.find_round(session, f.round)
    group = request.option("group") or default_group(session, request.scope, rnd.id)
    scope = group_data.group_scope(session, request.scope, group)
    profile = RuleProfile.from_record(rnd)
    # Computed with the group's scope after the caller's check: the same for every caller who may open it.
    key = ("scorecard", rnd.id, request.as_of, group, astuple(profile))
    units = node_index.cached_result(session, key, lambda: _units(
        session, Request(Filters(round=rnd.name), request.as_of, scope).with_option("group", group, group),
        profile, build))
    return Card(rnd.name, rnd.start_date, rnd.report_deadline, profile, group, units)


def _units(session: Session, request: Request, profile: RuleProfile, build: BuildFn) -> list[Unit]:
    def view(name: str, **options) -> ReportTable:
        asked = request
        for key, value in options.items():
            asked = asked.with_option(key, value, "1")
        return build(name, session, asked)

    board = view("contact-points")
    found = _rows(board, "单位编码", "单位名称", "联系点不足", "最近数据日期")
    trees = group_data.subtree_codes(session, [code for code, *_ in found])
    rnd = q.find_round(session, request.filters.round)
    heads = q.headline_counts(session, rnd.id, q.visible_org_ids(request.scope), "ancestor",
                              q.id_select(trees[c][0] for c, *_ in found if c in trees))
    units = []
    for code, name, too_few, latest in found:
        counts = heads.get(trees[code][0], Counts()) if code in trees else Counts()
        units.append(Unit(code, name, metrics.redline(bucketize(counts, profile), profile), latest, too_few))

    def owners(org_code: str) -> list[Unit]:
        return [u for u in units if org_code in trees.get(u.code, (0, ()))[1]]

    for code, name, verdict, status in _rows(view("redline"), "组织编码", "名称", "红线判定", "返工状态"):
        for u in owners(code):
            u.below.append((code, name, verdict, status))
            if code == u.code:
                u.rework = status
    for number, code, deadline, days in _rows(view("rectifications", overdue_only=True),
                                              "问题编号", "组织编码", "整改时限", "超期天数"):
        for u in owners(code):
            u.overdue_rects.append((number, deadline, days))
    for number, code, due, days in _rows(view("pledges-overdue"), "承诺编号", "组织编码", "承诺时限", "逾期天数"):
        for u in owners(code):
            u.overdue_pledges.append((number, due, days))
    visited = {code for (code,) in _rows(view("visits"), "联系点编码")}
    by_code = {u.code: u for u in units}
    for unit_code, code, name in _rows(view("contact-point-detail"), "单位编码", "联系点编码", "联系点名称"):
        if unit_code in by_code:
            by_code[unit_code].points.append((code, name))
            if code not in visited:
                by_code[unit_code].unvisited.append((code, name))
    for code, name, status, approval, reason, at, late in _rows(
            view("reporting"), "组织编码", "组织名称", "上报状态", "审核状态", "退回原因", "审核时间", "公示逾期"):
        for u in owners(code):
            u.expected += 1
            u.reported += status != metrics.MISSING
            if status == metrics.MISSING:
                u.missing.append((code, name))
            if approval == record.RETURNED:
                u.returned.append((code, name, reason, date.fromisoformat(at[:10]) if at else None))
            if late == YES:
                u.unpublished.append((code, name))
    _record(session, request, units)
    return units


def _record(session: Session, request: Request, units: list[Unit]) -> None:
    """Each unit's 领导点评数 (its subtree's comments, as /comments?org= lists them) and its own 公示状态."""
    codes = [u.code for u in units]
    counts = record_reports.comment_counts(session, request, codes)
    published = record_reports.publication_status(session, request, codes)
    for u in units:
        u.comments = counts.get(u.code, 0)
        if u.code in published:
            p = published[u.code]
            u.publicity, u.publish_due = record.shown_status(p.status, p.overdue), p.due


def _title(view: str, card: Card) -> str:
    return f"{VIEW_TITLES['scorecard']}{'（待办）' if view == TODO_VIEW else ''} · {card.round_name}"


def _table(view: str, card: Card, request: Request, cols: list[Column], rows: list[list], red_rows,
           notes: list[str]) -> ReportTable:
    return ReportTable(view=view, title=_title(view, card), columns=cols, rows=rows,
                       filters=request.with_option("group", card.group, card.group).filters, as_of=request.as_of,
                       scope=f"督导组 {card.group}", red_rows=set(red_rows), notes=notes,
                       context=card.profile.title_lines())


def needs_action(u: Unit) -> bool:
    return bool(u.red.verdict in metrics.CANDIDATE_VERDICTS or u.below or u.overdue_rects or u.overdue_pledges
                or u.unvisited or u.too_few == YES or u.missing or u.returned or u.overdue_publishing)


def scorecard(session: Session, request: Request, build: BuildFn) -> ReportTable:
    """督导工作台: a row per unit of the group (parameter `group`; default the caller's first group)."""
    card = _card(session, request, build)
    cols = columns(card.profile)
    rows = [[read(u) for _, read in cols] for u in card.units]
    p = card.profile
    line = f"{p.redline:.1f}" if p.redline_metric == "测评得分" else f"{p.redline:.1%}"
    notes = [f"每个单位按其本级及下级全部答卷合并计算；{p.redline_metric}红线 {line}。",
             "低于红线组织数：单位及其下级组织中红线判定为确认低于或疑似低于的组织。",
             f"未走访联系点：截至统计截止日期没有走访记录的联系点；每个单位应有 {p.contact_min}–{p.contact_max} 个联系点。",
             f"上报完整率：已上报（含逾期上报）的应上报组织 / 应上报组织；上报截止日期 "
             f"{card.deadline.isoformat() if card.deadline else '未设定'}。",
             "领导点评数：单位及其下级组织截至统计截止日期的领导点评条数。公示状态：单位本级的公示反馈情况，"
             f"超过评议批次结束日期后 {p.publish_days} 天仍未公示为逾期未公示；公示逾期组织数：单位本级及其下级应上报组织中逾期未公示的组织。"]
    if not card.units:
        notes.insert(0, f"督导组 {card.group} 在本批次没有督导单位（督导分组中“是否联系点”为否的行）。")
    red = [i for i, u in enumerate(card.units) if needs_action(u)]
    return _table("scorecard", card, request, [c for c, _ in cols], rows, red, notes)


TODO_COLUMNS = [Column("起始日期", DATE), Column("事项"), Column("单位编码"), Column("单位名称"), Column("数量", INT),
                Column("最久天数", INT), Column("对象")]


def _names(items: list[tuple]) -> str:
    shown = "、".join(f"{code} {name}" if name else str(code) for code, name, *_ in items[:5])
    return shown + ("、…" if len(items) > 5 else "")


def _todo_of(card: Card, u: Unit, as_of: date) -> list[list]:
    out = []
    if u.unordered:
        out.append([u.latest, BELOW_UNORDERED, u.code, u.name, len(u.unordered), None, _names(u.unordered)])
    if u.overdue_rects:
        out.append([max(d for _, d, _ in u.overdue_rects), RECT_OVERDUE, u.code, u.name, len(u.overdue_rects),
                    max(n for *_, n in u.overdue_rects), "、".join(sorted({n for n, _, _ in u.overdue_rects}))])
    if u.overdue_pledges:
        out.append([max(d for _, d, _ in u.overdue_pledges), PLEDGE_OVERDUE, u.code, u.name,
                    len(u.overdue_pledges), max(n for *_, n in u.overdue_pledges),
                    "、".join(n for n, _, _ in u.overdue_pledges)])
    if u.missing and card.deadline is not None and as_of > card.deadline:
        out.append([card.deadline, NOT_REPORTED, u.code, u.name, len(u.missing), (as_of - card.deadline).days,
                    _names(u.missing)])
    if u.returned:
        days = [d for *_, d in u.returned if d]
        out.append([max(days) if days else None, RETURNED, u.code, u.name, len(u.returned), None,
                    "；".join(f"{code} {name}（{reason}）" for code, name, reason, _ in u.returned[:5])
                    + ("；…" if len(u.returned) > 5 else "")])
    late = u.overdue_publishing
    if late and u.publish_due is not None:
        out.append([u.publish_due, PUBLISH_OVERDUE, u.code, u.name, len(late), (as_of - u.publish_due).days,
                    _names(late)])
    if u.unvisited:
        out.append([card.start, NOT_VISITED, u.code, u.name, len(u.unvisited), None, _names(u.unvisited)])
    return out


def todo(session: Session, request: Request, build: BuildFn) -> ReportTable:
    """The 待办 of the workbench, newest risk first: for each unit, its orgs below the line with no 认定
    (since its latest data), overdue rectifications and pledges (since the latest deadline missed), orgs
    not reported after the deadline (since the deadline) and contact points not visited (since the round
    began)."""
    card = _card(session, request, build)
    rows = [row for u in card.units for row in _todo_of(card, u, request.as_of)]
    rows.sort(key=lambda r: (r[0] is None, -(r[0].toordinal() if r[0] else 0), TODO_KINDS.index(r[1]), r[2]))
    return _table(TODO_VIEW, card, request, TODO_COLUMNS, rows, range(len(rows)), [])


VIEWS = {"scorecard": scorecard, TODO_VIEW: todo}  # dispatched by dashboard.reports.build
