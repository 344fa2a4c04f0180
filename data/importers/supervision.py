"""督导分组: supervision groups (leader from 督导组长) and the units / contact points they supervise."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from data.importers.base import OUT_OF_SCOPE, SheetContext, check_keys, fetch_by, fetch_by_tuple, upsert
from data.importers.normalise import yes_no
from data.importers.refs import resolve_orgs
from data.models import Round, SupervisionGroup, SupervisionLink


def _group_rounds(ctx: SheetContext) -> dict[str, int | None]:
    """The round each group works in (None: every round); the round must exist, one per group."""
    names = {row.number: ctx.get(row, "round") for row in ctx.rows}
    ids = dict(fetch_by(ctx.session, [Round.name, Round.id], Round.name, {n for n in names.values() if n}))
    rounds: dict[str, tuple[int | None, str, int]] = {}
    for row in ctx.rows:
        group, name = ctx.get(row, "group"), names[row.number]
        if not group:
            continue
        if name and name not in ids:
            ctx.col_error(row, "round", "未知的评议批次（请先导入评议批次）")
            continue
        first = rounds.setdefault(group, (ids.get(name), name or "", row.number))
        if first[1] != (name or ""):
            ctx.col_error(row, "round", f"同一督导组的评议批次与第 {first[2]} 行不一致")
    return {group: round_id for group, (round_id, _, _) in rounds.items()}


def import_sheet(ctx: SheetContext) -> None:
    if ctx.allowed_org_ids is not None:
        # A group's leader, units and contact points are everyone's: set by the admins (the supervising
        # office), never by one of the units the group supervises.
        for row in ctx.rows:
            ctx.col_error(row, "group", OUT_OF_SCOPE + "（督导分组只能由管理员导入）")
        return
    org_ids = resolve_orgs(ctx)
    leaders: dict[str, tuple[str, int]] = {}
    planned = {}
    for row, (group, _code) in check_keys(ctx, "group", "org_code"):
        contact = ctx.get(row, "is_contact_point", yes_no) or False
        leader = ctx.get(row, "leader")
        if leader:
            if group in leaders and leaders[group][0] != leader:
                ctx.col_error(row, "leader", f"同一督导组的组长与第 {leaders[group][1]} 行不一致")
            leaders.setdefault(group, (leader, row.number))
        if row.number in org_ids:
            planned[(group, org_ids[row.number])] = contact
    group_rounds = _group_rounds(ctx) if "round" in ctx.match.labels else {}
    if ctx.failed:
        return
    session = ctx.session
    groups = {g.name: g for g in session.execute(select(
        SupervisionGroup.id, SupervisionGroup.name, SupervisionGroup.leader, SupervisionGroup.round_id).where(
        SupervisionGroup.name.in_({g for g, _ in planned}))).all()}
    new = [dict(name=n, leader=leaders.get(n, (None,))[0], round_id=group_rounds.get(n))
           for n in {g for g, _ in planned} if n not in groups]
    if new:
        session.execute(insert(SupervisionGroup), new)
    # A file without the 评议批次 column leaves a group's round as it was; with it, a blank is every round.
    changed = [dict(id=g.id, leader=leaders[n][0] if n in leaders else g.leader,
                    round_id=group_rounds[n] if n in group_rounds else g.round_id)
               for n, g in groups.items()
               if (n in leaders and g.leader != leaders[n][0]) or (n in group_rounds and g.round_id != group_rounds[n])]
    if changed:
        session.execute(update(SupervisionGroup), changed)
    group_ids = dict(session.execute(select(SupervisionGroup.name, SupervisionGroup.id).where(
        SupervisionGroup.name.in_({g for g, _ in planned}))).all())
    links = {(group_ids[g], org): dict(group_id=group_ids[g], org_id=org, is_contact_point=contact)
             for (g, org), contact in planned.items()}
    existing = {(r.group_id, r.org_id): r for r in fetch_by_tuple(
        session, [SupervisionLink.id, SupervisionLink.group_id, SupervisionLink.org_id,
                  SupervisionLink.is_contact_point],
        [SupervisionLink.group_id, SupervisionLink.org_id], links)}
    upsert(ctx, SupervisionLink, links, existing, ("is_contact_point",))
    ctx.session.flush()
