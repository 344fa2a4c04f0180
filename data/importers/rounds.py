"""评议批次: rounds and their rule profiles (docs/metrics.md). Each changed field of an existing round is logged
in round_changes."""
from __future__ import annotations

from sqlalchemy import exists, insert, select

from domain.rules import ORG_TYPES, REDLINE_METRICS, SCALE_ALIASES
from data.importers.base import OUT_OF_SCOPE, SheetContext
from data.importers.normalise import (
    CellError, key_text, parse_date, parse_number, parse_optional_count, parse_ratio, text, yes_no)
from data.importers.refs import DEFAULT_PROFILE, default_round_values
from data.models import Round, RoundChange, Tally

FIELDS = ("start_date", "end_date", "report_deadline", "scale", "redline_metric", "redline", "min_sample",
          "confidence", "warn_days", "working_days", "weight_s", "weight_b", "weight_u",
          "anonymity_threshold", "doc_no", "contact_min", "contact_max", "report_level",
          "publish_days")


def _scale(raw: object) -> str | None:
    value = text(raw).replace("级制", "级")
    if value == "":
        return None
    if value not in SCALE_ALIASES:
        raise CellError("应为 三级/四级/五级/民主评议党员 之一")
    return SCALE_ALIASES[value]


def _confidence(raw: object) -> float | None:
    value = parse_ratio(raw)
    if value is not None and not 0.5 <= value < 1:
        raise CellError("置信水平应在 50% 到 99.9% 之间")
    return value


def _points(raw: object) -> float | None:
    """A red line for 测评得分 is in points (e.g. 60); '60%' of a 100-point scale is 60 too."""
    value = text(raw)
    if value == "":
        return None
    if value.endswith("%"):
        return parse_number(value[:-1])
    return parse_number(value)


def import_sheet(ctx: SheetContext) -> None:
    session = ctx.session
    if ctx.allowed_org_ids is not None:
        for row in ctx.rows:
            ctx.col_error(row, "round", OUT_OF_SCOPE + "（评议批次和评议规则只能由管理员导入）")
        return
    parsed: dict[str, tuple[int, dict]] = {}
    seen: dict[str, int] = {}
    names = {key_text("round", row.cells.get("round", "")) for row in ctx.rows}
    existing = {r.name: r for r in session.scalars(select(Round).where(Round.name.in_(names)))}
    for row in ctx.rows:
        name = ctx.get(row, "round", required=True)
        values = {
            "start_date": ctx.get(row, "start_date", parse_date),
            "end_date": ctx.get(row, "end_date", parse_date),
            "report_deadline": ctx.get(row, "report_deadline", parse_date),
            "scale": ctx.get(row, "scale", _scale),
            "redline_metric": ctx.choice(row, "redline_metric", REDLINE_METRICS),
            "min_sample": ctx.get(row, "min_sample", parse_optional_count),
            "confidence": ctx.get(row, "confidence", _confidence),
            "warn_days": ctx.get(row, "warn_days", parse_optional_count),
            "working_days": ctx.get(row, "working_days", yes_no),
            "weight_s": ctx.get(row, "weight_s", parse_number),
            "weight_b": ctx.get(row, "weight_b", parse_number),
            "weight_u": ctx.get(row, "weight_u", parse_number),
            "anonymity_threshold": ctx.get(row, "anonymity_threshold", parse_optional_count),
            "doc_no": ctx.get(row, "doc_no") or None,
            "contact_min": ctx.get(row, "contact_min", parse_optional_count),
            "contact_max": ctx.get(row, "contact_max", parse_optional_count),
            "report_level": ctx.choice(row, "report_level", ORG_TYPES),
            "publish_days": ctx.get(row, "publish_days", parse_optional_count),
        }
        # A red line is a rate, or points when the round's metric (given here or kept) is 测评得分.
        current = existing.get(name)
        metric = values["redline_metric"] or (current.redline_metric if current else None)
        values["redline"] = ctx.get(row, "redline", _points if metric == "测评得分" else parse_ratio)
        if (metric == "测评得分" and values["redline"] is None
                and not (current and current.redline_metric == "测评得分")):
            ctx.col_error(row, "redline", "红线指标为测评得分时须填写红线分值")
        _check_ranges(ctx, row, values, current)
        if name and ctx.check_duplicates(seen, name, row, ctx.label("round")):
            parsed[name] = (row.number, values)

    tallied = set(session.scalars(select(Round.name).where(
        Round.name.in_(list(parsed)), exists().where(Tally.round_id == Round.id))))
    rows = {row.number: row for row in ctx.rows}
    for name, (number, values) in parsed.items():
        current = existing.get(name)
        if current is not None and values["scale"] and values["scale"] != current.scale and name in tallied:
            ctx.col_error(rows[number], "scale",
                          f"该批次已有测评数据，不能把评分标准从{current.scale}改为{values['scale']}")
    if ctx.failed:
        return

    new_rows, changes = [], []
    for name, (number, values) in parsed.items():
        given = {k: v for k, v in values.items() if v is not None}
        current = existing.get(name)
        if current is None:
            new_rows.append(default_round_values(name) | {f: None for f in ("start_date", "end_date",
                            "report_deadline", "doc_no", "report_level")} | given)
            ctx.counter.inserted += 1
            continue
        changed = {k: v for k, v in given.items() if getattr(current, k) != v}
        if not changed:
            ctx.counter.unchanged += 1
            continue
        for field, value in changed.items():
            changes.append(dict(round_id=current.id, field=field, old_value=_show(getattr(current, field)),
                                new_value=_show(value), changed_by=ctx.username, changed_at=ctx.now))
            setattr(current, field, value)
        ctx.counter.updated += 1
    if new_rows:
        session.execute(insert(Round), new_rows)
    if changes:
        session.execute(insert(RoundChange), changes)
    session.flush()


def _check_ranges(ctx: SheetContext, row, values: dict, current: Round | None) -> None:
    """结束日期 not before 开始日期; 联系点下限 not above 联系点上限 (a blank one is the round's or the default)."""
    start, end = values["start_date"], values["end_date"]
    if start and end and end < start:
        ctx.col_error(row, "end_date", "结束日期早于开始日期")
    low = values["contact_min"] if values["contact_min"] is not None else (
        current.contact_min if current else DEFAULT_PROFILE.contact_min)
    high = values["contact_max"] if values["contact_max"] is not None else (
        current.contact_max if current else DEFAULT_PROFILE.contact_max)
    if low > high:
        ctx.col_error(row, "contact_max" if values["contact_max"] is not None else "contact_min",
                      f"联系点上限（{high}）小于联系点下限（{low}）")


def _show(value: object) -> str | None:
    return None if value is None else text(value)
