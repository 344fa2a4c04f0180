"""Reads of the campaign's record (领导点评, 公示反馈, 逐级审核) for dashboard.record_reports; scope and filters
come in as a SELECT of visible org ids (data.ledger_queries.visible_org_ids), so none can be forgotten."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from data.ledger_queries import expected_reports
from data.models import Approval, LeaderComment, Org, OrgClosure, Publication
from data.queries import chunks


def comments(session: Session, round_id: int, org_ids: Select, as_of: date, grade: str | None = None) -> list[tuple]:
    """(点评编号, 组织编码, 组织名称, 点评人, 点评日期, 点评等次, 点评意见, 问题编号) of the visible orgs' comments
    made by the as-of day, newest first."""
    c = LeaderComment
    query = (select(c.code, Org.code, Org.name, c.commenter, c.commented_on, c.grade, c.opinion, c.problem_codes)
             .join(Org, Org.id == c.org_id)
             .where(c.round_id == round_id, c.org_id.in_(org_ids), c.commented_on <= as_of)
             .order_by(c.commented_on.desc(), c.code))
    if grade:
        query = query.where(c.grade == grade)
    return [tuple(r) for r in session.execute(query)]


def org_ids_by_code(session: Session, codes: Iterable[str], org_ids: Select) -> dict[str, int]:
    """Ids of the given codes among the visible orgs (others are left out, never reported)."""
    found = {}
    codes = sorted(set(codes))
    for start in range(0, len(codes), 500):
        found.update(session.execute(select(Org.code, Org.id).where(
            Org.code.in_(codes[start:start + 500]), Org.id.in_(org_ids))).all())
    return found


def comment_counts(session: Session, round_id: int, unit_ids: Iterable[int], org_ids: Select,
                   as_of: date) -> dict[int, int]:
    """Per unit: the comments made by the as-of day on the unit or any visible org under it."""
    c = LeaderComment
    out: dict[int, int] = {}
    for part in chunks(sorted(set(unit_ids))):
        query = (select(OrgClosure.ancestor_id, func.count())
                 .join(c, c.org_id == OrgClosure.descendant_id)
                 .where(OrgClosure.ancestor_id.in_(part), c.round_id == round_id, c.org_id.in_(org_ids),
                        c.commented_on <= as_of)
                 .group_by(OrgClosure.ancestor_id))
        out.update(session.execute(query).all())
    return out


def publications(session: Session, round_id: int, unit_ids: Iterable[int]) -> dict[int, Publication]:
    found = {}
    for part in chunks(sorted(set(unit_ids))):
        for row in session.scalars(select(Publication).where(Publication.round_id == round_id,
                                                             Publication.org_id.in_(part))):
            found[row.org_id] = row
    return found


def approvals(session: Session, round_id: int, unit_ids: Iterable[int]) -> dict[int, Approval]:
    found = {}
    for part in chunks(sorted(set(unit_ids))):
        for row in session.scalars(select(Approval).where(Approval.round_id == round_id, Approval.org_id.in_(part))):
            found[row.org_id] = row
    return found


def reports_of(session: Session, round_id: int, unit_ids: Iterable[int]) -> dict[int, tuple]:
    """(first, latest) report time over each unit's subtree, for the units that have reported."""
    ids = sorted(set(unit_ids))
    out = {}
    for part in chunks(ids):
        codes = dict(session.execute(select(Org.code, Org.id).where(Org.id.in_(part))).all())
        for code, _n, _s, _r, first, latest in expected_reports(session, round_id, select(Org.id).where(Org.id.in_(part))):
            if first is not None:
                out[codes[code]] = (first, latest)
    return out
