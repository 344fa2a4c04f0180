"""The campaign's record (docs/views.md): the 领导点评 view, and per-unit facts other lists join — 领导点评数,
公示状态 (with its 待办 when overdue) and 审核状态. Every function takes (session, request) like the other
reports; the per-unit ones also take the unit codes of the list being shown and answer only for those the
caller may see."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from sqlalchemy.orm import Session

from domain import record
from domain.request import Request, ViewFilter
from domain.tables import DATE, INT, VIEW_TITLES, Column, ReportTable
from data import approvals as approval_data
from data import ledger_queries as lq
from data import queries
from data import record_queries as rq

VIEW_FILTERS = {"comments": (ViewFilter("grade", "点评等次", record.COMMENT_GRADES),)}
COMMENT_COLUMNS = [Column("点评编号"), Column("组织编码"), Column("组织名称"), Column("点评人"), Column("点评日期", DATE),
                   Column("点评等次"), Column("点评意见"), Column("问题编号"), Column("关联问题数", INT)]
WEAK_GRADES = ("一般", "差")


def comments(session: Session, request: Request) -> ReportTable:
    """领导点评: the visible orgs' comments made by the as-of day, newest first; 一般 and 差 marked red.
    Extra filter: grade (点评等次)."""
    rnd = queries.find_round(session, request.filters.round)
    visible = lq.visible_org_ids(session, request.scope, request.filters)
    rows = []
    for code, org_code, org_name, who, day, grade, opinion, problems in rq.comments(
            session, rnd.id, visible, request.as_of, request.option("grade")):
        linked = problems.split("、") if problems else []
        rows.append([code, org_code, org_name, who, day, grade, opinion, problems, len(linked)])
    graded = sum(1 for r in rows if r[5])
    notes = [f"点评 {len(rows)} 条，其中评定等次 {graded} 条；问题编号为点评提出、已录入整改台账的问题"]
    return ReportTable(view="comments", title=f"{VIEW_TITLES['comments']} · {rnd.name}", columns=COMMENT_COLUMNS,
                       rows=rows, filters=request.filters, as_of=request.as_of, scope=request.scope.describe(),
                       red_rows={i for i, r in enumerate(rows) if r[5] in WEAK_GRADES}, notes=notes)


def _units(session: Session, request: Request, codes: Iterable[str]):
    rnd = queries.find_round(session, request.filters.round)
    visible = queries.visible_org_ids(request.scope)  # the caller's scope; the list decides which units
    return rnd, visible, rq.org_ids_by_code(session, codes, visible)


def comment_counts(session: Session, request: Request, codes: Iterable[str]) -> dict[str, int]:
    """领导点评数 of each unit (its own and its subtree's comments the caller may see, made by the as-of day),
    by unit code; 0 for a visible unit without any, nothing for a code the caller may not see."""
    rnd, visible, ids = _units(session, request, codes)
    counts = rq.comment_counts(session, rnd.id, ids.values(), visible, request.as_of)
    return {code: counts.get(org_id, 0) for code, org_id in ids.items()}


@dataclass(frozen=True)
class Publicity:
    status: str  # 未公示 / 已公示 / 已反馈 (domain.record)
    published_on: date | None
    method: str | None
    feedback_on: date | None
    feedback_to: str | None
    due: date | None  # the last day to publish: the round's end + its 公示期限
    overdue: bool  # a 待办: not published by the due day

    @property
    def todo(self) -> str | None:
        """The 待办 line of a unit list, or None."""
        return f"结果未公示（应于 {self.due.isoformat()} 前公示）" if self.overdue and self.due else None


def publication_status(session: Session, request: Request, codes: Iterable[str]) -> dict[str, Publicity]:
    """公示状态 of each unit on the as-of day, by unit code, with its 待办 flag (docs/metrics.md): results not
    published more than the round's 公示期限 days after its end."""
    rnd, _visible, ids = _units(session, request, codes)
    stored = rq.publications(session, rnd.id, ids.values())
    out = {}
    for code, org_id in ids.items():
        p = stored.get(org_id)
        published = p.published_on if p and p.published_on and p.published_on <= request.as_of else None
        fed_back = p.feedback_on if p and p.feedback_on and p.feedback_on <= request.as_of else None
        status = record.publication_status(published, fed_back, request.as_of)
        out[code] = Publicity(status, published, p.method if published else None, fed_back,
                              p.feedback_to if fed_back else None, record.publish_due(rnd.end_date, rnd.publish_days),
                              record.publish_overdue(status, rnd.end_date, rnd.publish_days, request.as_of))
    return out


def approval_status(session: Session, request: Request, codes: Iterable[str]) -> dict[str, approval_data.ApprovalInfo]:
    """审核状态 of each unit now (审核 is not reproduced as of a past day), by unit code."""
    rnd, _visible, ids = _units(session, request, codes)
    stored = rq.approvals(session, rnd.id, ids.values())
    reported = rq.reports_of(session, rnd.id, ids.values())
    return {code: approval_data.describe(stored.get(org_id), org_id in reported,
                                         reported.get(org_id, (None, None))[1])
            for code, org_id in ids.items()}
