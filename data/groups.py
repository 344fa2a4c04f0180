"""Which 督导组 a caller may open as a whole (督导工作台, the 情况通报 of a group): docs/roles.md, "督导组".

A group covers the subtrees of the orgs its 督导分组 rows name (units and contact points). A caller may open
it when it is one of the caller's own groups, when the caller sees everything, or when every org the group
covers lies within the caller's scope; then the group's own scope shows nothing the caller could not see.
"""
from __future__ import annotations

from sqlalchemy import literal, or_, select
from sqlalchemy.orm import Session, aliased

from domain.scope import Scope
from data.models import Org, OrgClosure, SupervisionGroup
from data.queries import NotFound, OutOfScope, chunks, visible_org_ids


def round_groups(session: Session, round_id: int) -> list[str]:
    """The groups of a round (those of that round and those of every round, 评议批次 blank), by name."""
    return list(session.scalars(
        select(SupervisionGroup.name)
        .where(or_(SupervisionGroup.round_id.is_(None), SupervisionGroup.round_id == round_id))
        .order_by(SupervisionGroup.name)))


def may_open(session: Session, scope: Scope, group: str) -> bool:
    """Whether the caller may see the whole of `group` (an existing group's name)."""
    if scope.everything or group in scope.groups:
        return True
    if scope.is_empty:
        return False
    covered = visible_org_ids(Scope(groups=frozenset({group}))).subquery()
    if session.scalar(select(literal(1)).select_from(covered).limit(1)) is None:
        return False  # a group with no org names nothing the caller could be shown
    outside = session.scalar(select(literal(1)).select_from(covered)
                             .where(covered.c.id.not_in(visible_org_ids(scope))).limit(1))
    return outside is None


def openable(session: Session, scope: Scope, round_id: int) -> list[str]:
    """The groups of the round the caller may open, by name (the workbench's group picker)."""
    return [g for g in round_groups(session, round_id) if may_open(session, scope, g)]


def group_scope(session: Session, scope: Scope, group: str) -> Scope:
    """The scope a group's pages are computed with: the group's own, when the caller may open it.

    An unknown group and one the caller may not open get the same answer (OutOfScope) unless the caller
    sees everything, so a name's existence is not disclosed; for those who see everything an unknown
    group is NotFound."""
    exists = session.scalar(select(SupervisionGroup.id).where(SupervisionGroup.name == group)) is not None
    if not exists and scope.everything:
        raise NotFound(f"未知督导组：{group}")
    if not exists or not may_open(session, scope, group):
        raise OutOfScope(f"无权查看督导组：{group}")
    return Scope(groups=frozenset({group}))


def subtree_codes(session: Session, codes: list[str]) -> dict[str, tuple[int, set[str]]]:
    """Each org code -> (its id, the codes of its whole subtree, itself included)."""
    if not codes:
        return {}
    root, below = aliased(Org), aliased(Org)
    out: dict[str, tuple[int, set[str]]] = {}
    for part in chunks(sorted(set(codes))):
        for root_id, root_code, code in session.execute(
                select(root.id, root.code, below.code).join(OrgClosure, OrgClosure.ancestor_id == root.id)
                .join(below, below.id == OrgClosure.descendant_id).where(root.code.in_(part))):
            out.setdefault(root_code, (root_id, set()))[1].add(code)
    return out
