"""承诺台账 and 整改台账: pledges and rectifications, keyed by 承诺编号 / 问题编号."""
from __future__ import annotations

from domain.rules import KNOWN_SOURCES
from data.importers.base import OUT_OF_SCOPE, SheetContext, check_keys, fetch_by, fetch_by_tuple, upsert
from data.importers.normalise import CellError, parse_date, parse_optional_count
from data.importers.refs import create_rounds, resolve_members, resolve_orgs, resolve_rounds
from data.models import Pledge, Rectification

PLEDGE_STATUSES = ("未启动", "推进中", "已兑现")
RECT_STATUSES = ("未启动", "整改中", "已完成", "已销号")
SOURCES = KNOWN_SOURCES  # offered as choices; any other 问题来源 is kept as written


def import_pledges(ctx: SheetContext) -> None:
    rounds, refs = resolve_rounds(ctx)
    org_ids = resolve_orgs(ctx)
    member_ids = resolve_members(ctx, org_ids)
    planned = {}
    for row, code in check_keys(ctx, "pledge_code"):
        values = dict(code=code, content=ctx.get(row, "content", required=True),
                      due_date=ctx.get(row, "due_date", parse_date, required=True),
                      status=ctx.choice(row, "status", PLEDGE_STATUSES, required=True),
                      fulfilled_date=ctx.get(row, "fulfilled_date", parse_date),
                      member_id=member_ids.get(row.number))
        if values["status"] == "已兑现" and values["fulfilled_date"] is None and not ctx.get(row, "fulfilled_date"):
            ctx.col_error(row, "fulfilled_date", "状态为已兑现但未填兑现日期")
        if row.number in rounds and row.number in org_ids:
            planned[code] = (rounds[row.number], values | {"org_id": org_ids[row.number]})
    if ctx.failed:
        return
    create_rounds(ctx, refs)
    rows = {code: values | {"round_id": ref.id} for code, (ref, values) in planned.items()}
    fields = ("round_id", "org_id", "member_id", "content", "due_date", "status", "fulfilled_date")
    existing = {r.code: r for r in fetch_by(ctx.session, [Pledge.id, Pledge.code] + [getattr(Pledge, f) for f in fields],
                                            Pledge.code, rows)}
    if not _existing_in_scope(ctx, existing, "pledge_code"):
        return
    upsert(ctx, Pledge, rows, existing, fields)
    ctx.session.flush()


def _measure_no(raw: object) -> int:
    """措施编号: a whole number from 1; blank is 1 (a problem with one measure)."""
    number = parse_optional_count(raw)
    if number == 0:
        raise CellError("措施编号应为从 1 起的整数")
    return number or 1


def import_rectifications(ctx: SheetContext) -> None:
    """Rows keyed by 评议批次 + 问题编号 + 措施编号: one problem may have several measures (docs/import-templates.md)."""
    rounds, refs = resolve_rounds(ctx)
    org_ids = resolve_orgs(ctx)
    planned, problem_orgs, seen = {}, {}, {}
    for row in ctx.rows:
        code = ctx.get(row, "issue_code", required=True)
        measure_no = ctx.get(row, "measure_no", _measure_no)
        values = dict(code=code, measure_no=measure_no, source=ctx.get(row, "source") or None,
                      description=ctx.get(row, "description", required=True),
                      measure=ctx.get(row, "measure") or None, owner=ctx.get(row, "owner") or None,
                      registered_date=ctx.get(row, "registered_date", parse_date, required=True),
                      deadline=ctx.get(row, "deadline", parse_date, required=True),
                      status=ctx.choice(row, "status", RECT_STATUSES, required=True),
                      completed_date=ctx.get(row, "completed_date", parse_date),
                      closed_date=ctx.get(row, "closed_date", parse_date),
                      evidence=ctx.get(row, "evidence") or None)
        _check_rect_dates(ctx, row, values)
        if not code or row.number not in rounds or row.number not in org_ids or measure_no is None:
            continue
        ref, org_id = rounds[row.number], org_ids[row.number]
        key = (ref.name, code, measure_no)
        if not ctx.check_duplicates(seen, key, row, "+".join(map(ctx.label, ("round", "issue_code", "measure_no"))),
                                    f"{ref.name}/{code}/{measure_no}"):
            continue
        first = problem_orgs.setdefault((ref.name, code), (org_id, row.number))
        if first[0] != org_id:
            ctx.col_error(row, "org_code", f"同一问题的各项措施应属同一组织（与第 {first[1]} 行不同）")
        planned[key] = (ref, values | {"org_id": org_id}, row)
    if ctx.failed:
        return
    create_rounds(ctx, refs)
    rows = {(ref.id, code, no): values | {"round_id": ref.id} for (_, code, no), (ref, values, _) in planned.items()}
    fields = ("round_id", "org_id", "source", "description", "measure", "owner", "registered_date", "deadline",
              "status", "completed_date", "closed_date", "evidence")
    r = Rectification
    existing = {(e.round_id, e.code, e.measure_no): e for e in fetch_by_tuple(
        ctx.session, [r.id, r.code, r.measure_no] + [getattr(r, f) for f in fields],
        [r.round_id, r.code, r.measure_no], rows)}
    if ctx.allowed_org_ids is not None:  # a unit may not move another unit's record into its own
        by_key = {(ref.id, code, no): row for (_, code, no), (ref, _, row) in planned.items()}
        for key, current in existing.items():
            if current.org_id not in ctx.allowed_org_ids:
                ctx.col_error(by_key[key], "issue_code", OUT_OF_SCOPE)  # confirms nothing elsewhere
        if ctx.failed:
            return
    upsert(ctx, Rectification, rows, existing, fields)
    ctx.session.flush()


def _check_rect_dates(ctx: SheetContext, row, values: dict) -> None:
    registered, completed, closed = values["registered_date"], values["completed_date"], values["closed_date"]
    status = values["status"]
    if registered and completed and completed < registered:
        ctx.col_error(row, "completed_date", "完成日期早于登记日期")
    if registered and values["deadline"] and values["deadline"] < registered:
        ctx.col_error(row, "deadline", "整改时限早于登记日期")
    if completed and closed and closed < completed:
        ctx.col_error(row, "closed_date", "销号日期早于完成日期")
    if status == "已销号" and closed is None and not ctx.get(row, "closed_date"):
        ctx.col_error(row, "closed_date", "状态为已销号但未填销号日期")
    if status in ("已完成", "已销号") and completed is None and not ctx.get(row, "completed_date"):
        ctx.col_error(row, "completed_date", f"状态为{status}但未填完成日期")


def _existing_in_scope(ctx: SheetContext, existing: dict, key: str) -> bool:
    """A unit user may not move a record of another unit into their own (the old org must be in scope too)."""
    if ctx.allowed_org_ids is None:
        return True
    rows = {code: row for row, code in check_keys(ctx, key, report=False)}
    for code, current in existing.items():
        if current.org_id not in ctx.allowed_org_ids:
            ctx.col_error(rows[code], key, OUT_OF_SCOPE)
    return not ctx.failed
