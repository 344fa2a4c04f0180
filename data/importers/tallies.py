"""测评汇总: answer counts per (round, org, member?, item, evaluator category). A sheet of the usual shape is
checked and written column by column (fast_tallies); any other shape, or any error, is checked here row by
row, so every error message comes from one place."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from domain.rules import option_position
from data.importers.base import Row, SheetContext
from data.importers.fast_tallies import import_tallies
from data.importers.normalise import CellError, parse_count, text
from data.importers.refs import create_rounds, resolve_members, resolve_orgs, resolve_rounds
from data.importers.tally_store import (OVERALL_NAMES, add_stored_answers, check_category, check_phase,
                                        check_reported_on, ensure_items, load_tallies, load_valid, slot,
                                        write_tallies)
from data.models import COUNT_COLUMNS, Item
from data.rollups import rebuild_rollups

_MISSING = object()  # an option column not yet looked up in the round's scale


def import_sheet(ctx: SheetContext) -> None:
    if import_tallies(ctx):
        return
    rounds, refs = resolve_rounds(ctx)
    parsed = _read_rows(ctx, rounds)
    if ctx.failed:
        return
    existing = _check_valid_ballots(ctx, refs, parsed)
    if ctx.failed:
        return
    _write(ctx, refs, parsed, existing)


def _read_rows(ctx: SheetContext, rounds: dict) -> dict[tuple, tuple[Row, dict]]:
    """Each row's counts by key (round, org, member, item, category, 测评轮次); duplicate keys are errors. A
    blank 测评项目 is 总体评价 (docs/import-templates.md)."""
    org_ids = resolve_orgs(ctx)
    member_ids = resolve_members(ctx, org_ids)
    positions: dict[tuple[str, str], object] = {}  # (scale, column) -> option position, computed once
    seen: dict[tuple, int] = {}
    parsed: dict[tuple, tuple[Row, dict]] = {}
    for row in ctx.rows:
        item = ctx.get(row, "item") or OVERALL_NAMES[0]
        category, phase = check_category(ctx, row), check_phase(ctx, row)
        check_reported_on(ctx, row)
        ref = rounds.get(row.number)
        counts = _row_counts(ctx, row, ref, positions)
        if None in (item, category, phase, ref) or row.number not in org_ids:
            continue
        member_code = text(row.cells.get("member_code", ""))
        if member_code and row.number not in member_ids:
            continue
        key = (ref.name, org_ids[row.number], member_ids.get(row.number, 0), item, category, phase)
        if key not in seen:
            seen[key] = row.number
            parsed[key] = (row, counts)
        else:
            shown = "/".join(text(row.cells.get(k, "")) for k in ("round", "org_code", "member_code", "item", "category"))
            ctx.check_duplicates(seen, key, row, "评议批次+组织编码+党员编号+测评项目+参评人员类别" + (
                "+测评轮次" if "phase" in ctx.match.labels else ""), shown)
    return parsed


def _row_counts(ctx: SheetContext, row: Row, ref, positions: dict) -> dict[str, int]:
    """The row's option columns as counts in the slots of the round's scale."""
    counts = dict.fromkeys(COUNT_COLUMNS, 0)
    source: dict[str, str] = {}
    for name, raw in row.extras.items():
        try:
            value = parse_count(raw)
        except CellError as exc:
            ctx.error(row.number, ctx.label(name), raw, str(exc))
            continue
        if ref is None or value == 0:
            continue
        position = positions.get((ref.scale, name), _MISSING)
        if position is _MISSING:
            position = positions[(ref.scale, name)] = option_position(ref.scale, name)
        if position is None:
            ctx.error(row.number, ctx.label(name), raw, f"选项“{name}”不在该批次的评分标准（{ref.scale}）中")
            continue
        column = slot(position)
        if column in source:
            ctx.error(row.number, ctx.label(name), raw, f"与“{source[column]}”列是同一选项，重复计数")
            continue
        source[column] = name
        counts[column] = value
    return counts


def _check_valid_ballots(ctx: SheetContext, refs: dict, parsed: dict) -> dict:
    """有效份数: per (round, org, member, item) the answers of all categories — the stored ones this file
    does not replace included — may not exceed the session's valid ballots. Returns the stored tallies."""
    round_ids = {ref.id for ref in refs.values() if ref.id is not None}
    pairs = {(refs[k[0]].id, k[1]) for k in parsed if refs[k[0]].id is not None}
    items = {(r.round_id, r.name): r.id for r in ctx.session.execute(
        select(Item.id, Item.round_id, Item.name).where(Item.round_id.in_(list(round_ids))))} if round_ids else {}
    existing = load_tallies(ctx, pairs)
    valid = load_valid(ctx, round_ids, {k[1] for k in parsed}) if round_ids else {}
    totals: dict[tuple, int] = defaultdict(int)
    last_row: dict[tuple, Row] = {}
    file_keys = set()
    for (rname, org, member, item, category, phase), (row, counts) in parsed.items():
        round_id = refs[rname].id
        group = (round_id, org, member, item, phase)
        totals[group] += sum(counts.values())
        last_row[group] = row
        if round_id is not None and (round_id, item) in items:
            file_keys.add((round_id, org, member, items[(round_id, item)], category, phase))
    add_stored_answers(totals, file_keys, existing, items)
    for group, total in totals.items():
        round_id, org, member, item, _phase = group
        limit = valid.get((round_id, org, "党员" if member else "党组织"))
        if limit is not None and total > limit:
            ctx.error(last_row[group].number, ctx.label("item"), item,
                      f"该测评项目各类别答卷合计 {total} 份，超过测评场次有效份数 {limit}")
    return existing


def _write(ctx: SheetContext, refs: dict, parsed: dict, existing: dict) -> None:
    create_rounds(ctx, refs)
    wanted = defaultdict(list)
    for rname, _org, _member, item, _cat, _phase in parsed:
        wanted[refs[rname].id].append(item)
    item_ids = ensure_items(ctx, wanted)
    planned, reported = {}, {}
    for (rname, org, member, item, category, phase), (row, counts) in parsed.items():
        round_id = refs[rname].id
        key = (round_id, org, member, item_ids[(round_id, item)], category, phase)
        if key in existing and existing[key].from_ballots:  # the org's own ballots count (docs/import-templates.md)
            ctx.counter.unchanged += 1
            continue
        planned[key] = dict(round_id=round_id, org_id=org, member_key=member, member_id=member or None,
                            item_id=key[3], category=category, phase=phase, from_ballots=False, **counts)
        reported[key] = check_reported_on(ctx, row)
    write_tallies(ctx, planned, existing, reported)
    ctx.session.flush()
    rebuild_rollups(ctx.session, sorted({k[0] for k in planned}))
