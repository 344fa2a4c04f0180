"""原始测评表: one row per paper ballot, each item column holding the chosen option (blank = 弃权).
Ballots are kept (for 走过场 checks) and the tallies of their (round, org) are recounted from every stored
ballot of that org, so ballots keyed in over several files add up."""
from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import delete, select

from data.importers.base import MAX_LENGTH, SheetContext, check_keys, chunked, upsert
from data.importers.normalise import text
from data.importers.refs import create_rounds, resolve_orgs, resolve_rounds
from data.importers.tally_store import (check_category, check_phase, check_reported_on, ensure_items, load_tallies,
                                        load_valid, slot, write_tallies)
from domain.rules import option_position
from data.models import COUNT_COLUMNS, Ballot, Tally
from data.rollups import rebuild_rollups


def import_sheet(ctx: SheetContext) -> None:
    rounds, refs = resolve_rounds(ctx)
    planned, rows_of = _read_ballots(ctx, rounds)
    if ctx.failed:
        return
    stored = _check_valid_ballots(ctx, refs, planned, rows_of)
    if ctx.failed:
        return
    create_rounds(ctx, refs)
    rows = {}
    for (rname, org, no), values in planned.items():
        round_id = refs[rname].id
        rows[(round_id, org, no)] = dict(round_id=round_id, org_id=org, ballot_no=no, category=values["category"],
                                         phase=values["phase"],
                                         answers=json.dumps(values["answers"], ensure_ascii=False, sort_keys=True))
    upsert(ctx, Ballot, rows, stored, ("category", "phase", "answers"))
    ballot_counter = (ctx.counter.inserted, ctx.counter.updated, ctx.counter.unchanged)
    ctx.session.flush()
    pairs = {(k[0], k[1]) for k in rows}
    reported: dict[tuple, object] = {}  # (round id, org, 测评轮次) -> the earliest 上报日期 of this file's ballots
    for (rname, org, _no), values in planned.items():
        key, day = (refs[rname].id, org, values["phase"]), values["reported"]
        if day is not None and (reported.get(key) is None or day < reported[key]):
            reported[key] = day
    _recount_tallies(ctx, refs, pairs, reported)
    # Tally counts are not reported as rows of this file: restore the ballot counts.
    ctx.counter.inserted, ctx.counter.updated, ctx.counter.unchanged = ballot_counter
    ctx.session.flush()
    rebuild_rollups(ctx.session, sorted({p[0] for p in pairs}))


def _read_ballots(ctx: SheetContext, rounds: dict) -> tuple[dict[tuple, dict], dict]:
    """Each ballot's category and answers by (round name, org id, ballot number), and its row."""
    org_ids = resolve_orgs(ctx)
    items = list(ctx.match.extras.values())
    if not items:
        ctx.error(ctx.match.row_index + 1, "", "", "原始测评表没有测评项目列")
    for name in items:  # item names come from the header row, not through ctx.get's length check
        if len(name) > MAX_LENGTH["item"]:
            ctx.error(ctx.match.row_index + 1, ctx.label(name), name,
                      f"测评项目名称过长（最多 {MAX_LENGTH['item']} 个字符）")
    planned: dict[tuple, dict] = {}
    rows_of = {}
    for row, (_r, _o, ballot_no) in check_keys(ctx, "round", "org_code", "ballot_no"):
        category, phase, reported = check_category(ctx, row), check_phase(ctx, row), check_reported_on(ctx, row)
        ref = rounds.get(row.number)
        answers = {}
        for name in items:
            raw = row.extras.get(name, "")
            value = text(raw)
            if ref is not None and option_position(ref.scale, value) is None:
                ctx.error(row.number, ctx.label(name), raw, f"“{value}”不是该批次评分标准（{ref.scale}）的选项")
            answers[name] = value
        if ref is None or row.number not in org_ids or category is None or phase is None:
            continue
        key = (ref.name, org_ids[row.number], ballot_no)
        planned[key] = dict(category=category, answers=answers, phase=phase, reported=reported)
        rows_of[key] = row
    return planned, rows_of


def _check_valid_ballots(ctx: SheetContext, refs: dict, planned: dict, rows_of: dict) -> dict:
    """有效份数: stored ballots of the org (other numbers) plus this file's may not exceed the session's.
    Returns the stored ballots of the file's orgs."""
    known_ids = {ref.id for ref in refs.values() if ref.id is not None}
    pairs = {(refs[r].id, org) for r, org, _ in planned if refs[r].id is not None}
    stored = _load_ballots(ctx, pairs)
    valid = load_valid(ctx, known_ids, {k[1] for k in planned}) if known_ids else {}
    per_org = defaultdict(set)
    for (r, org, no) in stored:
        per_org[(r, org)].add(no)
    last = {}
    for (rname, org, no) in planned:
        per_org[(refs[rname].id or rname, org)].add(no)
        last[(refs[rname].id or rname, org)] = rows_of[(rname, org, no)]
    for pair, row in last.items():
        limit = valid.get((pair[0], pair[1], "党组织"))
        if limit is not None and len(per_org[pair]) > limit:
            ctx.error(row.number, ctx.label("ballot_no"), row.cells.get("ballot_no", ""),
                      f"该组织的测评表共 {len(per_org[pair])} 份，超过测评场次有效份数 {limit}")
    return stored


def _recount_tallies(ctx: SheetContext, refs: dict, pairs: set[tuple[int, int]], reported: dict) -> None:
    """Recount the tallies of every touched (round, org) from all its stored ballots, per 测评轮次; `reported`
    gives the 上报日期 of this file's ballots by (round id, org, 测评轮次)."""
    ballots = _load_ballots(ctx, pairs)
    scales = {ref.id: ref.scale for ref in refs.values()}
    counts: dict[tuple, dict] = {}
    wanted = defaultdict(list)
    for (round_id, org, _no), ballot in ballots.items():
        for item, answer in json.loads(ballot.answers).items():
            wanted[round_id].append(item)
            position = option_position(scales[round_id], answer)
            if position is None:  # a stored ballot of an older scale: not countable
                continue
            key = (round_id, org, item, ballot.category, ballot.phase)
            counts.setdefault(key, dict.fromkeys(COUNT_COLUMNS, 0))[slot(position)] += 1
    item_ids = ensure_items(ctx, wanted)
    planned_tallies, dates = {}, {}
    for (round_id, org, item, category, phase), c in counts.items():
        key = (round_id, org, 0, item_ids[(round_id, item)], category, phase)
        planned_tallies[key] = dict(round_id=round_id, org_id=org, member_key=0, member_id=None,
                                    item_id=key[3], category=category, phase=phase, from_ballots=True, **c)
        dates[key] = reported.get((round_id, org, phase))
    stored_tallies = load_tallies(ctx, pairs)
    write_tallies(ctx, planned_tallies, stored_tallies, dates)
    # A ballot-made tally whose (item, category) no ballot answers any more (a ballot's category was
    # corrected) would keep stale counts: remove it.
    stale = [t.id for k, t in stored_tallies.items()
             if t.from_ballots and k[2] == 0 and k not in planned_tallies]
    for part in chunked(stale):
        ctx.session.execute(delete(Tally).where(Tally.id.in_(part)))


def _load_ballots(ctx: SheetContext, pairs: set[tuple[int, int]]) -> dict[tuple, object]:
    by_round = defaultdict(set)
    for round_id, org in pairs:
        by_round[round_id].add(org)
    found = {}
    cols = [Ballot.id, Ballot.round_id, Ballot.org_id, Ballot.ballot_no, Ballot.category, Ballot.phase,
            Ballot.answers]
    for round_id, orgs in by_round.items():
        for part in chunked(sorted(orgs)):
            for r in ctx.session.execute(select(*cols).where(Ballot.round_id == round_id, Ballot.org_id.in_(part))):
                found[(r.round_id, r.org_id, r.ballot_no)] = r
    return found
