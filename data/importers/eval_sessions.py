"""测评场次: one 测评会 per (round, org, 测评对象) with its ballot counts."""
from __future__ import annotations

from data.importers.base import SheetContext, check_keys, fetch_by_tuple, upsert
from data.importers.normalise import parse_date, parse_optional_count, text
from data.importers.refs import create_rounds, resolve_orgs, resolve_rounds
from data.models import EvalSession

TARGETS = ("党组织", "领导班子", "党员")
COUNTS = ("expected", "issued", "returned", "valid")


def import_sheet(ctx: SheetContext) -> None:
    rounds, refs = resolve_rounds(ctx)
    org_ids = resolve_orgs(ctx)
    for row in ctx.rows:  # a blank 测评对象 means the org itself
        if not text(row.cells.get("target", "")):
            row.cells["target"] = "党组织"
    planned = {}
    for row, (_r, _o, target) in check_keys(ctx, "round", "org_code", "target"):
        if target not in TARGETS:
            ctx.col_error(row, "target", "应为 党组织/领导班子/党员 之一")
            continue
        values = {k: ctx.get(row, k, parse_optional_count) for k in COUNTS}
        values["held_on"] = ctx.get(row, "held_on", parse_date)
        if values["valid"] is not None and values["returned"] is not None and values["valid"] > values["returned"]:
            ctx.col_error(row, "valid", "有效份数大于收回份数")
        if row.number in rounds and row.number in org_ids:
            planned[(rounds[row.number].name, org_ids[row.number], target)] = values
    if ctx.failed:
        return
    create_rounds(ctx, refs)
    rows = {(refs[r].id, org, target): dict(round_id=refs[r].id, org_id=org, target=target, imported_at=ctx.now, **values)
            for (r, org, target), values in planned.items()}
    existing = {(s.round_id, s.org_id, s.target): s for s in fetch_by_tuple(
        ctx.session, [EvalSession.id, EvalSession.round_id, EvalSession.org_id, EvalSession.target,
                      EvalSession.expected, EvalSession.issued, EvalSession.returned, EvalSession.valid,
                      EvalSession.held_on],
        [EvalSession.round_id, EvalSession.org_id, EvalSession.target], rows)}
    upsert(ctx, EvalSession, rows, existing, (*COUNTS, "held_on"))
    ctx.session.flush()
