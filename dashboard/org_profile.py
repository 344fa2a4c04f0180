"""单位画像 (docs/views.md): one org's own figures — each as the drill-down and the ledgers count them for
that org (its subtree within the caller's scope) — its trend over the rounds of the same kind, and its
sub-orgs or evaluated members.

An org outside the caller's scope is answered exactly like an unknown one (NotFound), so the profile does
not tell a hidden org from a missing code. A caller who names no org gets the first org of its own scope
(a unit user lands on its own org)."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import Session

from dashboard import ledger_reports, record_reports, reports
from data import profile_queries as pq
from data import queries as q
from domain import metrics, record
from domain.names import round_kind
from domain.request import Request
from domain.rules import Counts, RuleProfile, bucketize
from domain.scope import Scope
from domain.tables import DATE, DECIMAL, INT, PERCENT, Column, Filters, ReportTable

NO_REWORK_ITEM = "低于红线无整改"  # below the line (确认低于/疑似低于) and not one rectification registered
YES, NO = "是", "否"
CHILDREN_TITLE = "单位画像"


def own_org(scope: Scope) -> str | None:
    """The org a caller without an `org` parameter sees: the first org of its own grants."""
    return min(scope.org_codes) if scope.org_codes and not scope.everything else None


def org_node(session: Session, request: Request) -> tuple[q.Node, RuleProfile, object]:
    """(node of the org, the round's rules, SELECT of the org's subtree within the scope)."""
    code = request.filters.org or own_org(request.scope)
    if not code:
        raise reports.BadParameter("单位画像需要组织编码（org）")
    try:
        node = q.resolve(session, Filters(round=request.filters.round, org=code), request.scope)
    except q.OutOfScope:
        raise q.NotFound(f"未找到组织编码：{code}") from None  # the same answer as an unknown code
    return node, RuleProfile.from_record(node.round), q.filter_org_ids(request.scope, node)


def _own_request(request: Request, node: q.Node) -> Request:
    """The request of the org's own ledgers (no other page's filters)."""
    return replace(request, filters=Filters(round=node.round.name, org=node.org.code), options=())


def metric_label(profile: RuleProfile) -> str:
    return profile.rate_label(profile.redline_metric)


def profile(session: Session, request: Request) -> ReportTable:
    """One row: the org's figures (docs/views.md lists the columns)."""
    node, rules, org_ids = org_node(session, request)
    org, rid, as_of, scope = node.org, node.round.id, request.as_of, request.scope
    counts = q.headline_counts(session, rid, org_ids).get(0, Counts())
    pledges = metrics.pledge_summary(metrics.pledge_state(due, status, done, as_of)
                                     for _, due, status, done in q.pledge_rows(session, rid, org_ids))
    rects = reports._rect_totals(reports._rect_states(q.rect_rows(session, rid, org_ids), as_of, rules).get(0, []))
    # The drill-down's own cells, so the profile cannot count differently from the row of the org there.
    values, verdict = reports._metric_values(counts, rules, pledges, rects)
    cell = dict(zip((c.name for c in reports._metric_columns(rules)), values))
    red = metrics.redline(bucketize(counts, rules), rules)
    found = {org.id: (counts, red)} if verdict in metrics.CANDIDATE_VERDICTS else {}
    rework = reports._rework(session, node, rules, org_ids, as_of, found).get(org.id)
    own = _own_request(request, node)
    visits = ledger_reports.visits(session, own)
    points = q.org_codes_names(session, pq.contact_point_ids(session, rid, org_ids))
    visited = {row[1] for row in visits.rows}
    reporting = ledger_reports.reporting(session, own)
    status_text, expected, completeness = _reporting(org.code, [row[4] for row in reporting.rows],
                                                     {row[0]: row[4] for row in reporting.rows})
    parent = q.ancestors_of(session, org, scope)[-1:]
    members = (sum(1 for m in q.member_counts(session, rid, org.id, scope) if bucketize(m.counts, rules).n)
               if org.is_leaf else None)
    label = metric_label(rules)
    row = {"组织编码": org.code, "名称": org.name, "组织类型": org.org_type, "系统": org.system.name,
           "地区": org.region.name, "上级组织": parent[0].name if parent else None,
           "测评数": cell["测评数"], label: red.value, "置信下限": red.low, "置信上限": red.high, "红线判定": verdict,
           "返工状态": rework[0] if rework else None,
           **{k: cell[k] for k in ("整改问题数", "整改措施数", "整改完成率", "超期整改", "到期承诺", "承诺兑现率", "逾期未兑现")},
           "联系点数": len(points), "走访次数": len(visits.rows),
           "未走访联系点数": sum(1 for code, _ in points.values() if code not in visited),
           "最近走访日期": visits.rows[0][3] if visits.rows else None,
           "上报状态": status_text, "应上报组织数": expected, "上报完整率": completeness,
           **_record(session, own, org.code),
           NO_REWORK_ITEM: YES if verdict in metrics.CANDIDATE_VERDICTS and not cell["整改措施数"] else NO,
           "下级组织数": pq.child_count(session, org.id, org_ids), "参评党员数": members}
    fmt = DECIMAL if rules.redline_metric == "测评得分" else PERCENT
    formats = {"测评数": INT, label: fmt, "置信下限": fmt, "置信上限": fmt, "整改问题数": INT, "整改措施数": INT,
               "整改完成率": PERCENT, "超期整改": INT, "到期承诺": INT, "承诺兑现率": PERCENT, "逾期未兑现": INT,
               "联系点数": INT, "走访次数": INT, "未走访联系点数": INT, "最近走访日期": DATE, "应上报组织数": INT,
               "上报完整率": PERCENT, "下级组织数": INT, "参评党员数": INT, "公示日期": DATE, "反馈日期": DATE,
               "公示截止日期": DATE, "领导点评数": INT}
    columns = [Column(name, formats.get(name, "text")) for name in row]
    notes = ["各项数字为本组织及其下级组织（在您的查看范围内）的合计，与下钻表中该组织一行相同。"]
    red_rows = {0} if verdict == metrics.CONFIRMED_BELOW or row[NO_REWORK_ITEM] == YES else set()
    return reports._table("profile", node, columns, [list(row.values())], own, red_rows=red_rows, notes=notes)


def _record(session: Session, own: Request, code: str) -> dict:
    """The org's 审核状态 (now), 公示状态 (as of the day, 逾期未公示 past its due day) and 领导点评数, as the
    上报进度 and 领导点评 pages show them for the same org."""
    approval = record_reports.approval_status(session, own, [code])[code]
    pub = record_reports.publication_status(session, own, [code])[code]
    return {"审核状态": approval.state, "审核人": approval.acted_by, "审核时间": ledger_reports._fmt_time(approval.acted_at),
            "退回原因": approval.reason if approval.state == record.RETURNED else None,
            "公示状态": record.shown_status(pub.status, pub.overdue), "公示日期": pub.published_on, "公示方式": pub.method,
            "反馈日期": pub.feedback_on, "反馈对象": pub.feedback_to, "公示截止日期": pub.due,
            "领导点评数": record_reports.comment_counts(session, own, [code])[code]}


def _reporting(code: str, statuses: list[str], by_code: dict[str, str]) -> tuple[str | None, int, float | None]:
    """(上报状态, expected orgs, 上报完整率): the org's own status when it is expected to report itself,
    else how many of the expected orgs below it have reported."""
    done = sum(1 for s in statuses if s != metrics.MISSING)
    rate = metrics.ratio(done, len(statuses))
    if code in by_code:
        return by_code[code], len(statuses), rate
    if not statuses:
        return None, 0, None
    late = sum(1 for s in statuses if s == metrics.REPORTED_LATE)
    return f"{metrics.REPORTED} {done}/{len(statuses)}（{metrics.REPORTED_LATE} {late}）", len(statuses), rate


def trend(session: Session, request: Request) -> dict:
    """The org's red-line metric, interval and N in every round of the same kind as the chosen one."""
    node, rules, org_ids = org_node(session, request)
    kind, points = round_kind(node.round.name), []
    for rnd in q.rounds(session):
        if round_kind(rnd.name) != kind:
            continue
        profile = RuleProfile.from_record(rnd)
        red = metrics.redline(bucketize(q.headline_counts(session, rnd.id, org_ids).get(0, Counts()), profile), profile)
        points.append({"round": rnd.name, "n": red.n, "value": red.value, "low": red.low, "high": red.high,
                       "verdict": red.verdict, "redline": profile.redline, "current": rnd.id == node.round.id})
    return {"org": node.org.code, "name": node.org.name, "metric": metric_label(rules),
            "percent": rules.redline_metric != "测评得分", "points": points}


def children(session: Session, request: Request) -> ReportTable:
    """The org's sub-orgs (the drill-down's rows one level down), or at a leaf its members who were
    evaluated in the round (a member with no answers is left out, not shown as a row of zeros)."""
    node, _, _ = org_node(session, request)
    table = reports.drilldown(session, _own_request(request, node))
    if table.columns[0].name == reports.KEY_MEMBER:
        n = table.headers.index("测评数")
        keep = [i for i, row in enumerate(table.rows) if row[n]]
        table = replace(table, rows=[table.rows[i] for i in keep],
                        red_rows={j for j, i in enumerate(keep) if i in table.red_rows},
                        notes=["只列出本批次参加测评的党员。", *table.notes])
    return replace(table, view="profile-children", title=table.title.replace("下钻", CHILDREN_TITLE, 1))
