"""测评汇总: answer counts per (round, org, member?, item, evaluator category), stored by option position
of the round's scale. Also the tally writing shared with 原始测评表."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import insert, select

from dashboard.rules import EVALUATOR_CATEGORIES, option_position
from data.importers.base import Row, SheetContext, chunked, upsert
from data.importers.normalise import CellError, parse_count, text
from data.importers.refs import create_rounds, resolve_members, resolve_orgs, resolve_rounds
from data.models import COUNT_COLUMNS, EvalSession, Item, Tally
from data.rollups import rebuild_rollups

OVERALL_NAMES = ("总体评价", "总体评价情况")
_MISSING = object()


def slot(position: int | str) -> str:
    """The count column of an option position from dashboard.rules.option_position."""
    return position if isinstance(position, str) else f"opt{position + 1}"


def check_category(ctx: SheetContext, row: Row) -> str | None:
    return ctx.choice(row, "category", EVALUATOR_CATEGORIES, required=True)


def ensure_items(ctx: SheetContext, wanted: dict[int, list[str]]) -> dict[tuple[int, str], int]:
    """Item ids by (round id, name), creating the missing items (总体评价 becomes the overall item)."""
    session = ctx.session
    rows = session.execute(select(Item.id, Item.round_id, Item.name, Item.is_overall, Item.position)
                           .where(Item.round_id.in_(list(wanted)))).all()
    ids = {(r.round_id, r.name): r.id for r in rows}
    has_overall = {r.round_id for r in rows if r.is_overall}
    next_pos = defaultdict(int)
    for r in rows:
        next_pos[r.round_id] = max(next_pos[r.round_id], r.position + 1)
    new = []
    for round_id, names in wanted.items():
        for name in dict.fromkeys(names):
            if (round_id, name) in ids:
                continue
            overall = name in OVERALL_NAMES and round_id not in has_overall
            if overall:
                has_overall.add(round_id)
            new.append(dict(round_id=round_id, name=name, is_overall=overall, position=next_pos[round_id]))
            next_pos[round_id] += 1
    if new:
        session.execute(insert(Item), new)
        ids |= {(r.round_id, r.name): r.id for r in session.execute(
            select(Item.id, Item.round_id, Item.name).where(Item.round_id.in_(list(wanted)))).all()}
    return ids


def load_tallies(ctx: SheetContext, pairs: set[tuple[int, int]]) -> dict[tuple, object]:
    """Existing tallies of the given (round id, org id) pairs, by natural key."""
    by_round = defaultdict(set)
    for round_id, org_id in pairs:
        by_round[round_id].add(org_id)
    cols = [Tally.id, Tally.round_id, Tally.org_id, Tally.member_key, Tally.item_id, Tally.category,
            Tally.member_id, Tally.from_ballots, *[getattr(Tally, c) for c in COUNT_COLUMNS]]
    found = {}
    for round_id, orgs in by_round.items():
        for part in chunked(sorted(orgs)):
            for r in ctx.session.execute(select(*cols).where(Tally.round_id == round_id, Tally.org_id.in_(part))):
                found[(r.round_id, r.org_id, r.member_key, r.item_id, r.category)] = r
    return found


def load_valid(ctx: SheetContext, round_ids: set[int], org_ids: set[int]) -> dict[tuple[int, int, str], int]:
    """有效份数 of sessions by (round id, org id, target 党员 or 党组织)."""
    found: dict[tuple[int, int, str], int] = {}
    for part in chunked(sorted(org_ids)):
        for r in ctx.session.execute(select(EvalSession.round_id, EvalSession.org_id, EvalSession.target,
                                            EvalSession.valid).where(
                EvalSession.round_id.in_(list(round_ids)), EvalSession.org_id.in_(part),
                EvalSession.valid.is_not(None))):
            kind = "党员" if r.target == "党员" else "党组织"
            key = (r.round_id, r.org_id, kind)
            # 党组织 wins over 领导班子 for the org's own answers
            if r.target != "领导班子" or key not in found:
                found[key] = r.valid
    return found


def add_stored_answers(totals: dict[tuple, int], file_keys: set[tuple], existing: dict[tuple, object],
                       items: dict[tuple[int, str], int]) -> None:
    """Add to each (round, org, member, item name) total of the file the stored answers of the categories
    the file does not replace: 有效份数 limits what is stored after the import, not the file alone."""
    item_names = {v: k[1] for k, v in items.items()}
    for key, current in existing.items():
        if key not in file_keys:
            group = (key[0], key[1], key[2], item_names.get(key[3]))
            if group in totals:
                totals[group] += sum(getattr(current, c) for c in COUNT_COLUMNS)


def write_tallies(ctx: SheetContext, planned: dict[tuple, dict], existing: dict[tuple, object]) -> None:
    """Upsert tallies: first_reported_at kept from the first import, updated_at now on every change."""
    rows = {}
    for key, values in planned.items():
        current = existing.get(key)
        first = ctx.now if current is None else None
        rows[key] = values | {"updated_at": ctx.now} | ({"first_reported_at": first} if first else {})
    inserts = {k: v for k, v in rows.items() if k not in existing}
    updates = {k: v for k, v in rows.items() if k in existing}
    upsert(ctx, Tally, inserts, {}, ())
    upsert(ctx, Tally, updates, existing, (*COUNT_COLUMNS, "member_id", "from_ballots"))


def import_sheet(ctx: SheetContext) -> None:
    from data.importers.fast_tallies import import_tallies  # it uses this module's helpers

    if import_tallies(ctx):
        return
    rounds, refs = resolve_rounds(ctx)
    org_ids = resolve_orgs(ctx)
    member_ids = resolve_members(ctx, org_ids)
    positions: dict[tuple[str, str], object] = {}  # (scale, column) -> option position, computed once
    seen: dict[tuple, int] = {}
    parsed: dict[tuple, tuple[Row, dict]] = {}
    for row in ctx.rows:
        item = ctx.get(row, "item", required=True)
        category = check_category(ctx, row)
        ref = rounds.get(row.number)
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
        if None in (item, category, ref) or row.number not in org_ids:
            continue
        member_code = text(row.cells.get("member_code", ""))
        if member_code and row.number not in member_ids:
            continue
        key = (ref.name, org_ids[row.number], member_ids.get(row.number, 0), item, category)
        if key not in seen:
            seen[key] = row.number
            parsed[key] = (row, counts)
        else:
            shown = "/".join(text(row.cells.get(k, "")) for k in ("round", "org_code", "member_code", "item", "category"))
            ctx.check_duplicates(seen, key, row, "评议批次+组织编码+党员编号+测评项目+参评人员类别", shown)
    if ctx.failed:
        return

    # 有效份数: per (round, org, member, item) the answers of all categories — the stored ones this file
    # does not replace included — may not exceed the session's valid ballots.
    round_ids = {ref.id for ref in refs.values() if ref.id is not None}
    pairs = {(refs[k[0]].id, k[1]) for k in parsed if refs[k[0]].id is not None}
    items = {(r.round_id, r.name): r.id for r in ctx.session.execute(
        select(Item.id, Item.round_id, Item.name).where(Item.round_id.in_(list(round_ids))))} if round_ids else {}
    existing = load_tallies(ctx, pairs)
    valid = load_valid(ctx, round_ids, {k[1] for k in parsed}) if round_ids else {}
    totals: dict[tuple, int] = defaultdict(int)
    last_row: dict[tuple, Row] = {}
    file_keys = set()
    for (rname, org, member, item, category), (row, counts) in parsed.items():
        round_id = refs[rname].id
        group = (round_id, org, member, item)
        totals[group] += sum(counts.values())
        last_row[group] = row
        if round_id is not None and (round_id, item) in items:
            file_keys.add((round_id, org, member, items[(round_id, item)], category))
    add_stored_answers(totals, file_keys, existing, items)
    for group, total in totals.items():
        round_id, org, member, item = group
        limit = valid.get((round_id, org, "党员" if member else "党组织"))
        if limit is not None and total > limit:
            ctx.error(last_row[group].number, ctx.label("item"), item,
                      f"该测评项目各类别答卷合计 {total} 份，超过测评场次有效份数 {limit}")
    if ctx.failed:
        return

    create_rounds(ctx, refs)
    wanted = defaultdict(list)
    for rname, _org, _member, item, _cat in parsed:
        wanted[refs[rname].id].append(item)
    item_ids = ensure_items(ctx, wanted)
    planned = {}
    for (rname, org, member, item, category), (_row, counts) in parsed.items():
        round_id = refs[rname].id
        key = (round_id, org, member, item_ids[(round_id, item)], category)
        planned[key] = dict(round_id=round_id, org_id=org, member_key=member, member_id=member or None,
                            item_id=key[3], category=category, from_ballots=False, **counts)
    write_tallies(ctx, planned, existing)
    ctx.session.flush()
    rebuild_rollups(ctx.session, sorted({k[0] for k in planned}))
