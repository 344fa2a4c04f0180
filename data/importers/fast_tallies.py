"""The column-wise path of 测评汇总 for the common case: a large, clean sheet.

It applies the same rules as tallies.import_sheet, but to whole columns: every distinct raw value of a
column is normalised once (a column repeats few values), names are mapped to ids by dict look-ups, and
the rows are written with the driver's bulk path inside the session's transaction (SQLite executemany,
PostgreSQL COPY). It never reports an error itself: on the first thing that would be one, or anything
out of the ordinary (cells that are not text or numbers, ragged rows, rounds of different scales), it
returns False before writing anything and the per-row path runs instead, so every error message comes
from that one place.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from itertools import repeat
from typing import NamedTuple

from sqlalchemy import select, text as sql_text
from sqlalchemy.exc import DBAPIError

from domain.rules import FIRST, option_position
from data.importers.base import MAX_LENGTH, SheetContext, fetch_by, guard_locks
from data.importers.normalise import CellError, key_text, parse_count
from data.importers.refs import DEFAULT_PROFILE, RoundRef, create_rounds
from data.models import COUNT_COLUMNS, Item, Member, Org, Round, Tally
from data.rollups import rebuild_rollups

_PLAIN = {str, int, float}  # cell types whose distinct values a dict can tell apart (bool == 1 cannot)
_KEYS = ("round", "org_code", "member_code", "item", "category")
_ROW_PATH_ONLY = {"phase", "reported_on"}
# When a sheet names this many orgs, one query for all orgs beats chunks of IN (...).
_ALL_ORGS_FROM = 5000
# After this many new tallies, PostgreSQL's planner statistics are refreshed before the rollups.
_ANALYZE_FROM = 50_000
INSERT_COLUMNS = ("round_id", "org_id", "member_key", "member_id", "item_id", "category", "from_ballots",
                   *COUNT_COLUMNS, "first_reported_at", "updated_at")
_UPDATE_COLUMNS = ("member_id", "from_ballots", *COUNT_COLUMNS, "updated_at")


class _Fallback(Exception):
    """Something the per-row path must look at (and word the error for)."""


def _normalise(key: str, column: tuple, required: bool, max_length: int) -> list[str]:
    if not set(map(type, column)) <= _PLAIN:
        raise _Fallback
    mapping = {raw: key_text(key, raw) for raw in set(column)}
    values = mapping.values()
    if (required and "" in values) or max(map(len, values), default=0) > max_length:
        raise _Fallback
    return list(map(mapping.__getitem__, column))


def _counts(column: tuple) -> list[int]:
    if not set(map(type, column)) <= _PLAIN:
        raise _Fallback
    mapping = {}
    for raw in set(column):
        try:
            mapping[raw] = parse_count(raw)
        except CellError:
            raise _Fallback from None
    return list(map(mapping.__getitem__, column))


def import_tallies(ctx: SheetContext) -> bool:
    """Import the sheet column-wise; False (nothing written, nothing reported) when the per-row path must
    run instead."""
    if ctx.table is None:
        return False
    try:
        with no_gc():
            plan = _plan(ctx)
    except _Fallback:
        return False
    with _sqlite_cache(ctx.session):
        _write(ctx, *plan)
    return True


@contextmanager
def no_gc():
    """The cyclic garbage collector off while millions of short-lived lists and tuples are made: none
    of them is part of a cycle, and its passes would cost more than the work itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _sqlite_cache(session):
    """A larger page cache for this connection while it writes a large sheet and rebuilds the rollups
    (SQLite's default 2 MB thrashes on the tally indexes of a province); the setting is restored."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA cache_size = -262144")  # KiB: up to 256 MB, taken as needed
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def _plan(ctx: SheetContext):
    if set(ctx.match.columns.values()) & _ROW_PATH_ONLY:
        raise _Fallback  # 测评轮次 and 上报日期 are read row by row (a blank item or category falls back too)
    columns, values = _read_columns(ctx)
    round_col, code_col, item_col, category_col = (values[k] for k in ("round", "org_code", "item", "category"))
    names, refs, new_rounds = _rounds(ctx, round_col)
    org_col = _org_ids(ctx, code_col)
    member_ids = _member_ids(ctx, values["member_code"], org_col)
    slot_values = _slot_values(ctx, columns, [refs[name].scale for name in names], len(org_col))
    keys = list(zip(round_col, org_col, member_ids, item_col, category_col))
    if len(set(keys)) != len(keys):
        raise _Fallback
    count_rows = list(zip(*slot_values))
    existing = _existing_tallies(ctx, refs, round_col, org_col, keys, count_rows)
    return refs, new_rounds, _Sheet(round_col, org_col, member_ids, item_col, category_col, slot_values,
                                    count_rows), existing


def _read_columns(ctx: SheetContext) -> tuple[list, dict]:
    """The sheet's columns, and the key columns normalised (member_code None when the sheet has none)."""
    raw, numbers = ctx.table
    if not numbers:
        raise _Fallback
    match = ctx.match
    width = max([*match.columns, *match.extras]) + 1
    rows = [raw[i] for i in numbers]
    if min(map(len, rows)) < width:
        raise _Fallback  # ragged rows: the per-row path reads a missing cell as blank
    columns = list(zip(*rows)) if width else []
    by_key = {key: columns[i] for i, key in match.columns.items()}

    values = {}
    for key in _KEYS:
        if key in by_key:
            values[key] = _normalise(key, by_key[key], key != "member_code", MAX_LENGTH.get(key, 10**9))
        elif key == "member_code":
            values[key] = None
        else:
            raise _Fallback
    return columns, values


def _rounds(ctx: SheetContext, round_col) -> tuple[list[str], dict[str, RoundRef], list[str]]:
    """Rounds: known ones, and new names (created with the default profile) unless a unit imports."""
    names = list(dict.fromkeys(round_col))
    refs = {r.name: RoundRef(r.name, r.id, r.scale)
            for r in fetch_by(ctx.session, [Round.name, Round.id, Round.scale], Round.name, names)}
    new_rounds = [name for name in names if name not in refs]
    if new_rounds and ctx.allowed_org_ids is not None:
        raise _Fallback
    for name in new_rounds:
        refs[name] = RoundRef(name, None, DEFAULT_PROFILE.scale)
    return names, refs, new_rounds


def _org_ids(ctx: SheetContext, code_col) -> list[int]:
    """Orgs: every code known and in scope."""
    codes = set(code_col)
    if len(codes) >= _ALL_ORGS_FROM:
        ids = {code: oid for code, oid in ctx.session.execute(select(Org.code, Org.id)) if code in codes}
    else:
        ids = dict(fetch_by(ctx.session, [Org.code, Org.id], Org.code, codes))
    if len(ids) != len(codes):
        raise _Fallback
    if ctx.allowed_org_ids is not None and not set(ids.values()) <= ctx.allowed_org_ids:
        raise _Fallback
    return list(map(ids.__getitem__, code_col))


def _member_ids(ctx: SheetContext, member_col, org_col: list[int]) -> list[int]:
    """Members: known, and of the row's org (0 where a row rates the org itself)."""
    if member_col is None or not any(member_col):
        return [0] * len(org_col)
    wanted = set(member_col) - {""}
    members = {code: (mid, org) for code, mid, org in fetch_by(
        ctx.session, [Member.code, Member.id, Member.org_id], Member.code, wanted)}
    if len(members) != len(wanted):
        raise _Fallback
    member_ids = []
    for code, org in zip(member_col, org_col):
        if code:
            mid, member_org = members[code]
            if member_org != org:
                raise _Fallback
            member_ids.append(mid)
        else:
            member_ids.append(0)
    return member_ids


def _slot_values(ctx: SheetContext, columns: list, scales: list[str], n: int) -> list[list[int]]:
    """Counts: the option columns land in the count column of their position in the round's scale."""
    counts = {name: _counts(columns[i]) for i, name in ctx.match.extras.items()}
    slots = None
    for scale in set(scales):
        mapping = {}
        for name in counts:
            position = option_position(scale, name)
            mapping[name] = None if position is None else (
                position if isinstance(position, str) else f"opt{position + 1}")
        if slots is not None and mapping != slots:
            raise _Fallback  # rounds of different scales in one sheet: rare, left to the per-row path
        slots = mapping
    by_slot = defaultdict(list)
    for name, slot in slots.items():
        if slot is None:
            if any(counts[name]):
                raise _Fallback  # an option outside the scale with answers
        else:
            by_slot[slot].append(counts[name])
    zero = [0] * n
    slot_values = []
    for column in COUNT_COLUMNS:
        same = by_slot.get(column)
        if not same:
            slot_values.append(zero)
        elif len(same) == 1:
            slot_values.append(same[0])
        else:
            if any(sum(1 for v in vals if v) > 1 for vals in zip(*same)):
                raise _Fallback  # two columns of one option both filled in a row
            slot_values.append([sum(vals) for vals in zip(*same)])
    return slot_values


def _existing_tallies(ctx: SheetContext, refs, round_col, org_col, keys, count_rows) -> dict:
    """The stored tallies of the sheet's (round, org) pairs, after checking the sheet against the 有效份数 of
    the rounds that exist already (a new round has no sessions)."""
    from data.importers.tally_store import load_tallies, load_valid
    round_ids = {ref.id for ref in refs.values() if ref.id is not None}
    existing, items = {}, {}
    if round_ids:
        pairs = {(refs[r].id, o) for r, o in dict.fromkeys(zip(round_col, org_col)) if refs[r].id is not None}
        items = {(r.round_id, r.name): r.id for r in ctx.session.execute(
            select(Item.id, Item.round_id, Item.name).where(Item.round_id.in_(list(round_ids))))}
        existing = load_tallies(ctx, pairs)
        valid = load_valid(ctx, round_ids, set(org_col))
        if valid:
            _check_valid(refs, keys, count_rows, items, existing, valid)
    return existing


class _Sheet(NamedTuple):
    """The checked sheet, column by column (count_rows: the count columns' values row by row)."""
    rounds: list[str]
    orgs: list[int]
    members: list[int]  # 0 for the org's own answers
    items: list[str]
    categories: list[str]
    counts: list[list[int]]  # one list per COUNT_COLUMNS entry
    count_rows: list[tuple[int, ...]]


def _check_valid(refs, keys, count_rows, items, existing, valid) -> None:
    """tallies.import_sheet's 有效份数 rule: any group over its session's valid ballots is an error."""
    totals: dict[tuple, int] = defaultdict(int)
    file_keys = set()
    for (rname, org, member, item, category), counts in zip(keys, count_rows):
        round_id = refs[rname].id
        totals[(round_id, org, member, item, FIRST)] += sum(counts)
        if round_id is not None and (round_id, item) in items:
            file_keys.add((round_id, org, member, items[(round_id, item)], category, FIRST))
    from data.importers.tally_store import add_stored_answers
    add_stored_answers(totals, file_keys, existing, items)
    for (round_id, org, member, _item, _phase), total in totals.items():
        limit = valid.get((round_id, org, "党员" if member else "党组织"))
        if limit is not None and total > limit:
            raise _Fallback


def _write(ctx: SheetContext, refs, new_rounds, sheet: _Sheet, existing) -> None:
    from data.importers.tally_store import ensure_items
    ctx.created_rounds += new_rounds
    create_rounds(ctx, refs)
    round_of = {name: ref.id for name, ref in refs.items()}
    round_ids = list(map(round_of.__getitem__, sheet.rounds))
    wanted = defaultdict(list)
    for round_id, item in dict.fromkeys(zip(round_ids, sheet.items)):
        wanted[round_id].append(item)
    item_of = ensure_items(ctx, wanted)
    item_ids = list(map(item_of.__getitem__, zip(round_ids, sheet.items)))
    member_ids = [m or None for m in sheet.members]
    connection = ctx.session.connection()
    false, now = _stored(connection, False, "from_ballots"), _stored(connection, ctx.now, "updated_at")
    unchanged = 0
    if not existing:
        # Every row is new (always so for a new round): the rows go to the driver as one stream of tuples.
        inserts = list(zip(round_ids, sheet.orgs, sheet.members, member_ids, item_ids, sheet.categories,
                           repeat(false), *sheet.counts, repeat(now), repeat(now)))
        updates, changed = [], set()
    else:
        inserts, updates, changed = [], [], set()
        for round_id, org, member, member_id, item_id, category, counts in zip(
                round_ids, sheet.orgs, sheet.members, member_ids, item_ids, sheet.categories, sheet.count_rows):
            current = existing.get((round_id, org, member, item_id, category, FIRST))
            if current is None:
                inserts.append((round_id, org, member, member_id, item_id, category, false, *counts, now, now))
            elif current.from_ballots or (current.member_id == member_id  # ballots' counts stay, as in tallies
                                          and tuple(getattr(current, c) for c in COUNT_COLUMNS) == counts):
                unchanged += 1
            else:
                updates.append((member_id, false, *counts, now, current.id))
                changed.add((round_id, org))
    if not guard_locks(ctx, changed | {(row[0], row[1]) for row in inserts}):
        return
    ctx.counter.inserted += len(inserts)
    ctx.counter.updated += len(updates)
    ctx.counter.unchanged += unchanged
    bulk_write(ctx, inserts, updates)
    ctx.session.flush()
    if len(inserts) >= _ANALYZE_FROM and connection.dialect.name == "postgresql":
        # The planner still thinks the round has no tallies; with fresh statistics the rollup queries
        # below take a hash join instead of a nested loop per row (6 s → well under 1 s at 300,000 rows).
        ctx.session.execute(sql_text("ANALYZE tallies"))
    rebuild_rollups(ctx.session, sorted(set(round_of.values())))


def _stored(connection, value, column: str):
    """value as the driver takes it for tallies.column: SQLite keeps datetimes as text in SQLAlchemy's
    format and booleans as 0/1; psycopg's COPY takes the Python values."""
    if connection.dialect.name == "postgresql":
        return value
    convert = Tally.__table__.c[column].type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
    return convert(value) if convert else value


def bulk_write(ctx: SheetContext, inserts: list[tuple], updates: list[tuple]) -> None:
    """Insert and update tallies through the driver, in the session's own transaction. The rows hold the
    columns of INSERT_COLUMNS and _UPDATE_COLUMNS + id, as _stored gives them."""
    if not inserts and not updates:
        return
    connection = ctx.session.connection()
    dialect = connection.dialect
    dbapi_connection = connection.connection.driver_connection
    table = Tally.__table__
    statement = ""
    try:
        cursor = dbapi_connection.cursor()
        try:
            if dialect.name == "postgresql":
                if inserts:
                    statement = f"COPY {table.name} ({', '.join(INSERT_COLUMNS)}) FROM STDIN"
                    with cursor.copy(statement) as copy:
                        for row in inserts:
                            copy.write_row(row)
                if updates:
                    statement = (f"CREATE TEMP TABLE tally_changes ON COMMIT DROP AS SELECT id, "
                                 f"{', '.join(_UPDATE_COLUMNS)} FROM {table.name} WITH NO DATA")
                    cursor.execute(statement)
                    statement = f"COPY tally_changes ({', '.join(_UPDATE_COLUMNS)}, id) FROM STDIN"
                    with cursor.copy(statement) as copy:
                        for row in updates:
                            copy.write_row(row)
                    statement = (f"UPDATE {table.name} AS t SET "
                                 + ", ".join(f"{c} = c.{c}" for c in _UPDATE_COLUMNS)
                                 + " FROM tally_changes AS c WHERE t.id = c.id")
                    cursor.execute(statement)
                    cursor.execute("DROP TABLE tally_changes")
            else:
                if inserts:
                    statement = (f"INSERT INTO {table.name} ({', '.join(INSERT_COLUMNS)}) VALUES "
                                 f"({', '.join('?' * len(INSERT_COLUMNS))})")
                    cursor.executemany(statement, inserts)
                if updates:
                    statement = (f"UPDATE {table.name} SET " + ", ".join(f"{c} = ?" for c in _UPDATE_COLUMNS)
                                 + " WHERE id = ?")
                    cursor.executemany(statement, updates)
        finally:
            cursor.close()
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy would raise it, so the pipeline's database-error handling applies unchanged; a
        # connection the server dropped is invalidated as SQLAlchemy does, so the rollback does not use it.
        lost = dialect.is_disconnect(exc, dbapi_connection, None)
        if lost:
            connection.invalidate(exc)
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error, dialect=dialect,
                                  connection_invalidated=lost) from exc
