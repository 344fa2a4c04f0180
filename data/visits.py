"""督导走访记录: a supervisor's visit to a contact point, checked and written with its audit line.

The caller hands in which groups the user may record for (None = every group, for admins) and today's date;
everything the browser sent is checked again here, so a forged form cannot write outside the user's groups.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import Select, or_, select, true
from sqlalchemy.orm import Session

from data import audit
from data.rollups import bump_version
from data.models import Org, SupervisionGroup, SupervisionLink, Visit
from data.queries import NotFound
from domain.names import required_text

MAX_TEXT = 2000  # a paragraph or two; longer notes belong in an attached report, not a table cell


class VisitError(ValueError):
    """A visit that cannot be recorded; the message is for the user."""


@dataclass(frozen=True)
class ContactPoint:
    group: str
    code: str
    name: str


def _of_round(round_id: int | None):
    """The groups working in the round: those of that round and those of every round (no round); all when
    round_id is None."""
    if round_id is None:
        return true()
    return or_(SupervisionGroup.round_id.is_(None), SupervisionGroup.round_id == round_id)


def contact_points(session: Session, groups: Iterable[str] | None, round_id: int | None = None
                   ) -> list[ContactPoint]:
    """The contact points of `groups` (None = every group) working in the round, by group then code: the
    form's choices."""
    query = (select(SupervisionGroup.name, Org.code, Org.name)
             .join(SupervisionLink, SupervisionLink.group_id == SupervisionGroup.id)
             .join(Org, Org.id == SupervisionLink.org_id)
             .where(SupervisionLink.is_contact_point.is_(True), _of_round(round_id))
             .order_by(SupervisionGroup.name, Org.code))
    if groups is not None:
        query = query.where(SupervisionGroup.name.in_(sorted(set(groups))))
    return [ContactPoint(*row) for row in session.execute(query)]


def group_names(session: Session, org_ids: Select | None = None, round_id: int | None = None) -> list[str]:
    """Groups working in the round (round_id None: any) with a unit or contact point among org_ids (None =
    every group), by name."""
    query = select(SupervisionGroup.name).where(_of_round(round_id)).order_by(SupervisionGroup.name)
    if org_ids is not None:
        query = query.where(SupervisionGroup.id.in_(
            select(SupervisionLink.group_id).where(SupervisionLink.org_id.in_(org_ids))))
    return list(session.scalars(query))


def _text(value: str | None, label: str) -> str:
    try:
        return required_text(value, label, MAX_TEXT)
    except ValueError as err:
        raise VisitError(str(err)) from None


def _day(value: str | date | None, today: date) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat((value or "").strip())
        except ValueError:
            raise VisitError("请填写走访日期（格式 YYYY-MM-DD）") from None
    if day > today:
        raise VisitError(f"走访日期 {day.isoformat()} 晚于今天（{today.isoformat()}），不能登记未来的走访")
    return day


def record_visit(session: Session, *, group: str | None, org_code: str | None, visited_on: str | date | None,
                 findings: str | None, follow_up: str | None, recorded_by: str, allowed_groups: Iterable[str] | None,
                 today: date, username: str | None = None, address: str | None = None,
                 now: datetime | None = None) -> Visit:
    """Check and add one visit plus its audit line to `session` (the caller commits both or neither).

    recorded_by: the name shown as 记录人; username: the account named in the audit log (default recorded_by).
    allowed_groups: the groups the user may record for; None means every group (admin).
    Raises VisitError with a message for the user; nothing is added then.
    """
    group, org_code = (group or "").strip(), (org_code or "").strip()
    if not group or not org_code:
        raise VisitError("请选择联系点")
    if allowed_groups is not None and group not in set(allowed_groups):
        raise VisitError(f"您不能为督导组“{group}”登记走访：只能登记本督导组的联系点")
    day = _day(visited_on, today)
    findings = _text(findings, "发现问题")
    follow_up = _text(follow_up, "跟进事项")
    link = session.execute(
        select(SupervisionGroup.id, Org.id, Org.name)
        .join(SupervisionLink, SupervisionLink.group_id == SupervisionGroup.id)
        .join(Org, Org.id == SupervisionLink.org_id)
        .where(SupervisionGroup.name == group, Org.code == org_code, SupervisionLink.is_contact_point.is_(True))
    ).first()
    if link is None:
        raise VisitError(f"组织 {org_code} 不是督导组“{group}”的联系点")
    group_id, org_id, org_name = link
    visit = Visit(group_id=group_id, org_id=org_id, visited_on=day, findings=findings, follow_up=follow_up,
                  recorded_by=recorded_by, recorded_at=now or datetime.now())
    session.add(visit)
    bump_version(session)  # the visit log and the board are kept per data version (data.cache): show it at once
    audit.record(session, "visit", username or recorded_by,
                 f"{group}；联系点 {org_code} {org_name}；走访日期 {day.isoformat()}", address, at=now)
    return visit


@dataclass(frozen=True)
class VisitRow:
    group: str
    org_id: int
    visited_on: date
    findings: str
    follow_up: str
    recorded_by: str
    recorded_at: datetime | None


def visits(session: Session, org_ids: Select, group: str | None, until: date) -> list[VisitRow]:
    """Visits to orgs in org_ids (the caller's scope and filters) made on or before `until`, newest first."""
    query = (select(SupervisionGroup.name, Visit.org_id, Visit.visited_on, Visit.findings, Visit.follow_up,
                    Visit.recorded_by, Visit.recorded_at)
             .join(SupervisionGroup, SupervisionGroup.id == Visit.group_id)
             .where(Visit.org_id.in_(org_ids), Visit.visited_on <= until)
             .order_by(Visit.visited_on.desc(), Visit.id.desc()))
    if group:
        if session.scalar(select(SupervisionGroup.id).where(SupervisionGroup.name == group)) is None:
            raise NotFound(f"未知督导组: {group}")
        query = query.where(SupervisionGroup.name == group)
    return [VisitRow(*row) for row in session.execute(query)]
