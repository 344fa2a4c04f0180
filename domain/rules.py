"""Rule profiles (评议规则, docs/metrics.md): scales, buckets, red line, samples, windows. Pure: no project imports."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

S, B, U, X = "S", "B", "U", "X"

# Option texts of every counted position, in order (opt1..opt5). 不了解 and 弃权 are always X and are kept
# in their own columns, so they are not listed here.
SCALES: dict[str, tuple[tuple[str, str], ...]] = {
    "三级": (("满意", S), ("基本满意", B), ("不满意", U)),
    "四级": (("满意", S), ("比较满意", S), ("基本满意", B), ("不满意", U)),
    "五级": (("非常满意", S), ("满意", S), ("基本满意", B), ("不满意", U), ("非常不满意", U)),
    "民主评议党员": (("优秀", S), ("合格", S), ("基本合格", B), ("不合格", U)),
}
# Synonyms accepted on a form for an option position of a scale (好/一般/差 ≡ the three-level scale).
SYNONYMS: dict[str, dict[str, str]] = {
    "三级": {"好": "满意", "一般": "基本满意", "差": "不满意"},
}
UNKNOWN, ABSTAIN = "不了解", "弃权"
SCALE_ALIASES = {"3": "三级", "三级": "三级", "4": "四级", "四级": "四级", "5": "五级", "五级": "五级",
                 "民主评议党员": "民主评议党员", "党员": "民主评议党员"}
REDLINE_METRICS = ("综合满意率", "满意率", "测评得分")
# What each scale's users call the bucket rates (docs/metrics.md): on the 民主评议党员 form 综合满意率 is 合格率
# (every grade but 不合格) and 满意率 is 优秀合格率. The formulas stay those of domain.metrics.
RATE_LABELS: dict[str, dict[str, str]] = {
    "民主评议党员": {"满意率": "优秀合格率", "基本满意率": "基本合格率", "不满意率": "不合格率", "综合满意率": "合格率"},
}
FIRST, RECHECK = "首评", "复评"  # 测评轮次: an org's 复评 rows stand for its figures once it has any
PHASES = (FIRST, RECHECK)
ORG_TYPES = ("党委", "党总支", "党支部", "领导班子", "单位")  # 组织类型
# 问题来源 offered as choices and filters; a ledger may carry any other source, kept as written.
KNOWN_SOURCES = ("群众评议", "领导点评", "督导反馈", "个别访谈", "回头看")
EVALUATOR_CATEGORIES = ("单位参评人员", "全评参评人员", "服务对象", "两代表一委员", "党员", "群众代表", "其他")


def option_names(scale: str) -> list[str]:
    return [name for name, _ in SCALES[scale]]


def option_position(scale: str, text: str) -> int | str | None:
    """Where an answer text counts: 0-based option position, "unknown", "abstain", or None (not in scale)."""
    text = (text or "").strip()
    if text == "" or text == ABSTAIN:
        return "abstain"
    if text == UNKNOWN:
        return "unknown"
    text = SYNONYMS.get(scale, {}).get(text, text)
    names = option_names(scale)
    return names.index(text) if text in names else None


@dataclass(frozen=True)
class RuleProfile:
    scale: str = "三级"
    redline_metric: str = "综合满意率"
    redline: float = 2 / 3
    min_sample: int = 10
    confidence: float = 0.95
    warn_days: int = 3
    working_days: bool = False
    weight_s: float = 100
    weight_b: float = 60
    weight_u: float = 0
    anonymity_threshold: int = 5
    doc_no: str | None = None
    contact_min: int = 2  # 联系点 per supervised unit: fewer is 联系点不足
    contact_max: int = 3  # more is 联系点过多 (a 盆景 of showcase points)
    publish_days: int = 15  # 公示期限: results are published within this many days of the round's end

    @cached_property  # asked once per org by bucketize: hundreds of thousands of times at province scale
    def buckets(self) -> tuple[str, ...]:
        return tuple(bucket for _, bucket in SCALES[self.scale])

    @property
    def options(self) -> list[str]:
        return option_names(self.scale)

    def rate_label(self, name: str) -> str:
        """A rate's name as the users of this scale say it (合格率 for 综合满意率 on 民主评议党员)."""
        return RATE_LABELS.get(self.scale, {}).get(name, name)

    def redline_text(self) -> str:
        """The red line that applies, e.g. 综合满意率 ≥ 2/3，最小样本 10 (an export's title block)."""
        if self.redline_metric == "测评得分":
            line = f"{self.redline:g} 分"
        elif abs(self.redline - 2 / 3) < 1e-9:
            line = "2/3"
        else:
            line = f"{self.redline:.2%}".replace(".00%", "%")
        return f"{self.rate_label(self.redline_metric)} ≥ {line}，最小样本 {self.min_sample}"

    def title_lines(self) -> list[tuple[str, str]]:
        """The round's lines of an export's title block: its 文件号 and the red line that applies."""
        return [("文件号", self.doc_no or "—"), ("红线", self.redline_text())]

    @classmethod
    def from_record(cls, record: object) -> "RuleProfile":
        """Build from any object (e.g. a Round row) with attributes named like the fields."""
        names = cls.__dataclass_fields__
        return cls(**{n: getattr(record, n) for n in names if getattr(record, n, None) is not None})


@dataclass(frozen=True)
class Counts:
    """Answer counts by option position (opt[0..4]) plus 不了解 and 弃权."""

    opt: tuple[int, ...] = (0, 0, 0, 0, 0)
    unknown: int = 0
    abstain: int = 0

    @classmethod
    def of(cls, row: Mapping[str, int] | object) -> "Counts":
        get = row.get if isinstance(row, Mapping) else (lambda k, d=0: getattr(row, k, d))
        return cls(tuple(int(get(f"opt{i}", 0) or 0) for i in range(1, 6)),
                   int(get("unknown", 0) or 0), int(get("abstain", 0) or 0))

    @classmethod
    def of_values(cls, values) -> "Counts":
        """From opt1..opt5, 不了解, 弃权 in that order (data.models.COUNT_COLUMNS), e.g. a result row's
        slice: several times faster than of() on the hundreds of thousands of rows of a province."""
        a, b, c, d, e, unknown, abstain = (int(v or 0) for v in values)
        return cls((a, b, c, d, e), unknown, abstain)

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(tuple(a + b for a, b in zip(self.opt, other.opt)),
                      self.unknown + other.unknown, self.abstain + other.abstain)

    def __sub__(self, other: "Counts") -> "Counts":  # a pool less a part of it (a unit less its contact points)
        return Counts(tuple(a - b for a, b in zip(self.opt, other.opt)),
                      self.unknown - other.unknown, self.abstain - other.abstain)

    @property
    def total_answers(self) -> int:
        return sum(self.opt) + self.unknown + self.abstain


@dataclass(frozen=True)
class Buckets:
    s: int = 0
    b: int = 0
    u: int = 0
    x: int = 0

    @property
    def n(self) -> int:
        return self.s + self.b + self.u


def bucketize(counts: Counts, profile: RuleProfile) -> Buckets:
    sums = {S: 0, B: 0, U: 0}
    for value, bucket in zip(counts.opt, profile.buckets):
        sums[bucket] += value
    extra = sum(counts.opt[len(profile.buckets):])  # positions the scale does not use: never counted
    return Buckets(sums[S], sums[B], sums[U], counts.unknown + counts.abstain + extra)


__all__ = [
    "S", "B", "U", "X", "SCALES", "SYNONYMS", "UNKNOWN", "ABSTAIN", "SCALE_ALIASES", "REDLINE_METRICS",
    "EVALUATOR_CATEGORIES", "KNOWN_SOURCES", "ORG_TYPES", "FIRST", "RECHECK", "PHASES", "RATE_LABELS", "RuleProfile", "Counts", "Buckets", "bucketize", "option_names",
    "option_position",
]
