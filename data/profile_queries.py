"""Reads of the 单位画像 and 薄弱排名 (docs/views.md) that the other query modules do not have: contact points in
an org's subtree, the orgs of one 组织类型, how many children an org has. Scope comes in as an org-id SELECT
built by data.queries from the caller's Scope, so none of these can reach past it."""
from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from data.models import Org, SupervisionGroup, SupervisionLink


def contact_point_ids(session: Session, round_id: int, org_ids: Select) -> set[int]:
    """The orgs of org_ids named a 联系点 by a 督导组 of the round (or of every round)."""
    stmt = (select(SupervisionLink.org_id).join(SupervisionGroup, SupervisionGroup.id == SupervisionLink.group_id)
            .where(SupervisionLink.is_contact_point.is_(True), SupervisionLink.org_id.in_(org_ids),
                   or_(SupervisionGroup.round_id.is_(None), SupervisionGroup.round_id == round_id)))
    return set(session.scalars(stmt))


def of_type(session: Session, org_ids: Select, org_type: str) -> set[int]:
    """The orgs of org_ids whose 组织类型 is org_type."""
    stmt = select(Org.id).where(Org.id.in_(org_ids), Org.org_type == org_type)
    return set(session.connection().execute(stmt).scalars())  # Core: 90,000 ids through the ORM took 0.2 s


def child_count(session: Session, org_id: int, org_ids: Select) -> int:
    return session.scalar(select(func.count()).select_from(Org).where(Org.parent_id == org_id,
                                                                      Org.id.in_(org_ids))) or 0

