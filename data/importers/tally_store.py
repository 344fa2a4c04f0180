"""The tally store shared by 测评汇总 (tallies, fast_tallies) and 原始测评表 (ballots): items, stored tallies,
有效份数 limits and the upsert, stored by option position of the round's scale."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import insert, select

from domain.rules import FIRST, PHASES
from data.importers.base import Row, SheetContext, chunked, upsert
from data.importers.normalise import parse_datetime, text
from data.models import COUNT_COLUMNS, EvalSession, Item, Tally

OVERALL_NAMES = ("总体评价", "总体评价情况")


def slot(position: int | str) -> str:
    """The count column of an option position from domain.rules.option_position."""
    return position if isinstance(position, str) else f"opt{position + 1}"


UNCLASSIFIED = "未分类"  # a blank 参评人员类别 of 测评汇总 (a township's one-line total)


def check_category(ctx: SheetContext, row: Row) -> str | None:
    """参评人员类别: any text (domain.rules.EVALUATOR_CATEGORIES are the known ones, for order and labels);
    blank is 未分类 where the template allows it."""
    required = any(c.key == "category" and c.required for c in ctx.template.columns)
    return ctx.get(row, "category", required=required) or (None if required else UNCLASSIFIED)


def check_phase(ctx: SheetContext, row: Row) -> str | None:
    """测评轮次: 首评 (blank) or 复评; None when the cell is wrong (an error recorded)."""
    if text(row.cells.get("phase", "")) == "":
        return FIRST
    return ctx.choice(row, "phase", PHASES)


def check_reported_on(ctx: SheetContext, row: Row) -> datetime | None:
    """上报日期: when the unit sent the form; None (blank or wrong) means the import time."""
    return ctx.get(row, "reported_on", parse_datetime)


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
    cols = [Tally.id, Tally.round_id, Tally.org_id, Tally.member_key, Tally.item_id, Tally.category, Tally.phase,
            Tally.member_id, Tally.from_ballots, Tally.first_reported_at, *[getattr(Tally, c) for c in COUNT_COLUMNS]]
    found = {}
    for round_id, orgs in by_round.items():
        for part in chunked(sorted(orgs)):
            for r in ctx.session.execute(select(*cols).where(Tally.round_id == round_id, Tally.org_id.in_(part))):
                found[(r.round_id, r.org_id, r.member_key, r.item_id, r.category, r.phase)] = r
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
    """Add to each (round, org, member, item name, 测评轮次) total of the file the stored answers of the
    categories the file does not replace: 有效份数 limits what is stored after the import, not the file alone."""
    item_names = {v: k[1] for k, v in items.items()}
    for key, current in existing.items():
        if key not in file_keys:
            group = (key[0], key[1], key[2], item_names.get(key[3]), key[5])
            if group in totals:
                totals[group] += sum(getattr(current, c) for c in COUNT_COLUMNS)


def write_tallies(ctx: SheetContext, planned: dict[tuple, dict], existing: dict[tuple, object],
                  reported: dict[tuple, datetime | None] | None = None) -> None:
    """Upsert tallies: first_reported_at is the earliest 上报日期 given for the row (`reported`, by key), else
    the time of its first import; updated_at now on every change."""
    rows = {}
    for key, values in planned.items():
        current = existing.get(key)
        given = (reported or {}).get(key)
        if current is None:
            first = given or ctx.now
        else:
            first = min(given, current.first_reported_at) if given else current.first_reported_at
        rows[key] = values | {"updated_at": ctx.now, "first_reported_at": first}
    inserts = {k: v for k, v in rows.items() if k not in existing}
    updates = {k: v for k, v in rows.items() if k in existing}
    upsert(ctx, Tally, inserts, {}, ())
    upsert(ctx, Tally, updates, existing, (*COUNT_COLUMNS, "member_id", "from_ballots", "first_reported_at"))
