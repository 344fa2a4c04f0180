"""Looking up what rows refer to (rounds, orgs, members), set-wise: one query per sheet, not per row."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select

from domain.rules import RuleProfile
from data.importers.base import SheetContext, fetch_by
from data.models import Member, Org, Round

DEFAULT_PROFILE = RuleProfile()


@dataclass
class RoundRef:
    name: str
    id: int | None  # None until a round that does not exist yet is created
    scale: str


def default_round_values(name: str) -> dict:
    p = DEFAULT_PROFILE
    return dict(name=name, scale=p.scale, redline_metric=p.redline_metric, redline=p.redline,
                min_sample=p.min_sample, confidence=p.confidence, warn_days=p.warn_days,
                working_days=p.working_days, weight_s=p.weight_s, weight_b=p.weight_b,
                weight_u=p.weight_u, anonymity_threshold=p.anonymity_threshold, contact_min=p.contact_min,
                contact_max=p.contact_max, publish_days=p.publish_days)


def resolve_rounds(ctx: SheetContext, key: str = "round") -> tuple[dict[int, RoundRef], dict[str, RoundRef]]:
    """Round of every row (row number -> ref); names not seen before become new rounds with the default
    profile, listed in ctx.created_rounds and only inserted by create_rounds()."""
    names = {}
    for row in ctx.rows:
        name = ctx.get(row, key, required=True)
        if name:
            names[row.number] = name
    known = {r.name: RoundRef(r.name, r.id, r.scale)
             for r in fetch_by(ctx.session, [Round.name, Round.id, Round.scale], Round.name, names.values())}
    refs: dict[str, RoundRef] = dict(known)
    for number, name in list(names.items()):
        if name not in refs and ctx.allowed_org_ids is not None:
            # A unit account cannot create rounds: a typo would otherwise start a new campaign.
            ctx.error(number, ctx.label(key), name, "未知的评议批次（本单位账号不能新建评议批次）")
            del names[number]
    for name in dict.fromkeys(names.values()):
        if name not in refs:
            refs[name] = RoundRef(name, None, DEFAULT_PROFILE.scale)
            ctx.created_rounds.append(name)
    return {number: refs[name] for number, name in names.items()}, refs


def create_rounds(ctx: SheetContext, refs: dict[str, RoundRef]) -> None:
    """Insert the rounds the sheet named for the first time and fill in their ids."""
    new = [ref for ref in refs.values() if ref.id is None]
    if not new:
        return
    ctx.session.execute(insert(Round), [default_round_values(ref.name) for ref in new])
    ids = dict(ctx.session.execute(select(Round.name, Round.id).where(
        Round.name.in_([ref.name for ref in new]))).all())
    for ref in new:
        ref.id = ids[ref.name]


def _coded_rows(ctx: SheetContext, key: str, required: bool = False) -> list[tuple]:
    """(row, code) of every row whose `key` cell holds a code, in sheet order."""
    coded = []
    for row in ctx.rows:
        code = ctx.get(row, key, required=required)
        if code:
            coded.append((row, code))
    return coded


def resolve_orgs(ctx: SheetContext, key: str = "org_code", required: bool = True) -> dict[int, int]:
    """Org id of every row (row number -> id); unknown codes and orgs outside the user's scope are errors."""
    coded = _coded_rows(ctx, key, required)
    ids = dict(fetch_by(ctx.session, [Org.code, Org.id], Org.code, [code for _, code in coded]))
    found = {}
    for row, code in coded:
        if code not in ids:
            ctx.not_found(row, key, "未知的组织编码")
        elif ctx.in_scope(row, key, ids[code]):
            found[row.number] = ids[code]
    return found


def resolve_members(ctx: SheetContext, org_ids: dict[int, int], key: str = "member_code") -> dict[int, int]:
    """Member id of every row that names one (row number -> id); the member must belong to the row's org."""
    coded = _coded_rows(ctx, key)
    members = {code: (mid, org_id) for code, mid, org_id in
               fetch_by(ctx.session, [Member.code, Member.id, Member.org_id], Member.code, [code for _, code in coded])}
    found = {}
    for row, code in coded:
        if code not in members:
            ctx.not_found(row, key, "未知的党员编号")
            continue
        member_id, member_org = members[code]
        if not ctx.in_scope(row, key, member_org):
            continue
        if row.number in org_ids and org_ids[row.number] != member_org:
            ctx.col_error(row, key, "该党员不属于本行的组织")
            continue
        found[row.number] = member_id
    return found

