"""Reads and writes of the admin pages that are not users: the import log and rule-profile edits of rounds
(docs/views.md). Each round change is logged in round_changes; rates are computed from counts at read time,
so an edit needs nothing recomputed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from domain.names import canonical
from domain.rules import REDLINE_METRICS, SCALES
from data.models import ImportLog, Round, RoundChange, Tally
from data.rollups import bump_version

def import_log(session: Session, username: str | None = None) -> list[ImportLog]:
    """Every import log row, newest first; only `username`'s when given (a unit user sees its own imports).
    No cap: the page's grid pages them on the server and its export takes them all."""
    stmt = select(ImportLog).order_by(ImportLog.imported_at.desc(), ImportLog.id.desc())
    if username is not None:
        stmt = stmt.where(ImportLog.username == username)
    return list(session.scalars(stmt))


class RoundEditError(ValueError):
    """An edit that cannot be saved; the message lists every problem for the person who asked."""


# Editable fields of a round's rule profile, with their Chinese labels (the 评议批次 template's headers).
ROUND_FIELDS = {
    "start_date": "开始日期", "end_date": "结束日期", "report_deadline": "上报截止日期", "scale": "评分标准",
    "redline_metric": "红线指标", "redline": "红线", "min_sample": "最小样本", "confidence": "置信水平",
    "warn_days": "临期天数", "working_days": "按工作日计算", "weight_s": "满意权重", "weight_b": "基本满意权重",
    "weight_u": "不满意权重", "anonymity_threshold": "匿名阈值", "doc_no": "文件号",
}
# Fields only an import sets, named in the change history too.
IMPORT_ONLY_FIELDS = {"contact_min": "联系点下限", "contact_max": "联系点上限", "report_level": "上报层级",
                      "publish_days": "公示期限"}
DATES = ("start_date", "end_date", "report_deadline")
COUNTS = {"min_sample": 1, "warn_days": 0, "anonymity_threshold": 1}  # field -> smallest allowed
WEIGHTS = ("weight_s", "weight_b", "weight_u")


@dataclass(frozen=True)
class RoundChangeRow:
    round: str
    field: str  # Chinese label
    old: str | None
    new: str | None
    changed_by: str
    changed_at: datetime


def has_tallies(session: Session, round_id: int) -> bool:
    return bool(session.scalar(select(exists().where(Tally.round_id == round_id))))


def round_profile(session: Session, name: str) -> tuple[Round, bool]:
    """(round, whether it has tallies) — the form of the 评议批次 settings."""
    rnd = session.scalar(select(Round).where(Round.name == canonical(name)))
    if rnd is None:
        raise RoundEditError(f"未知评议批次：{name}")
    return rnd, has_tallies(session, rnd.id)


def _parse(field: str, raw: object, errors: list[str]):
    label = ROUND_FIELDS[field]
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if field in DATES or field == "doc_no":
            return None
        errors.append(f"{label}不能为空")
        return None
    try:
        if field in DATES:
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip()[:10])
        if field == "scale":
            if raw not in SCALES:
                raise ValueError("应为 " + "/".join(SCALES) + " 之一")
            return raw
        if field == "redline_metric":
            if raw not in REDLINE_METRICS:
                raise ValueError("应为 " + "/".join(REDLINE_METRICS) + " 之一")
            return raw
        if field == "working_days":
            return bool(raw)
        if field == "doc_no":
            value = str(raw).strip()
            if len(value) > 100:
                raise ValueError("最长 100 字")
            return value
        if field in COUNTS:
            value = float(raw)
            if not value.is_integer() or value < COUNTS[field]:
                raise ValueError(f"应为不小于 {COUNTS[field]} 的整数")
            return int(value)
        value = float(raw)
        if field == "confidence" and not 0.5 <= value < 1:
            raise ValueError("应在 0.5 到 0.999 之间（如 0.95）")
        if field in WEIGHTS and not 0 <= value <= 100:
            raise ValueError("应在 0 到 100 之间")
        return value
    except (TypeError, ValueError) as exc:
        # Our own messages are Chinese; Python's (float('x'), fromisoformat) are not for the user.
        reason = str(exc) if str(exc)[:1] >= "\u2e80" else "格式不正确"
        errors.append(f"{label}：{reason}（{raw}）")
        return None


def _show(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else f"{value:.6g}"
    return value.isoformat() if isinstance(value, date) else str(value)


def update_round(session: Session, name: str, values: dict[str, object], changed_by: str,
                 now: datetime | None = None) -> list[RoundChange]:
    """Set the given profile fields of a round; every changed field is logged (who, old, new).
    Checks everything first and raises RoundEditError with every problem, changing nothing."""
    rnd, tallied = round_profile(session, name)
    unknown = set(values) - set(ROUND_FIELDS)
    if unknown:
        raise RoundEditError("不能修改的字段：" + "、".join(sorted(unknown)))
    errors: list[str] = []
    parsed = {f: _parse(f, raw, errors) for f, raw in values.items()}
    new = {f: parsed[f] if f in parsed else getattr(rnd, f) for f in ROUND_FIELDS}
    if "scale" in parsed and parsed["scale"] and parsed["scale"] != rnd.scale and tallied:
        errors.append(f"该批次已有测评数据，不能把评分标准从{rnd.scale}改为{parsed['scale']}")
    redline = new["redline"]
    if redline is not None and "redline" in parsed:
        if new["redline_metric"] == "测评得分" and not 0 <= redline <= 100:
            errors.append("红线：测评得分的红线应在 0 到 100 分之间")
        elif new["redline_metric"] != "测评得分" and not 0 < redline <= 1:
            errors.append("红线：应为 0 到 1 之间的比率（如 0.6667 表示 2/3）")
    if new["start_date"] and new["end_date"] and new["end_date"] < new["start_date"]:
        errors.append("结束日期早于开始日期")
    if errors:
        raise RoundEditError("；".join(errors))
    changes = []
    for field, value in parsed.items():
        old = getattr(rnd, field)
        if value == old:
            continue
        changes.append(RoundChange(round_id=rnd.id, field=field, old_value=_show(old), new_value=_show(value),
                                   changed_by=changed_by[:100], changed_at=now or datetime.now().replace(microsecond=0)))
        setattr(rnd, field, value)
    session.add_all(changes)
    if changes:  # the figures rest on the profile: caches keyed by the data version must not serve old ones
        bump_version(session)
    session.flush()
    return changes


def round_changes(session: Session, name: str | None = None) -> list[RoundChangeRow]:
    """The change history of one round (every round when None), newest first, uncapped."""
    stmt = (select(RoundChange, Round.name).join(Round, Round.id == RoundChange.round_id)
            .order_by(RoundChange.changed_at.desc(), RoundChange.id.desc()))
    if name:
        stmt = stmt.where(Round.name == canonical(name))
    return [RoundChangeRow(n, (ROUND_FIELDS | IMPORT_ONLY_FIELDS).get(c.field, c.field), c.old_value, c.new_value, c.changed_by,
                           c.changed_at) for c, n in session.execute(stmt)]
