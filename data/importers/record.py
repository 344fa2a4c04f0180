"""领导点评 and 公示反馈 (docs/import-templates.md): a leader's graded review of an org's work, naming the
problems it raised in 整改台账, and when an org's results were published and fed back."""
from __future__ import annotations

import re

from sqlalchemy import select

from domain.record import COMMENT_GRADES
from data.importers.base import SheetContext, check_keys, fetch_by_tuple, upsert
from data.importers.normalise import parse_date
from data.importers.refs import resolve_orgs
from data.models import LeaderComment, OrgClosure, Publication, Rectification, Round

COMMENT_FIELDS = ("org_id", "commenter", "commented_on", "grade", "opinion", "problem_codes")
PUBLICATION_FIELDS = ("published_on", "method", "feedback_on", "feedback_to")
_CODE_SEPARATORS = re.compile(r"[、,，;；\s]+")
MAX_PROBLEMS = 50


def _known_rounds(ctx: SheetContext) -> dict[str, int]:
    """Round ids by name of the rounds the sheet names; these templates never create a round."""
    names = {ctx.get(row, "round") for row in ctx.rows} - {None, ""}
    return dict(ctx.session.execute(select(Round.name, Round.id).where(Round.name.in_(names))).all())


def _problem_codes(ctx: SheetContext, row) -> list[str]:
    codes = list(dict.fromkeys(c for c in _CODE_SEPARATORS.split(ctx.get(row, "problem_codes") or "") if c))
    if len(codes) > MAX_PROBLEMS:
        ctx.col_error(row, "problem_codes", f"最多列出 {MAX_PROBLEMS} 个问题编号")
        return []
    if any(len(c) > 60 for c in codes):
        ctx.col_error(row, "problem_codes", "问题编号过长（每个最多 60 个字符）")
        return []
    return codes


def _check_problems(ctx: SheetContext, links: list[tuple]) -> None:
    """Each named 问题编号 must be a problem of the comment's org (or an org under it) in the round's 整改台账;
    a code elsewhere is answered like one that exists nowhere, so nothing outside the org is confirmed."""
    wanted = {(round_id, code) for row, round_id, org_id, codes in links for code in codes}
    found: dict[tuple[int, str], set[int]] = {}
    for round_id, code, org_id in fetch_by_tuple(ctx.session, [Rectification.round_id, Rectification.code,
                                                               Rectification.org_id],
                                                 [Rectification.round_id, Rectification.code], wanted):
        found.setdefault((round_id, code), set()).add(org_id)
    orgs = {org_id for row, round_id, org_id, codes in links}
    below = {(a, d) for a, d in ctx.session.execute(select(OrgClosure.ancestor_id, OrgClosure.descendant_id)
                                                     .where(OrgClosure.ancestor_id.in_(orgs)))} if orgs else set()
    for row, round_id, org_id, codes in links:
        missing = [c for c in codes if not any((org_id, o) in below for o in found.get((round_id, c), ()))]
        if missing:
            ctx.col_error(row, "problem_codes", "整改台账中没有本组织（或其下级组织）该批次的问题编号："
                          + "、".join(missing))


def import_comments(ctx: SheetContext) -> None:
    """Rows keyed by 评议批次 + 点评编号."""
    org_ids = resolve_orgs(ctx)
    known = _known_rounds(ctx)
    planned, links = {}, []
    for row, (round_name, code) in check_keys(ctx, "round", "comment_code"):
        values = dict(commenter=ctx.get(row, "commenter", required=True),
                      commented_on=ctx.get(row, "commented_on", parse_date, required=True),
                      grade=ctx.choice(row, "grade", COMMENT_GRADES),
                      opinion=ctx.get(row, "opinion", required=True))
        codes = _problem_codes(ctx, row)
        if round_name not in known:
            ctx.col_error(row, "round", "未知的评议批次（请先导入评议批次）")
            continue
        if row.number in org_ids:
            round_id, org_id = known[round_name], org_ids[row.number]
            links.append((row, round_id, org_id, codes))
            planned[(round_id, code)] = dict(round_id=round_id, org_id=org_id, code=code,
                                             problem_codes="、".join(codes) or None, **values)
    _check_problems(ctx, [link for link in links if link[3]])
    if ctx.failed:
        return
    c = LeaderComment
    existing = {(e.round_id, e.code): e for e in fetch_by_tuple(
        ctx.session, [c.id, c.round_id, c.code, *[getattr(c, f) for f in COMMENT_FIELDS]], [c.round_id, c.code],
        planned)}
    if ctx.allowed_org_ids is not None:  # a unit may not take over another unit's comment
        rows = {(known[r], code): row for row, (r, code) in check_keys(ctx, "round", "comment_code", report=False)
                if r in known}
        for key, current in existing.items():
            if current.org_id not in ctx.allowed_org_ids:
                ctx.col_error(rows[key], "comment_code", "不在本单位范围内")
        if ctx.failed:
            return
    upsert(ctx, LeaderComment, planned, existing, COMMENT_FIELDS)
    ctx.session.flush()


def import_publications(ctx: SheetContext) -> None:
    """Rows keyed by 评议批次 + 组织编码."""
    org_ids = resolve_orgs(ctx)
    known = _known_rounds(ctx)
    planned = {}
    for row, (round_name, _code) in check_keys(ctx, "round", "org_code"):
        values = dict(published_on=ctx.get(row, "published_on", parse_date), method=ctx.get(row, "method") or None,
                      feedback_on=ctx.get(row, "feedback_on", parse_date),
                      feedback_to=ctx.get(row, "feedback_to") or None)
        if round_name not in known:
            ctx.col_error(row, "round", "未知的评议批次（请先导入评议批次）")
            continue
        if values["published_on"] and values["feedback_on"] and values["feedback_on"] < values["published_on"]:
            ctx.col_error(row, "feedback_on", "反馈日期早于公示日期")
        if values["method"] and not values["published_on"] and not ctx.get(row, "published_on"):
            ctx.col_error(row, "published_on", "填了公示方式但未填公示日期")
        if values["feedback_to"] and not values["feedback_on"] and not ctx.get(row, "feedback_on"):
            ctx.col_error(row, "feedback_on", "填了反馈对象但未填反馈日期")
        if row.number in org_ids:
            key = (known[round_name], org_ids[row.number])
            planned[key] = dict(round_id=key[0], org_id=key[1], **values)
    if ctx.failed:
        return
    p = Publication
    existing = {(e.round_id, e.org_id): e for e in fetch_by_tuple(
        ctx.session, [p.id, p.round_id, p.org_id, *[getattr(p, f) for f in PUBLICATION_FIELDS]],
        [p.round_id, p.org_id], planned)}
    upsert(ctx, Publication, planned, existing, PUBLICATION_FIELDS)
    ctx.session.flush()
