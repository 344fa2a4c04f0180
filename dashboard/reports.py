"""One function per view: a request (domain.request) -> data.queries (counts) -> domain.metrics -> a ReportTable.

The UI, the exports, the JSON API and the CLI all call these, so what they show cannot disagree. Counts are
always pooled before a rate is taken (a parent's rate is never an average of its children's rates), and
every rate, interval and verdict comes from domain.metrics with the round's own rule profile.
"""
from __future__ import annotations

from collections import ChainMap, defaultdict
from dataclasses import astuple, dataclass
from datetime import date, datetime, time
from typing import Any, Iterable

import numpy as np
from sqlalchemy.orm import Session

from dashboard import ledger_reports, node_index, record_reports, scorecard
from domain import metrics
from domain.rules import B, EVALUATOR_CATEGORIES, RECHECK, S, U, Counts, RuleProfile, bucketize
from domain.request import (Request, RequestError, ViewFilter, as_of_notes, build_request, clean_text, default_as_of,
                            parse_day)
from domain.scope import Scope
from domain.tables import (DECIMAL, INT, PERCENT, TEXT, VIEW_TITLES, Column, Filters, ReportTable, RowStream)
from data import ledger_queries, lookups, queries as q
from data.queries import BadParameter, NotFound, OutOfScope
from data.queries import QueryError as ReportError

__all__ = ["ReportError", "NotFound", "OutOfScope", "BadParameter", "build", "page", "drilldown", "node_path",
           "child_filters", "items_breakdown", "categories_breakdown", "redline", "funnel", "overview"]

# Views served by dashboard.ledger_reports.
LEDGER_VIEWS = {"rectifications": "rectifications", "pledges": "pledges",
                "contact-points": "contact_points", "reporting": "reporting", "quality": "quality",
                # The pages' side tables and the visits view (docs/cli.md's seven views stay the CLI/API's core).
                "rectification-summary": "rectification_summary", "rectification-ageing": "rectification_ageing",
                "pledge-summary": "pledge_summary_by_org", "pledges-overdue": "overdue_pledges",
                "visits": "visits", "contact-point-detail": "contact_point_detail",
                "reporting-completeness": "reporting_completeness", "quality-summary": "quality_summary",
                "void-sessions": "void_sessions"}
# Views that are a summary of another view's table: the web's report cache computes the base once for both.
DERIVED = {"quality-summary": ("quality", ledger_reports.summarise_quality)}
# Filters.extra keys the views understand (URL, API query and CLI options carry them).
LEDGER_FILTERS = ("status", "light", "source", "overdue_only")
SUPERVISION_FILTERS = ("group", "status")
PAGE_FILTERS = tuple(dict.fromkeys(LEDGER_FILTERS + SUPERVISION_FILTERS))
# The filters each view checks and reads (the drill-down's views take none).
VIEW_FILTERS: dict[str, tuple[ViewFilter, ...]] = {**ledger_reports.VIEW_FILTERS, **record_reports.VIEW_FILTERS,
                                                   "scorecard": scorecard.FILTERS, scorecard.TODO_VIEW: scorecard.FILTERS}
EXTRA_TITLES = {"items": "测评项目分析", "categories": "参评人员类别分析", "funnel": "漏斗图", "overview": "总览"}
MEMBER_SCALE = "民主评议党员"
FAIL_COLUMN, EXCELLENT_COLUMN = "不合格超三分之一", "评为优秀"
NOT_GRADED = "不评定"  # 预备党员 are evaluated but never graded (docs/metrics.md)
PROBATIONARY = "预备"
PROVINCE_LEVEL = "本级"  # label suffix of orgs sitting at province level in the 市/州 grouping
BUCKET_RATES = {"满意率": "S", "基本满意率": "B", "不满意率": "U"}
# Key column of each drill level; child_filters reads it back to go one level down.
KEY_SYSTEM, KEY_REGION, KEY_ORG, KEY_MEMBER = "系统", "地区", "组织编码", "党员编号"


def request(view: str, params, scope: Scope, today: date | None = None, session: Session | None = None) -> Request:
    """The request for a view from the caller's parameters (strings as a URL, the API or the CLI carry
    them), checked against the filters the view declares; BadParameter (the API's 400) when one is wrong.
    With a session, an as-of day not asked is the round's default (as_of); without, today."""
    if session is not None and not str(params.get("as_of") or "").strip():
        params = ChainMap({"as_of": as_of(session, params, today)[0].isoformat()}, params)
    try:
        return build_request(params, scope, VIEW_FILTERS.get(view, ()), PAGE_FILTERS, today)
    except RequestError as exc:
        raise BadParameter(str(exc)) from None


def as_of(session: Session, params, today: date | None = None) -> tuple[date, list[tuple[str, dict]]]:
    """The as-of day of the parameters — as asked, or the round's default (domain.request.default_as_of) — and
    the notes about it (how a default was chosen, a day in the future or before the round): docs/views.md."""
    today = today or date.today()
    try:
        dates = lookups.round_dates(session, clean_text(params.get("round"), "评议批次"))
        asked = parse_day(params.get("as_of"), today) if str(params.get("as_of") or "").strip() else None
    except RequestError as exc:
        raise BadParameter(str(exc)) from None
    day, defaulted = (asked, None) if asked is not None else default_as_of(dates, today)
    return day, as_of_notes(day, dates, today, defaulted)


def build(view: str, session: Session, request: Request) -> ReportTable:
    """The table of a view (docs/cli.md names); ledger views come from dashboard.ledger_reports."""
    own = {"drilldown": drilldown, "redline": redline, "items": items_breakdown,
           "categories": categories_breakdown, "comments": record_reports.comments}
    if view in own:
        return own[view](session, request)
    if view in scorecard.VIEWS:  # 督导工作台: from the other views' tables, through this build
        return scorecard.VIEWS[view](session, request, build)
    if view in LEDGER_VIEWS:
        return getattr(ledger_reports, LEDGER_VIEWS[view])(session, request)
    raise BadParameter(f"未知视图：{view}")


def page(view: str, session: Session, request: Request, sort_model: list[dict] | None = None, filter_model: dict | None = None, start: int = 0,
         end: int | None = None) -> tuple[ReportTable, int] | None:
    """Rows start..end of build(view, …) after the grid's sort and filter, and the number of such rows,
    without building the whole table (ledger_reports.page); None when that cannot be done for this view or
    grid model — then build() it and apply the model."""
    return ledger_reports.page(view, session, request, sort_model, filter_model, start, end)


def stream(view: str, session: Session, request: Request, sort_model: list[dict] | None = None, filter_model: dict | None = None
           ) -> tuple[ReportTable, RowStream] | None:
    """page() of every row, read from the session a part at a time while the stream is consumed (an export
    of a whole ledger); None when page() would be."""
    return ledger_reports.stream(view, session, request, sort_model, filter_model)


def _title(view: str, round_name: str) -> str:
    return f"{VIEW_TITLES.get(view) or EXTRA_TITLES[view]} · {round_name}"


def _table(view: str, node: q.Node, columns: list[Column], rows: list[list], request: Request,
           **kw) -> ReportTable:
    return ReportTable(view=view, title=_title(view, node.round.name), columns=columns, rows=rows,
                       filters=request.filters, as_of=request.as_of, scope=request.scope.describe(), 
                       context=RuleProfile.from_record(node.round).title_lines(), **kw)


# ---------------------------------------------------------------------------------------- metric columns
def _share_columns(profile: RuleProfile) -> list[tuple[str, str]]:
    """(option_shares key, column name) for scales with more than three options.

    An option whose share is exactly a bucket rate (the only option of its bucket, e.g. 基本满意 on the
    four-level form) is already shown; an option named like a bucket but not equal to it (满意 on the
    four-level form, where 满意率 pools 满意 and 比较满意) is labelled "（选项）" so headers stay unique.
    """
    options, buckets = profile.options, profile.buckets
    if len(options) <= 3:
        return []
    bucket_labels = {profile.rate_label(name): bucket for name, bucket in BUCKET_RATES.items()}
    bucket_labels[profile.rate_label("综合满意率")] = None  # never one option's share
    out = []
    for i, name in enumerate(options):
        key = f"{name}率"
        if key in bucket_labels:
            if buckets[i] == bucket_labels[key] and buckets.count(buckets[i]) == 1:
                continue
            out.append((key, f"{key}（选项）"))
        else:
            out.append((key, key))
    return out


def _interval_format(profile: RuleProfile) -> str:
    return DECIMAL if profile.redline_metric == "测评得分" else PERCENT


def _metric_columns(profile: RuleProfile) -> list[Column]:
    return ([Column("测评数", INT), Column("不了解", INT), Column("弃权", INT)]
            + [Column(profile.rate_label(n), PERCENT) for n in ("满意率", "基本满意率", "不满意率", "综合满意率")]
            + [Column(label, PERCENT) for _, label in _share_columns(profile)]
            + [Column("测评得分", DECIMAL), Column("置信下限", _interval_format(profile)),
               Column("置信上限", _interval_format(profile)), Column("红线判定"),
               Column("到期承诺", INT), Column("承诺兑现率", PERCENT), Column("逾期未兑现", INT),
               Column("整改问题数", INT), Column("整改措施数", INT), Column("整改完成率", PERCENT), Column("按期完成率", PERCENT),
               Column("超期整改", INT), Column("临期整改", INT), Column("灯")])


def _metric_values(counts: Counts, profile: RuleProfile, pledges: metrics.PledgeSummary,
                   rects: tuple[metrics.RectSummary, str | None] | None, graded: bool = True
                   ) -> tuple[list, str]:
    """The metric cells of a row; rects (summary, worst light), None where rectifications do not apply
    (members): empty cells."""
    b = bucketize(counts, profile)
    r = metrics.rates(b, profile)
    shares = metrics.option_shares(counts, profile)
    red = metrics.redline(b, profile)
    verdict = red.verdict if graded else NOT_GRADED
    values = ([b.n, counts.unknown, counts.abstain, r["满意率"], r["基本满意率"], r["不满意率"],
               r["综合满意率"]]
              + [shares.get(key) for key, _ in _share_columns(profile)]
              + [r["测评得分"], red.low, red.high, verdict,
                 pledges.due, pledges.rate, pledges.overdue])
    if rects is None:
        values += [None] * 7  # 整改问题数 … 灯
    else:
        rs, light = rects
        values += [rs.problems, rs.registered, rs.completion_rate, rs.on_time_rate, rs.overdue, rs.due_soon, light]
    return values, verdict


def _worst_light(states: Iterable[metrics.RectState]) -> str | None:
    """A node's light: the worst of its rectifications' own lights (None when it has none)."""
    lights = {s.light for s in states}
    return next((light for light in (metrics.RED, metrics.YELLOW, metrics.GREEN) if light in lights), None)


def _rect_totals(measures: list[tuple[str, metrics.RectState]]) -> tuple[metrics.RectSummary, str | None]:
    """(summary, worst light) of (问题编号, state) pairs: one pair per measure."""
    states = [s for _, s in measures]
    return metrics.rect_summary(states, [code for code, _ in measures]), _worst_light(states)


def _pledge_summaries(rows: Iterable[tuple], as_of: date) -> dict[Any, metrics.PledgeSummary]:
    states = defaultdict(list)
    for key, due, status, fulfilled in rows:
        states[key].append(metrics.pledge_state(due, status, fulfilled, as_of))
    return {k: metrics.pledge_summary(v) for k, v in states.items()}


def _rect_states(rows: Iterable[tuple], as_of: date, profile: RuleProfile) -> dict[Any, list]:
    """key -> [(问题编号, state)] of q.rect_rows' rows."""
    states = defaultdict(list)
    for key, status, registered, deadline, completed, closed, code in rows:
        states[key].append(
            (code, metrics.rect_state(status, registered, deadline, completed, closed, as_of, profile)))
    return states


NO_PLEDGES = metrics.pledge_summary(())


def _context(session: Session, request: Request):
    node = q.resolve(session, request.filters, request.scope)
    return node, RuleProfile.from_record(node.round), q.filter_org_ids(request.scope, node)


# ---------------------------------------------------------------------------------------- drill-down
def drilldown(session: Session, request: Request) -> ReportTable:
    """Children of the current node (全部 › 系统 › 地区 › 组织 › 下级组织 › 党员) with every metric of docs/metrics.md."""
    node, profile, org_ids = _context(session, request)
    as_of, scope = request.as_of, request.scope
    rid = node.round.id
    notes: list[str] = []
    if node.org is not None and node.org.is_leaf:
        return _member_rows(session, node, profile, request)
    # A user who sees the whole campaign asks only for whole subtrees and whole groups: the per-(round,
    # as-of) node index answers those from memory; any other scope takes the query path below.
    index = node_index.get(session, node.round, as_of) if scope.everything else None
    totals: dict | None = None
    if node.org is not None or node.region is not None:
        # Each child org with every org of the filter set below it (its own subtree, narrowed).
        if index is not None:
            mask = index.in_filter(node.system.id if node.system else None,
                                   node.region.level if node.region else None,
                                   node.region.code if node.region else None)
            child_ids = (index.child_ids(node.org.id, mask) if node.org is not None
                         else index.top_ids(mask))
            if len(child_ids) > q.CHUNK:  # a very wide node: let SQL handle the id set
                index = None
            else:
                ancestors = q.id_select(child_ids)
                labels = q.org_codes_names(session, child_ids)
        if index is None:
            ancestors = (q.child_org_ids(node.org.id, org_ids) if node.org is not None
                         else q.top_org_ids(org_ids))
            labels = q.org_labels(session, ancestors)
        keyed = sorted(((org_id, code, name) for org_id, (code, name) in labels.items()), key=lambda k: k[1])
        level, key_col = "ancestor", KEY_ORG
        if index is not None and index.contained(labels):
            totals = index.subtrees(labels)
    elif node.system is not None:
        # One row per 市/州 with answers in the round (groups that take part, like the systems above).
        ancestors = None
        level, key_col = "region", KEY_REGION
        if index is not None:
            totals = index.grouped("region", node.system.id)
        counts = totals if totals is not None else q.headline_counts(session, rid, org_ids, level)
        regions = q.regions_by_code(session, counts)
        keyed = sorted(((c, c, _region_label(regions.get(c), c)) for c in counts), key=lambda k: k[1])
        if any(r.level == 1 for r in regions.values()):
            notes.append("地区“…本级”汇总直属省级、未落到市/州的组织。")
    else:
        # One row per system taking part in the round (any org of it, in scope, has answers).
        ancestors = None
        level, key_col = "system", KEY_SYSTEM
        if index is not None:
            totals = index.grouped("system")
        counts = totals if totals is not None else q.headline_counts(session, rid, org_ids, level)
        systems = q.systems_by_id(session, counts)
        keyed = sorted(((s.id, s.name, s.name) for s in systems.values()), key=lambda k: k[1])
    if totals is not None:
        cells = {k: (t.counts, t.pledges, (t.rects, t.light)) for k, t in totals.items()}
    else:
        counts = q.headline_counts(session, rid, org_ids, level, ancestors)
        pledges = _pledge_summaries(q.pledge_rows(session, rid, org_ids, level, ancestors), as_of)
        rects = _rect_states(q.rect_rows(session, rid, org_ids, level, ancestors), as_of, profile)
        cells = {k: (counts.get(k, Counts()), pledges.get(k, NO_PLEDGES), _rect_totals(rects.get(k, [])))
                 for k, _, _ in keyed}
    rows, red_rows = [], set()
    empty = (Counts(), NO_PLEDGES, _rect_totals([]))
    for key, code, name in keyed:
        counts_, pledges_, rects_ = cells.get(key, empty)
        values, verdict = _metric_values(counts_, profile, pledges_, rects_)
        if verdict == metrics.CONFIRMED_BELOW:
            red_rows.add(len(rows))
        rows.append([code, name, *values])
    columns = [Column(key_col), Column("名称"), *_metric_columns(profile)]
    notes.append("上级节点的测评数与比率由其下全部组织的答卷合并计算，不是下级比率的平均。")
    return _table("drilldown", node, columns, rows, request, red_rows=red_rows, notes=notes)


def _region_label(region, code: str) -> str:
    if region is None:
        return code
    return f"{region.name}{PROVINCE_LEVEL}" if region.level == 1 else region.name


def _member_rows(session: Session, node: q.Node, profile: RuleProfile, request: Request) -> ReportTable:
    as_of, scope = request.as_of, request.scope
    members = q.member_counts(session, node.round.id, node.org.id, scope)
    pledges = _pledge_summaries(q.member_pledge_rows(session, node.round.id, node.org.id, scope), as_of)
    member_scale = profile.scale == MEMBER_SCALE
    rows, red_rows = [], set()
    graded = excellent = 0
    for mc in members:
        m = mc.member
        is_graded = m.category != PROBATIONARY
        # Rectifications are kept per org, not per member: those columns stay empty ("—").
        values, verdict = _metric_values(mc.counts, profile, pledges.get(m.id, NO_PLEDGES), None,
                                         graded=is_graded)
        b = bucketize(mc.counts, profile)
        fail = top = None  # "—": not graded, or no answers
        if is_graded and b.n:
            fail = "是" if metrics.fails_over_third(b.u, b.n) else "否"
            if member_scale:
                top = metrics.rated_excellent(mc.counts.opt[0], b.n)
                graded, excellent = graded + 1, excellent + top
                top = "是" if top else "否"
        if verdict == metrics.CONFIRMED_BELOW or fail == "是":
            red_rows.add(len(rows))
        rows.append([m.code, m.name, m.category, *values, fail, top])
    columns = [Column(KEY_MEMBER), Column("名称"), Column("党员类别"), *_metric_columns(profile),
               Column(FAIL_COLUMN), Column(EXCELLENT_COLUMN)]
    notes = ["预备党员参加测评，但不评定（红线判定为“不评定”）。", "整改台账按组织登记，党员行不显示整改数据。",
             f"{FAIL_COLUMN}：{'、'.join(o for o, k in zip(profile.options, profile.buckets) if k == 'U')}"
             "票数超过测评数（N）的三分之一。"]
    if member_scale:
        notes.append(f"{EXCELLENT_COLUMN}：{profile.options[0]}票数超过 N 的一半。{profile.options[0]}"
                     "比例不超过参评正式党员的三分之一。")
        if metrics.excellent_over_quota(excellent, graded):
            notes.insert(0, f"⚠ 优秀比例超标：{excellent}/{graded} 名正式党员评为{profile.options[0]}，"
                            "超过三分之一。")
    return _table("drilldown", node, columns, rows, request, red_rows=red_rows, notes=notes)


def child_filters(filters: Filters, table: ReportTable, row: int) -> Filters | None:
    """The filters one level below a drill-down row (None at member level)."""
    if not table.columns or not 0 <= row < len(table.rows):
        return None
    key, value = table.columns[0].name, table.rows[row][0]
    base = dict(round=filters.round, system=filters.system, region=filters.region, org=filters.org,
                extra=filters.extra)
    if key == KEY_SYSTEM:
        return Filters(**{**base, "system": value})
    if key == KEY_REGION:
        return Filters(**{**base, "region": value})
    if key == KEY_ORG:
        return Filters(**{**base, "org": value})
    return None


def node_path(session: Session, request: Request) -> list[tuple[str, Filters]]:
    """The breadcrumb from 全部 down to the current node: [(label, filters of that level)]."""
    filters, scope = request.filters, request.scope
    node = q.resolve(session, filters, scope)
    path = [("全部", Filters(round=filters.round, extra=filters.extra))]
    if node.system is not None:
        path.append((node.system.name, Filters(round=filters.round, system=filters.system,
                                               extra=filters.extra)))
    if node.region is not None:
        path.append((node.region.name, Filters(round=filters.round, system=filters.system,
                                               region=filters.region, extra=filters.extra)))
    if node.org is not None:
        # Ancestors inside the same system/region narrowing and the scope: the orgs a user drilled through.
        within = q.Node(node.round, node.system, node.region, None)
        for org in [*q.ancestors_of(session, node.org, scope, within), node.org]:
            path.append((org.name, Filters(round=filters.round, system=filters.system, region=filters.region,
                                           org=org.code, extra=filters.extra)))
    return path


# ---------------------------------------------------------------------------------------- breakdowns
def _breakdown_columns(first: str, profile: RuleProfile) -> list[Column]:
    return ([Column(first), Column("测评数", INT)]
            + [Column(name, INT) for name in profile.options]
            + [Column("不了解", INT), Column("弃权", INT)]
            + [Column(profile.rate_label(n), PERCENT) for n in ("满意率", "基本满意率", "不满意率", "综合满意率")]
            + [Column(label, PERCENT) for _, label in _share_columns(profile)]
            + [Column("测评得分", DECIMAL)])


def _breakdown_row(label: str, counts: Counts, profile: RuleProfile) -> tuple[list, bool]:
    """A breakdown cell: counts and rates, or only "<threshold" when too few answered (anonymity)."""
    answers = counts.total_answers
    n_options = len(profile.options)
    if answers and metrics.suppressed(answers, profile):
        hidden = f"<{profile.anonymity_threshold}"
        return [label, hidden, *[hidden] * n_options, hidden, hidden,
                *[None] * (5 + len(_share_columns(profile)))], True
    b = bucketize(counts, profile)
    r = metrics.rates(b, profile)
    shares = metrics.option_shares(counts, profile)
    return ([label, b.n, *counts.opt[:n_options], counts.unknown, counts.abstain,
             r["满意率"], r["基本满意率"], r["不满意率"], r["综合满意率"],
             *[shares.get(key) for key, _ in _share_columns(profile)], r["测评得分"]], False)


def _anonymity_note(profile: RuleProfile) -> str:
    t = profile.anonymity_threshold
    return f"答卷少于 {t} 份的单元格只显示“<{t}”，不计算比率：测评为无记名，人数过少会暴露参评人。"


def _breakdown(session: Session, node: q.Node, scope: Scope, kind: str, compute) -> dict:
    """compute(), the breakdown of the node; kept per data version for users who see everything."""
    if not scope.everything:
        return compute()
    key = (kind, node.round.id, node.system.id if node.system else None, node.region.code if node.region else None,
           node.org.id if node.org else None)
    return node_index.cached_result(session, key, compute)


def items_breakdown(session: Session, request: Request) -> ReportTable:
    """Per 测评项目: the current node's own answers (every org of the node, not members) and rates."""
    node, profile, org_ids = _context(session, request)
    counts = _breakdown(session, node, request.scope, "items", lambda: q.item_counts(session, node.round.id, org_ids))
    rows, any_hidden = [], False
    for item in q.round_items(session, node.round.id):
        row, hidden = _breakdown_row(item.name, counts.get((0, item.id), Counts()), profile)
        any_hidden |= hidden
        rows.append(row)
    notes = [_anonymity_note(profile)] if any_hidden else []
    return _table("items", node, _breakdown_columns("测评项目", profile), rows, request, notes=notes)


def categories_breakdown(session: Session, request: Request) -> ReportTable:
    """Per 参评人员类别: the headline answers of the current node's orgs (as rollup_headline counts them)."""
    node, profile, org_ids = _context(session, request)
    counts = _breakdown(session, node, request.scope, "categories",
                        lambda: q.category_counts(session, node.round.id, org_ids))
    order = {c: i for i, c in enumerate(EVALUATOR_CATEGORIES)}
    rows, any_hidden = [], False
    for category in sorted(counts, key=lambda c: (order.get(c, len(order)), c)):
        row, hidden = _breakdown_row(category, counts[category], profile)
        any_hidden |= hidden
        rows.append(row)
    notes = [_anonymity_note(profile)] if any_hidden else []
    return _table("categories", node, _breakdown_columns("参评人员类别", profile), rows, request, notes=notes)


# ---------------------------------------------------------------------------------------- red line
def _subtree_counts(session: Session, node: q.Node, org_ids) -> dict[int, Counts]:
    """org id -> the headline Counts of each org of the node with every org of the node below it."""
    return q.headline_counts(session, node.round.id, org_ids, "ancestor", org_ids)


def _subtree_redlines(session: Session, node: q.Node, profile: RuleProfile, org_ids) -> dict[int, tuple]:
    """org id -> (Counts, RedLine) of each org of _subtree_counts."""
    counts = _subtree_counts(session, node, org_ids)
    return {k: (c, metrics.redline(bucketize(c, profile), profile)) for k, c in counts.items()}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _redline_facts_from_queries(session: Session, node: q.Node, profile: RuleProfile, org_ids, as_of: date):
    """(candidates {org: (Counts, RedLine)}, lowest items {org: [(value, name, id)]}, overdue rectifications
    {org: n}, overdue pledges {org: n}) — each org with every org of the node below it."""
    rid = node.round.id
    found = {k: v for k, v in _subtree_redlines(session, node, profile, org_ids).items()
             if v[1].verdict in metrics.CANDIDATE_VERDICTS}
    items = {i.id: i.name for i in q.round_items(session, rid)}
    lowest: dict[int, list] = defaultdict(list)
    pledge_rows, rect_rows = [], []
    for part in q.chunks(found):  # the candidates' own subtrees, a bounded id list at a time
        cand = q.id_select(part)
        for (org_id, item_id), c in q.item_counts(session, rid, org_ids, "ancestor", cand).items():
            red = metrics.redline(bucketize(c, profile), profile)
            if red.value is not None:
                lowest[org_id].append((red.value, items.get(item_id, ""), item_id))
        pledge_rows += q.pledge_rows(session, rid, org_ids, "ancestor", cand)
        rect_rows += q.rect_rows(session, rid, org_ids, "ancestor", cand)
    pledges = _pledge_summaries(pledge_rows, as_of)
    rects = _rect_states(rect_rows, as_of, profile)
    return (found, lowest, {k: _rect_totals(v)[0].overdue for k, v in rects.items()},
            {k: v.overdue for k, v in pledges.items()})


def _redline_facts_from_index(session: Session, node: q.Node, profile: RuleProfile, as_of: date):
    """The same facts from the node index, when no org of the node has a subtree reaching outside it
    (then each org's narrowed subtree is its whole subtree); None otherwise. Only each candidate's two lowest
    items are listed (all 红线 shows), picked in numpy: a province's 1,100 candidates' Totals and item lists
    built in Python were a third of the page's time."""
    covered = node_index.node_mask(session, node, as_of)
    if covered is None:
        return None
    index, mask = covered
    verdicts = index.candidate_verdicts()  # every candidate of the round: those of the node kept
    candidates = [org_id for org_id, inside in zip(verdicts, mask[index.pos.many(list(verdicts))].tolist())
                  if inside]
    counts, overdue_rects, overdue_pledges = index.candidate_facts(candidates)
    found = {org_id: (c, verdicts[org_id]) for org_id, c in zip(candidates, counts)}
    per_item = node_index.item_counts(session, node.round)
    lowest = {}
    if candidates and per_item.item_ids:
        names = {i.id: i.name for i in q.round_items(session, node.round.id)}
        values = metrics.redline_values(per_item.matrix(candidates), profile)
        lowest = dict(zip(candidates, _two_lowest(values, per_item.item_ids, names)))
    return (found, lowest, dict(zip(candidates, overdue_rects)), dict(zip(candidates, overdue_pledges)))


def _two_lowest(values: np.ndarray, item_ids: list[int], names: dict[int, str]) -> list[list[tuple]]:
    """For each row of values (an org's value per item, NaN where no answer counts), its two lowest items as
    (value, name, id) in the order redline() sorts such tuples: by value, then the item's name and id."""
    rank = np.empty(len(item_ids), dtype=np.int64)
    rank[sorted(range(len(item_ids)), key=lambda j: (names.get(item_ids[j], ""), item_ids[j]))] = \
        np.arange(len(item_ids))
    two = np.lexsort((np.broadcast_to(rank, values.shape), np.where(np.isnan(values), np.inf, values)),
                     axis=-1)[:, :2]
    return [[(value, names.get(item_ids[j], ""), item_ids[j]) for j, value in zip(columns, row) if value == value]
            for columns, row in zip(two.tolist(), np.take_along_axis(values, two, axis=-1).tolist())]


def redline(session: Session, request: Request) -> ReportTable:
    """返工/补课 candidates (确认低于, 疑似低于), lowest 置信下限 first, with why."""
    node, profile, org_ids = _context(session, request)
    as_of, scope = request.as_of, request.scope
    facts = (_redline_facts_from_index(session, node, profile, as_of) if scope.everything else None) \
        or _redline_facts_from_queries(session, node, profile, org_ids, as_of)
    found, lowest, overdue_rects, overdue_pledges = facts
    kept = _kept_for_candidates(session, node.round, as_of) if scope.everything else _NOTHING_KEPT
    rework = _rework(session, node, profile, org_ids, as_of, found, kept.firsts)
    orgs = {**{k: kept.orgs[k] for k in found if k in kept.orgs},
            **ledger_queries.org_infos(session, [k for k in found if k not in kept.orgs])}
    order = sorted(found, key=lambda k: (found[k][1].low is None, found[k][1].low or 0, orgs[k].code))
    metric = profile.redline_metric
    value_format = DECIMAL if metric == "测评得分" else PERCENT
    rows, red_rows = [], set()
    for org_id in order:
        org, (counts, red) = orgs[org_id], found[org_id]
        worst = sorted(lowest.get(org_id, []))[:2]
        fmt = (lambda v: f"{v:.1f}") if metric == "测评得分" else _pct
        worst_text = "、".join(f"{name} {fmt(v)}" for v, name, _ in worst)
        org_overdue_rects, org_overdue_pledges = overdue_rects.get(org_id, 0), overdue_pledges.get(org_id, 0)
        reason = [f"{metric}{fmt(red.value)}，低于红线{fmt(profile.redline)}"] if red.verdict in \
            metrics.CANDIDATE_VERDICTS else [f"{metric}{fmt(red.value)}（{red.verdict}）" if red.value is not None
                                             else red.verdict]
        if red.verdict == metrics.CONFIRMED_BELOW:
            reason.append("置信上限也低于红线")
        if worst_text:
            reason.append(f"最低项目：{worst_text}")
        if org_overdue_rects:
            reason.append(f"超期整改 {org_overdue_rects} 项")
        if org_overdue_pledges:
            reason.append(f"逾期未兑现承诺 {org_overdue_pledges} 项")
        if red.verdict == metrics.CONFIRMED_BELOW:
            red_rows.add(len(rows))
        rows.append([org.code, org.name, org.system, org.region_name, red.n, red.value, red.low, red.high,
                     red.verdict, worst_text or None, org_overdue_rects, org_overdue_pledges, "；".join(reason),
                     *rework.get(org_id, (metrics.TO_ORDER, red.value, None))])
    label = profile.rate_label(metric)
    columns = [Column("组织编码"), Column("名称"), Column("系统"), Column("地区"), Column("测评数", INT),
               Column(metric, value_format), Column("置信下限", value_format),
               Column("置信上限", value_format), Column("红线判定"), Column("最低测评项目"),
               Column("超期整改", INT), Column("逾期未兑现", INT), Column("原因", TEXT),
               Column("返工状态"), Column(f"首评{label}", value_format), Column(f"复评{label}", value_format)]
    notes = [f"每个组织按其本级及下级全部答卷合并计算；置信区间为 Wilson 区间（置信度 {profile.confidence:.0%}）。",
             "已复评的组织按复评数据计算；首评、复评两列为该组织本级的答卷。"]
    return _table("redline", node, columns, rows, request, red_rows=red_rows, notes=notes)


@dataclass(frozen=True)
class _Kept:
    orgs: dict  # org id -> ledger_queries.OrgInfo
    firsts: dict  # org id -> q.rollup_firsts' (latest first 上报日期, headline)


_NOTHING_KEPT = _Kept({}, {})


def _kept_for_candidates(session: Session, rnd, as_of: date) -> _Kept:
    """What 红线 reads of each of the round's candidates (their names and their 首评 rollup rows), kept per data
    version for users who see everything: a province's 1,137 candidates are scattered rows, read on every visit
    in 17 ms on SQLite and 33 on PostgreSQL (the twenty-fourth session's machine). Orgs that are not candidates
    (passing now, but with a 认定 or a 首评 below the line) are read on each visit as before."""
    def read() -> _Kept:
        ids = sorted(node_index.get(session, rnd, as_of).candidate_verdicts())
        return _Kept(ledger_queries.org_infos(session, ids), q.rollup_firsts(session, rnd.id, ids))
    return node_index.cached_result(session, ("redline-candidates", rnd.id, as_of), read)


def _rework(session: Session, node: q.Node, profile: RuleProfile, org_ids, as_of: date, found: dict,
            firsts: dict | None = None) -> dict:
    """返工状态, 首评 and 复评 values of the orgs that are candidates now or were in their 首评 (or have an
    order), as of the day. Orgs that pass now but were candidates in their 首评 are added to `found`.
    firsts: q.rollup_firsts of some of the orgs, already read."""
    rid, until = node.round.id, datetime.combine(as_of, time.max)
    rechecked = q.rechecked_org_ids(session, rid, org_ids, until)
    orders = {k: o for k, o in q.rework_orders(session, rid, org_ids).items() if o.ordered_on <= as_of}
    involved = sorted(set(found) | rechecked | set(orders))
    first = q.first_headlines(session, rid, involved, until, rechecked, firsts)
    again = q.phase_headlines(session, rid, sorted(rechecked), RECHECK, until)
    out = {}
    for org_id in involved:
        first_red = metrics.redline(bucketize(first.get(org_id, Counts()), profile), profile)
        again_red = metrics.redline(bucketize(again[org_id], profile), profile) if org_id in again else None
        if org_id not in found:
            if first_red.verdict not in metrics.CANDIDATE_VERDICTS and org_id not in orders:
                continue
            found[org_id] = (again.get(org_id, first.get(org_id, Counts())), again_red or first_red)
        order = orders.get(org_id)
        status = metrics.rework_status(order and order.ordered_on, order and order.recheck_due,
                                       again_red.verdict if again_red else None, as_of)
        out[org_id] = (status, first_red.value, again_red.value if again_red else None)
    return out


def _rework_counts(session: Session, node: q.Node, profile: RuleProfile, org_ids, as_of: date,
                   found: dict) -> dict[str, int]:
    """How many orgs are in each 返工状态 (the overview): candidates now and those of their 首评."""
    statuses = [status for status, _, _ in _rework(session, node, profile, org_ids, as_of, dict(found)).values()]
    return {status: statuses.count(status) for status in metrics.REWORK_STATUSES}


# A funnel of a whole province has ~100,000 orgs: more points than anyone reads on one chart, megabytes to
# send and seconds for a browser to draw. Above this many, the chart keeps every org outside the limits
# and an even sample of the others, and says so.
FUNNEL_MAX_POINTS = 2000
FUNNEL_BANDS = ("low998", "low95", "ok")  # below the 99.8% lower limit, below the 95% one, within


def funnel(session: Session, request: Request, steps: int = 60,
           max_points: int | None = None) -> dict:
    """Funnel plot data: each org's own headline rate against its N, and limits around the pooled rate.

    The rate is the red-line metric when it is a proportion (满意率/综合满意率); for 测评得分 the plot uses
    综合满意率, since a funnel needs a proportion. Points are orgs' own answers (not subtrees), so no
    answer is plotted twice. Each point has its band (FUNNEL_BANDS); `total_points` counts every org with
    answers and `flagged_points` those below a limit; `points` holds at most max_points orgs (see
    FUNNEL_MAX_POINTS).
    """
    node, profile, org_ids = _context(session, request)
    as_of, scope = request.as_of, request.scope
    max_points = max_points or FUNNEL_MAX_POINTS
    metric = "满意率" if profile.redline_metric == "满意率" else "综合满意率"
    ids, counts = _own_headline_counts(session, node, org_ids, as_of, scope)
    kinds = profile.buckets  # option positions past the scale's are never counted (rules.bucketize)

    def bucket(kind: str) -> np.ndarray:
        return counts[:, [i for i, k in enumerate(kinds) if k == kind]].sum(axis=1)

    s, b, u = bucket(S), bucket(B), bucket(U)
    n = s + b + u
    answered = n > 0
    ids, n = ids[answered], n[answered]
    k = (s if metric == "满意率" else s + b)[answered]
    rate = k / np.maximum(n, 1)
    pooled = metrics.ratio(int(k.sum()), int(n.sum()))
    limits: dict[str, list] = {"n": [], "lower95": [], "upper95": [], "lower998": [], "upper998": []}
    band = np.full(len(ids), 2)
    if pooled is not None:
        top = int(n.max())
        ns = sorted({max(1, round(top ** (i / (steps - 1)))) for i in range(steps)} | {top})
        for size in ns:
            lo95, hi95 = metrics.funnel_limits(pooled, size, 0.95)
            lo998, hi998 = metrics.funnel_limits(pooled, size, 0.998)
            limits["n"].append(size)
            limits["lower95"].append(lo95)
            limits["upper95"].append(hi95)
            limits["lower998"].append(lo998)
            limits["upper998"].append(hi998)
        lower95 = metrics.funnel_lower_limits(pooled, n, 0.95)
        lower998 = metrics.funnel_lower_limits(pooled, n, 0.998)
        band = np.where(rate < lower998, 0, np.where(rate < lower95, 1, 2))
    shown = np.arange(len(ids))
    flagged = np.nonzero(band < 2)[0]
    if len(ids) > max_points:
        # The worst flagged orgs (furthest below the 95% limit) first, but a quarter of the room kept for
        # an even sample of the others, so the chart still shows where most orgs are.
        within = np.nonzero(band == 2)[0]
        take = min(len(flagged), max_points - min(len(within), max_points // 4))
        worst = flagged[np.argsort(rate[flagged] - lower95[flagged], kind="stable")][:take]
        room = min(max_points - take, len(within))
        sample = within[np.unique(np.linspace(0, len(within) - 1, room).round().astype(int))] if room else within[:0]
        shown = np.sort(np.concatenate([worst, sample]))
    labels = q.org_codes_names(session, ids[shown].tolist())
    points = [{"code": labels[org_id][0], "name": labels[org_id][1], "n": size, "rate": r,
               "band": FUNNEL_BANDS[kind]}
              for org_id, size, r, kind in zip(ids[shown].tolist(), n[shown].tolist(), rate[shown].tolist(),
                                               band[shown].tolist())]
    points.sort(key=lambda p: p["code"])
    return {"title": _title("funnel", node.round.name), "scope": scope.describe(), "metric": metric,
            "redline": profile.redline if metric == profile.redline_metric else None,
            "pooled": pooled, "points": points, "total_points": len(ids), "flagged_points": len(flagged),
            "limits": limits}


def _own_headline_counts(session: Session, node: q.Node, org_ids, as_of: date,
                         scope: Scope) -> tuple[np.ndarray, np.ndarray]:
    """(org ids, their own headline counts as rows of opt1..opt5, 不了解, 弃权) of the node's reporting
    orgs: from the node index for a user who sees everything, else from rollup_headline."""
    if scope.everything:
        index = node_index.get(session, node.round, as_of)
        mask = index.in_filter(node.system.id if node.system else None,
                               node.region.level if node.region else None,
                               node.region.code if node.region else None)
        if node.org is not None:
            mask = mask & index.subtree_mask(node.org.id)
        return index.own_counts(mask)
    return count_arrays(q.headline_counts(session, node.round.id, org_ids, "org"))


def count_arrays(counts: dict[int, Counts]) -> tuple[np.ndarray, np.ndarray]:
    """(org ids, their Counts as rows of opt1..opt5, 不了解, 弃权): what the array metrics read."""
    rows = [(*c.opt, c.unknown, c.abstain) for c in counts.values()]
    return (np.array(list(counts), dtype=np.int64),
            np.array(rows, dtype=np.int64).reshape(-1, len(Counts().opt) + 2))


# ---------------------------------------------------------------------------------------- overview
def overview(session: Session, request: Request) -> dict:
    """KPI cards, by-system and by-市/州 tables, and the trend over rounds for the current node.

    参评人次 is the sum of 收回份数 of the node's non-void 测评场次 (a void session, 收回 > 发放, is
    excluded); when no session is recorded it falls back to 测评数 (N), and `参评人次口径` says which.
    """
    node, profile, org_ids = _context(session, request)
    as_of, scope = request.as_of, request.scope
    if scope.everything and node.system is None and node.region is None and node.org is None:
        return _overview_of_everything(session, node, profile, request)
    rid = node.round.id
    total = q.headline_counts(session, rid, org_ids).get(0, Counts())
    sessions = [s for s in q.session_counts(session, rid, org_ids)
                if s[2] is not None and not metrics.session_void(s[1], s[2])]
    participants = sum(s[2] for s in sessions) if sessions else None
    found = {k: v for k, v in _subtree_redlines(session, node, profile, org_ids).items()
             if v[1].verdict in metrics.CANDIDATE_VERDICTS}
    candidates, rework = len(found), _rework_counts(session, node, profile, org_ids, as_of, found)
    pledges = metrics.pledge_summary(metrics.pledge_state(due, st, done, as_of)
                                     for _, due, st, done in q.pledge_rows(session, rid, org_ids))
    rects = _rect_totals(_rect_states(q.rect_rows(session, rid, org_ids), as_of, profile).get(0, []))[0]
    trend = [(rnd, q.headline_counts(session, rnd.id, org_ids).get(0, Counts())) for rnd in q.rounds(session)]
    return _overview_dict(session, node, profile, request, total, participants, candidates,
                          pledges, rects, q.headline_counts(session, rid, org_ids, "system"),
                          q.headline_counts(session, rid, org_ids, "region"), trend, rework)


def _overview_of_everything(session: Session, node: q.Node, profile: RuleProfile, request: Request) -> dict:
    """The same overview for a user who sees the whole campaign, read from the node index."""
    index = node_index.get(session, node.round, request.as_of)
    total = index.total()
    found = {k: (None, red) for k, red in index.candidate_verdicts().items()
             if red.verdict in metrics.CANDIDATE_VERDICTS}
    candidates = len(found)
    # The 返工状态 counts read every 首评 candidate's answers: kept per data version like the breakdowns (the
    # province benchmark's overview went from ~0.1 to ~1.1 s with them computed on every request).
    rework = node_index.cached_result(
        session, ("rework-counts", node.round.id, request.as_of, astuple(profile)),
        lambda: _rework_counts(session, node, profile, q.filter_org_ids(request.scope, node), request.as_of, found))
    trend = [(rnd, node_index.round_counts(session, rnd).total().counts) for rnd in q.rounds(session)]
    return _overview_dict(session, node, profile, request, total.counts,
                          total.participants if total.sessions else None, candidates, total.pledges,
                          total.rects, {k: t.counts for k, t in index.grouped("system").items()},
                          {k: t.counts for k, t in index.grouped("region").items()}, trend, rework)


def _overview_dict(session: Session, node: q.Node, profile: RuleProfile, request: Request, total: Counts,
                   participants: int | None, candidates: int, pledges: metrics.PledgeSummary, rects: metrics.RectSummary, by_system: dict,
                   by_region: dict, trend: list, rework: dict | None = None) -> dict:
    """participants None = no 测评场次 recorded: 参评人次 falls back to N."""
    b = bucketize(total, profile)
    r = metrics.rates(b, profile)
    if participants is not None:
        basis = "测评场次收回份数（不含作废场次）"
    else:
        participants, basis = b.n, "测评数（未录入测评场次）"
    kpis = {"参评人次": participants, "满意率": r["满意率"], "综合满意率": r["综合满意率"],
            "返工/补课": candidates, "承诺兑现率": pledges.rate, "整改完成率": rects.completion_rate,
            "超期整改": rects.overdue, "整改问题数": rects.problems, "整改措施数": rects.registered}
    # The N of each rate (its denominator), shown beside it: 满意率 and 综合满意率 of N answers, 承诺兑现率 of
    # the pledges due, 整改完成率 of the measures registered.
    kpi_n = {"满意率": b.n, "综合满意率": b.n, "承诺兑现率": pledges.due, "整改完成率": rects.registered}

    def group_table(counts: dict, first: str, labels: dict) -> ReportTable:
        rows = []
        for key in sorted(counts, key=lambda k: labels[k][0]):
            gb = bucketize(counts[key], profile)
            rows.append([*labels[key], gb.n, metrics.rates(gb, profile)["综合满意率"]])
        return _table("overview", node, [Column(first), Column("名称"), Column("测评数", INT),
                                          Column("综合满意率", PERCENT)], rows, request)

    systems = {k: (s.name, s.name) for k, s in q.systems_by_id(session, by_system).items()}
    found = q.regions_by_code(session, by_region)
    regions = {c: (c, _region_label(found.get(c), c)) for c in by_region}
    trend_rows = []
    for rnd, counts in trend:
        rp = RuleProfile.from_record(rnd)
        tb = bucketize(counts, rp)
        trend_rows.append({"round": rnd.name, "测评数": tb.n, "综合满意率": metrics.rates(tb, rp)["综合满意率"]})
    # The bars show 综合满意率: the red line is drawn on them only when it is a line on that metric.
    redline = profile.redline if profile.redline_metric == "综合满意率" else None
    return {"title": _title("overview", node.round.name), "scope": request.scope.describe(),
            "as_of": request.as_of, "redline": redline,
            "filters": request.filters.as_dict(), "kpis": kpis, "kpi_n": kpi_n, "参评人次口径": basis,
            "by_system": group_table(by_system, KEY_SYSTEM, systems),
            "by_region": group_table(by_region, KEY_REGION, regions), "trend": trend_rows,
            "返工状态": rework or {}}
