"""党员名册: members of orgs (正式/预备)."""
from __future__ import annotations

from data.importers.base import OUT_OF_SCOPE, SheetContext, check_keys, fetch_by, upsert
from data.importers.refs import resolve_orgs
from data.models import Member

CATEGORIES = ("正式", "预备")
_CATEGORY_ALIASES = {"正式党员": "正式", "预备党员": "预备"}


def import_sheet(ctx: SheetContext) -> None:
    org_ids = resolve_orgs(ctx)
    planned = {}
    for row, code in check_keys(ctx, "member_code"):
        raw_category = ctx.get(row, "member_category")
        category = _CATEGORY_ALIASES.get(raw_category, raw_category) or "正式"
        if category not in CATEGORIES:
            ctx.col_error(row, "member_category", "应为 正式/预备 之一")
        values = dict(code=code, name=ctx.get(row, "member_name", required=True),
                      org_id=org_ids.get(row.number), category=category,
                      position=ctx.get(row, "position") or None)
        planned[code] = values
    if ctx.failed:
        return
    existing = {r.code: r for r in fetch_by(ctx.session, [Member.id, Member.code, Member.name, Member.org_id,
                                                          Member.category, Member.position],
                                            Member.code, planned)}
    if ctx.allowed_org_ids is not None:
        rows = {code: row for row, code in check_keys(ctx, "member_code", report=False)}
        for code, current in existing.items():
            if current.org_id not in ctx.allowed_org_ids:
                ctx.col_error(rows[code], "member_code", OUT_OF_SCOPE)
        if ctx.failed:
            return
    upsert(ctx, Member, planned, existing, ("name", "org_id", "category", "position"))
    ctx.session.flush()
