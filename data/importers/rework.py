"""返工补课: the supervising office's order (认定) that an org redo its evaluation, keyed by 评议批次 + 组织编码.
The org's 复评 rows (测评汇总 / 原始测评表 with 测评轮次 复评) then stand for its figures (docs/import-templates.md)."""
from __future__ import annotations

from data.importers.base import SheetContext, check_keys, fetch_by_tuple, upsert
from data.importers.normalise import parse_date
from data.importers.refs import resolve_orgs
from data.models import ReworkOrder, Round

FIELDS = ("ordered_on", "office", "doc_no", "recheck_due", "note")


def import_sheet(ctx: SheetContext) -> None:
    org_ids = resolve_orgs(ctx)
    known = dict(ctx.session.query(Round.name, Round.id).filter(
        Round.name.in_({ctx.get(row, "round") for row in ctx.rows} - {None, ""})).all())
    planned = {}
    for row, (round_name, _code) in check_keys(ctx, "round", "org_code"):
        values = dict(ordered_on=ctx.get(row, "ordered_on", parse_date, required=True),
                      office=ctx.get(row, "office") or None, doc_no=ctx.get(row, "doc_no") or None,
                      recheck_due=ctx.get(row, "recheck_due", parse_date), note=ctx.get(row, "note") or None)
        if round_name not in known:
            ctx.col_error(row, "round", "未知的评议批次（请先导入评议批次）")
            continue
        if values["ordered_on"] and values["recheck_due"] and values["recheck_due"] < values["ordered_on"]:
            ctx.col_error(row, "recheck_due", "复评截止日期早于认定日期")
        if row.number in org_ids:
            key = (known[round_name], org_ids[row.number])
            planned[key] = dict(round_id=key[0], org_id=key[1], recorded_by=ctx.username, **values)
    if ctx.failed:
        return
    r = ReworkOrder
    existing = {(e.round_id, e.org_id): e for e in fetch_by_tuple(
        ctx.session, [r.id, r.round_id, r.org_id, *[getattr(r, f) for f in FIELDS]], [r.round_id, r.org_id], planned)}
    upsert(ctx, ReworkOrder, planned, existing, FIELDS)
    ctx.session.flush()
