"""组织架构: the org tree with systems and regions.

Regions: 所属地区 is either an existing 6/9-digit administrative code or a path 省/市/县/乡 (separators
/ › > -; a segment may carry its code as 长沙市(430100)). A path segment that matches an existing region
(same path) is that region, whatever its code. A missing one is created at the level of its position with
the code given in the segment, else a synthetic code "R" + the first 11 hex digits of SHA-1 of the full
path: stable across imports and databases, and never equal to a numeric administrative code.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from sqlalchemy import insert, select, update

from data.importers.base import OUT_OF_SCOPE, Row, SheetContext, fetch_by
from data.importers.normalise import CellError, text, yes_no
from data.models import Org, Region, System
from data.rollups import refresh_after_org_change

ORG_TYPES = ("党委", "党总支", "党支部", "领导班子", "单位")
_SEGMENT = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<code>\d{6}|\d{9})\))?$")
_SEPARATORS = re.compile(r"\s*[/›>\\\-—]\s*")


def synthetic_code(path: str) -> str:
    return "R" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:11]


def _region_spec(raw: object) -> tuple[str, object]:
    """('code', '430100') or ('path', [(name, code|None), ...])."""
    value = text(raw)
    if re.fullmatch(r"\d{6}|\d{9}", value):
        return "code", value
    parts = [p for p in _SEPARATORS.split(value) if p]
    if not parts:
        raise CellError("所属地区应为地区编码或“省/市/县”路径")
    if len(parts) > 4:
        raise CellError("地区路径最多四级（省/市/县/乡镇）")
    segments = []
    for part in parts:
        match = _SEGMENT.match(part)
        segments.append((match["name"], match["code"]))
    return "path", segments


class RegionBook:
    """Every region, by code and by path; creates the missing ones of a path (set-wise, at write time)."""

    def __init__(self, session):
        self.session = session
        rows = session.execute(select(Region.id, Region.code, Region.name, Region.level, Region.parent_id,
                                      Region.full_name, Region.l1_code, Region.l2_code, Region.l3_code,
                                      Region.l4_code)).all()
        self.by_code = {r.code: r for r in rows}
        self.by_path = {r.full_name: r for r in rows if r.full_name}
        self.by_name: dict[str, list] = {}
        for r in rows:
            self.by_name.setdefault(r.name, []).append(r)
        self.pending: dict[str, dict] = {}  # path -> values of a region to create
        self.pending_codes: set[str] = set()

    def resolve(self, spec: tuple[str, object]) -> str:
        """A key for the region (its code) — planning missing path regions — or raise CellError."""
        kind, value = spec
        if kind == "code":
            if value not in self.by_code:
                raise CellError("未知的地区编码（请先导入该地区，或写成“省/市/县”路径）")
            return value
        if len(value) == 1 and value[0][1] is None and value[0][0] in self.by_code:
            return value[0][0]  # an existing region's code, synthetic ones included
        path, codes, offset = "", [], 0
        first, first_code = value[0]
        if first_code is None and first not in self.by_path and first not in self.pending:
            # A path may start below the province (长沙市/望城区) when that start is unambiguous.
            starts = self.by_name.get(first, [])
            if len(starts) > 1:
                raise CellError(f"地区“{first}”有多个，请写完整路径（省/市/县）")
            if starts:
                base = starts[0]
                path, offset = base.full_name, base.level
                codes = [getattr(base, f"l{i}_code") for i in range(1, base.level + 1)]
                value = value[1:]
        # The deepest segment whose code is already known decides where the path is: a known code
        # wins over the names written above it.
        for index in range(len(value) - 1, -1, -1):
            code = value[index][1]
            if code in self.by_code and self.by_code[code].full_name:
                known = self.by_code[code]
                path, offset = known.full_name, known.level
                codes = [getattr(known, f"l{i}_code") for i in range(1, offset + 1)]
                codes[-1] = known.code
                value = value[index + 1:]
                break
            if code in self.pending_codes:
                pending = next(p for p in self.pending.values() if p["code"] == code)
                path, offset = pending["full_name"], pending["level"]
                codes = [pending[f"l{i}_code"] for i in range(1, offset + 1)]
                value = value[index + 1:]
                break
        level = offset
        for name, code in value:
            level += 1
            path = f"{path}/{name}" if path else name
            known = self.by_path.get(path)
            if known is not None:  # an existing region: continue from its real place in the tree
                path, level = known.full_name, known.level
                codes = [getattr(known, f"l{i}_code") for i in range(1, level + 1)]
                continue
            if path in self.pending:
                codes.append(self.pending[path]["code"])
                continue
            if level > 4:
                raise CellError("地区路径最多四级（省/市/县/乡镇）")
            if len(name) > 100 or len(path) > 300:  # the lengths of regions.name and regions.full_name
                raise CellError("地区名称过长（每级最多 100 个字符，完整路径最多 300 个字符）")
            own = code or synthetic_code(path)
            if own in self.by_code:
                other = self.by_code[own]
                raise CellError(f"地区编码 {own} 已属于“{other.full_name or other.name}”")
            if own in self.pending_codes:
                raise CellError(f"地区编码 {own} 在文件中用于两个不同的地区")
            codes.append(own)
            self.pending_codes.add(own)
            self.pending[path] = dict(code=own, name=name, level=level, full_name=path,
                                      parent_path=path.rsplit("/", 1)[0] if "/" in path else None,
                                      **{f"l{i + 1}_code": c for i, c in enumerate(codes)})
        return codes[-1]

    def create_pending(self) -> int:
        if not self.pending:
            return 0
        rows = [{k: v for k, v in p.items() if k != "parent_path"} for p in self.pending.values()]
        for row in rows:
            for i in range(1, 5):
                row.setdefault(f"l{i}_code", None)
        self.session.execute(insert(Region), rows)
        codes = {p["code"] for p in self.pending.values()}
        ids = {c: i for c, i in self.session.execute(select(Region.code, Region.id).where(Region.code.in_(codes)))}
        ids |= {r.code: r.id for r in self.by_code.values()}
        path_code = {r.full_name: r.code for r in self.by_path.values()} | {
            p: v["code"] for p, v in self.pending.items()}
        parents = [dict(id=ids[p["code"]], parent_id=ids[path_code[p["parent_path"]]])
                   for p in self.pending.values() if p["parent_path"]]
        if parents:
            self.session.execute(update(Region), parents)
        self.by_code.update({c: SimpleNamespace(id=ids[c], code=c) for c in codes})
        return len(rows)

    def region_id(self, code: str) -> int:
        return self.by_code[code].id


@dataclass
class _OrgFile:
    """The file's orgs (by code) beside what the database holds, while the sheet is checked."""
    existing: dict  # code -> the org's row in the database
    system_name: dict[int, str]
    planned: dict[str, dict] = field(default_factory=dict)  # code -> the file's values
    rows: dict[str, Row] = field(default_factory=dict)

    def __post_init__(self):
        self.code_of = {r.id: r.code for r in self.existing.values()}

    def parent_of(self, code: str) -> str | None:
        """The parent: in the file (earlier or later rows) or already in the database."""
        if code in self.planned:
            return self.planned[code]["parent"]
        parent_id = self.existing[code].parent_id if code in self.existing else None
        return self.code_of.get(parent_id)

    def system_of(self, code: str) -> str | None:
        if code in self.planned:
            return self.planned[code]["system"]
        return self.system_name.get(self.existing[code].system_id) if code in self.existing else None

    def name(self, code: str) -> str:
        return ((self.planned.get(code) or {}).get("name")
                or (self.existing[code].name if code in self.existing else code))


def import_sheet(ctx: SheetContext) -> None:
    session = ctx.session
    regions = RegionBook(session)
    systems = dict(session.execute(select(System.name, System.id)).all())
    existing = {r.code: r for r in session.execute(select(
        Org.id, Org.code, Org.name, Org.parent_id, Org.org_type, Org.system_id, Org.region_id,
        Org.cross_system)).all()}
    orgs = _OrgFile(existing, {v: k for k, v in systems.items()})
    _read_rows(ctx, regions, orgs)
    if ctx.allowed_org_ids is not None:
        _check_unit_systems(ctx, orgs)
    _check_parents(ctx, orgs)
    _check_cycles(ctx, orgs)
    _inherit_systems(ctx, orgs)
    if ctx.failed:
        return
    _write(ctx, regions, systems, orgs)


def _inherit_systems(ctx: SheetContext, orgs: _OrgFile) -> None:
    """A blank 所属系统 takes the nearest ancestor's (in the file or the database); a top org needs one."""
    for code, values in orgs.planned.items():
        if values["system"]:
            continue
        if code in orgs.existing:  # a blank cell leaves a known org's system as it is
            values["system"] = orgs.system_name.get(orgs.existing[code].system_id)
            continue
        seen, parent = {code}, values["parent"]
        while parent is not None and parent not in seen and not orgs.system_of(parent):
            seen.add(parent)
            parent = orgs.parent_of(parent) if (parent in orgs.planned or parent in orgs.existing) else None
        if values["parent"] is None:
            ctx.col_error(orgs.rows[code], "system", "顶层组织须填写所属系统（下级组织留空则沿用上级的）")
        elif parent is not None and parent not in seen:
            values["system"] = orgs.system_of(parent)


def _read_rows(ctx: SheetContext, regions: RegionBook, orgs: _OrgFile) -> None:
    seen: dict[str, int] = {}
    for row in ctx.rows:
        code = ctx.get(row, "org_code", required=True)
        values = dict(
            name=ctx.get(row, "org_name", required=True),
            parent=ctx.get(row, "parent_code") or None,
            org_type=ctx.choice(row, "org_type", ORG_TYPES, required=True),
            system=ctx.get(row, "system") or None,  # blank under a parent: the parent's (_inherit_systems)
            cross_system=ctx.get(row, "cross_system", yes_no) or False,
        )
        region_spec = ctx.get(row, "region", _region_spec, required=True)
        if region_spec is not None:
            try:
                values["region"] = regions.resolve(region_spec)
            except CellError as exc:
                ctx.col_error(row, "region", str(exc))
        if code and values["parent"] == code:
            ctx.col_error(row, "parent_code", "上级组织不能是本组织")
        if code and ctx.check_duplicates(seen, code, row, ctx.label("org_code")):
            orgs.planned[code], orgs.rows[code] = values, row
            current = orgs.existing.get(code)
            if ctx.allowed_org_ids is not None and current is not None:
                ctx.in_scope(row, "org_code", current.id)


def _check_unit_systems(ctx: SheetContext, orgs: _OrgFile) -> None:
    """A unit user keeps its orgs in their 所属系统 and gives new ones a system its orgs already have: moving
    an org into another system hands it to that system's leader, and a unit never creates a system."""
    allowed = ctx.allowed_org_ids
    own_systems = {orgs.system_name.get(o.system_id) for o in orgs.existing.values() if o.id in allowed}
    for code, values in orgs.planned.items():
        current, system = orgs.existing.get(code), values["system"]
        if not system or (current is not None and current.id not in allowed):
            continue  # blank, or an org outside the scope (reported on its code)
        if current is not None and system != orgs.system_name.get(current.system_id):
            ctx.col_error(orgs.rows[code], "system", OUT_OF_SCOPE + "（本单位账号不能更改组织的所属系统）")
        elif system not in own_systems:
            ctx.col_error(orgs.rows[code], "system", OUT_OF_SCOPE + "（只能填写本单位组织已有的所属系统）")


def _unit_may_place(ctx: SheetContext, orgs: _OrgFile, code: str, parent: str | None) -> bool:
    """Whether a unit user may give org `code` this parent: an org of its subtree stays inside it, and the
    subtree's own top orgs stay where they are (else their superior would lose them). Errors name nothing
    outside the subtree (docs/import-templates.md, Scope)."""
    allowed, existing, row = ctx.allowed_org_ids, orgs.existing, orgs.rows[code]
    current = existing.get(code)
    if current is not None:
        if current.id not in allowed:
            return False  # reported on its code
        if orgs.code_of.get(current.parent_id) == parent:
            return True  # unchanged
        if current.parent_id is None or current.parent_id not in allowed:
            ctx.col_error(row, "parent_code", OUT_OF_SCOPE + "（不能更改本单位的上级组织）")
            return False
    if parent is None:
        ctx.col_error(row, "parent_code", OUT_OF_SCOPE + ("（不能新建顶层组织）" if current is None else "（不能移出本单位）"))
        return False
    if (existing[parent].id not in allowed) if parent in existing else parent not in orgs.planned:
        ctx.col_error(row, "parent_code", OUT_OF_SCOPE)
        return False
    return True


def _check_parents(ctx: SheetContext, orgs: _OrgFile) -> None:
    planned, existing, allowed = orgs.planned, orgs.existing, ctx.allowed_org_ids
    for code, values in planned.items():
        row, parent = orgs.rows[code], values["parent"]
        if allowed is not None and not _unit_may_place(ctx, orgs, code, parent):
            continue
        if parent is None:
            continue
        if parent not in planned and parent not in existing:
            ctx.col_error(row, "parent_code", "未知的上级组织编码（文件和数据库中都没有）")
            continue
        parent_system = orgs.system_of(parent)
        if values["system"] and parent_system and parent_system != values["system"] and not values["cross_system"]:
            hidden = allowed is not None and parent in existing and existing[parent].id not in allowed
            said = "与上级组织的所属系统不同" if hidden else f"上级组织属于{parent_system}，本组织属于{values['system']}"
            ctx.col_error(row, "parent_code", said + "；确属跨系统隶属请在“跨系统隶属”列填“是”")


def _check_cycles(ctx: SheetContext, orgs: _OrgFile) -> None:
    """Walk up from each file org; the database tree itself is acyclic. A unit user's walk stops at the
    orgs outside its subtree (their rows are errors already): its answer must not tell how they hang."""
    planned, existing, allowed = orgs.planned, orgs.existing, ctx.allowed_org_ids

    def walks(code: str) -> bool:
        known = code in planned or code in existing
        return known and (allowed is None or code not in existing or existing[code].id in allowed)

    reported: set[frozenset] = set()
    for start in planned:
        chain, code = [], start
        while code is not None and code not in chain and len(chain) <= len(planned) + 1:
            chain.append(code)
            code = orgs.parent_of(code) if walks(code) else None
        if code is not None and code in chain:
            cycle = chain[chain.index(code):]
            key = frozenset(cycle)
            if key not in reported and start == cycle[0]:
                reported.add(key)
                names = " → ".join(f"{c}（{orgs.name(c)}）" for c in cycle + [cycle[0]])
                ctx.col_error(orgs.rows[start], "parent_code", f"上级组织形成循环：{names}")


def _write(ctx: SheetContext, regions: RegionBook, systems: dict[str, int], orgs: _OrgFile) -> None:
    session, planned, existing = ctx.session, orgs.planned, orgs.existing
    regions.create_pending()
    new_systems = sorted({v["system"] for v in planned.values()} - set(systems))
    if new_systems:
        session.execute(insert(System), [{"name": n} for n in new_systems])
        systems = dict(session.execute(select(System.name, System.id)).all())

    def fields(values: dict) -> dict:
        return dict(name=values["name"], org_type=values["org_type"], system_id=systems[values["system"]],
                    region_id=regions.region_id(values["region"]), cross_system=values["cross_system"])

    inserts = [dict(code=code, parent_id=None, **fields(v)) for code, v in planned.items() if code not in existing]
    if inserts:
        session.execute(insert(Org), inserts)
    ids = {r.code: r.id for r in existing.values()}
    if inserts:
        ids |= dict(fetch_by(session, [Org.code, Org.id], Org.code, [r["code"] for r in inserts]))
        if ctx.allowed_org_ids is not None:  # created under the unit's own orgs (checked above)
            ctx.allowed_org_ids.update(ids[r["code"]] for r in inserts)
    updates = []
    for code, values in planned.items():
        target = fields(values) | {"parent_id": ids[values["parent"]] if values["parent"] else None}
        current = existing.get(code)
        if current is None:
            ctx.counter.inserted += 1
            if target["parent_id"] is not None:
                updates.append(dict(id=ids[code], parent_id=target["parent_id"]))
            continue
        if all(getattr(current, k) == v for k, v in target.items()):
            ctx.counter.unchanged += 1
            continue
        updates.append(dict(id=current.id, **target))
        ctx.counter.updated += 1
    if updates:
        # Bulk UPDATE by primary key needs uniform keys per batch: group by the key set.
        by_keys: dict[tuple, list] = {}
        for u in updates:
            by_keys.setdefault(tuple(sorted(u)), []).append(u)
        for batch in by_keys.values():
            session.execute(update(Org), batch)
    if inserts or updates:
        session.flush()
        refresh_after_org_change(session)

