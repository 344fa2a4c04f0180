"""Pre-aggregates kept current by every import, so that a drill-down never scans raw tallies.

- org_closure: every (ancestor, descendant) pair of the org tree, rebuilt when orgs change.
- rollup_headline: per (round, org) the org's own headline counts — its 总体评价 item where the org has
  answers on it, otherwise all its items pooled (docs/metrics.md) — with system and 市/州 copied in.
- rollup_subtree: per (round, org) the sum of headline counts over the org's subtree (pooled, never
  averaged).
All three are rebuilt with set-based SQL inside the caller's transaction, so an import and its rollups
commit together or not at all.
"""
from __future__ import annotations

import uuid
from typing import Iterable

from sqlalchemy import and_, case, delete, exists, func, insert, literal, select, text, tuple_, update
from sqlalchemy.orm import Session, aliased

from domain.rules import RECHECK
from data.models import (
    COUNT_COLUMNS,
    DataVersion,
    Item,
    Org,
    OrgClosure,
    Region,
    RollupHeadline,
    RollupSubtree,
    Round,
    Tally,
)


def rebuild_closure(session: Session) -> None:
    """Recompute org_closure, orgs.depth and orgs.is_leaf from the parent links (one pass per level)."""
    session.execute(delete(OrgClosure))
    session.execute(insert(OrgClosure).from_select(
        ["ancestor_id", "descendant_id", "depth"], select(Org.id, Org.id, literal(0))))
    level = 0
    while True:
        session.execute(insert(OrgClosure).from_select(
            ["ancestor_id", "descendant_id", "depth"],
            select(OrgClosure.ancestor_id, Org.id, literal(level + 1))
            .join(Org, Org.parent_id == OrgClosure.descendant_id)
            .where(OrgClosure.depth == level),
        ))
        # rowcount of INSERT … SELECT is -1 under psycopg, so ask the table instead.
        if not session.scalar(select(func.count()).where(OrgClosure.depth == level + 1)):
            break
        level += 1
        if level > 100:  # importers reject cycles; this only guards against a corrupt table
            raise RuntimeError("org tree deeper than 100 levels: a cycle in 上级组织?")
    depth = (select(func.max(OrgClosure.depth)).where(OrgClosure.descendant_id == Org.id)
             .scalar_subquery())
    child = aliased(Org)
    has_child = exists().where(child.parent_id == Org.id)
    session.execute(update(Org).values(depth=depth, is_leaf=~has_child))
    if session.get_bind().dialect.name == "postgresql":
        # The table was written anew: with the old statistics the planner guessed thousands of ancestors per
        # org and read a whole system's orgs for one breadcrumb (8 ms instead of 0.1 at province scale).
        session.execute(text("ANALYZE org_closure"))


def _count_sums(model) -> list:
    return [func.coalesce(func.sum(getattr(model, c)), 0) for c in COUNT_COLUMNS]


def mark_current(session: Session, round_ids: list[int]) -> None:
    """Tally.current: an org with 复评 rows in a round stands by them, its 首评 rows stay for the record. Only the
    few orgs with a 复评 are touched (rows are written current)."""
    redone = session.execute(select(Tally.round_id, Tally.org_id).where(
        Tally.round_id.in_(round_ids), Tally.phase == RECHECK).distinct()).all()
    for part in (redone[i:i + 300] for i in range(0, len(redone), 300)):
        session.execute(update(Tally).where(tuple_(Tally.round_id, Tally.org_id).in_(part))
                        .values(current=Tally.phase == RECHECK))


def rebuild_rollups(session: Session, round_ids: Iterable[int] | None = None) -> None:
    """Recompute rollup_headline and rollup_subtree for the given rounds (all rounds when None)."""
    if round_ids is None:
        round_ids = session.scalars(select(Round.id)).all()
    round_ids = list(round_ids)
    if not round_ids:
        return
    mark_current(session, round_ids)
    session.execute(delete(RollupSubtree).where(RollupSubtree.round_id.in_(round_ids)))
    session.execute(delete(RollupHeadline).where(RollupHeadline.round_id.in_(round_ids)))

    # Headline answers: the org's own tallies (not its members'), the overall item where it has one.
    # One grouped pass: per (round, org) whether any own tally is on an overall item, the sums over those,
    # and the sums over all items (a correlated EXISTS per tally cost seconds at province scale).
    is_overall = case((Item.is_overall.is_(True), 1), else_=0)
    has_overall = func.max(is_overall) == 1
    own_sums = (
        select(Tally.round_id, Tally.org_id,
               *[case((has_overall, func.sum(case((Item.is_overall.is_(True), getattr(Tally, c)), else_=0))),
                      else_=func.sum(getattr(Tally, c))).label(c) for c in COUNT_COLUMNS])
        .join(Item, Item.id == Tally.item_id)
        .where(Tally.round_id.in_(round_ids), Tally.member_key == 0, Tally.current)
        .group_by(Tally.round_id, Tally.org_id)
        .subquery()
    )
    # Every org with any accepted tally in the round gets a row (members' tallies count as reporting).
    reported = (
        select(Tally.round_id, Tally.org_id,
               func.min(Tally.first_reported_at).label("first"),
               func.max(Tally.updated_at).label("latest"),
               func.max(Tally.first_reported_at).label("last_row"))
        .where(Tally.round_id.in_(round_ids))
        .group_by(Tally.round_id, Tally.org_id)
        .subquery()
    )
    headline = (
        select(reported.c.round_id, reported.c.org_id, Org.system_id, Region.l2_code,
               reported.c.first, reported.c.latest, reported.c.last_row,
               *[func.coalesce(own_sums.c[c], 0) for c in COUNT_COLUMNS])
        .join(Org, Org.id == reported.c.org_id)
        .join(Region, Region.id == Org.region_id)
        .outerjoin(own_sums, and_(own_sums.c.round_id == reported.c.round_id,
                                  own_sums.c.org_id == reported.c.org_id))
    )
    session.execute(insert(RollupHeadline).from_select(
        ["round_id", "org_id", "system_id", "region_l2", "first_reported_at", "latest_reported_at",
         "last_row_reported_at", *COUNT_COLUMNS], headline))

    subtree = (
        select(RollupHeadline.round_id, OrgClosure.ancestor_id, *_count_sums(RollupHeadline))
        .join(OrgClosure, OrgClosure.descendant_id == RollupHeadline.org_id)
        .where(RollupHeadline.round_id.in_(round_ids))
        .group_by(RollupHeadline.round_id, OrgClosure.ancestor_id)
    )
    session.execute(insert(RollupSubtree).from_select(["round_id", "org_id", *COUNT_COLUMNS], subtree))
    bump_version(session)


def bump_version(session: Session) -> None:
    """Mark the data as changed (data.cache.data_fingerprint reads the token)."""
    row = session.get(DataVersion, 1)
    if row is None:
        session.add(DataVersion(id=1, token=uuid.uuid4().hex))
    else:
        row.token = uuid.uuid4().hex
    session.flush()


def refresh_after_org_change(session: Session) -> None:
    """The tree changed: closure first, then every round's rollups (subtrees moved)."""
    rebuild_closure(session)
    rebuild_rollups(session)
