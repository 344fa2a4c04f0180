"""Every formula of docs/metrics.md, as pure functions of counts and dates.

One definition used everywhere: reports, exports, the UI and the API all come through here. Time is
always a parameter (`as_of`); "no data" is None, never 0.
"""
from __future__ import annotations

import functools
import itertools

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import NormalDist
from typing import Callable, Iterable

import numpy as np

from domain.rules import B, S, U, Buckets, Counts, RuleProfile

# Verdicts (红线判定)
INSUFFICIENT, CONFIRMED_BELOW, SUSPECTED_BELOW, MEETS = "样本不足", "确认低于", "疑似低于", "达标"
CANDIDATE_VERDICTS = (CONFIRMED_BELOW, SUSPECTED_BELOW)  # 返工/补课 candidates
# Lights
RED, YELLOW, GREEN = "红", "黄", "绿"
LATE_DONE = "逾期完成"
DONE_STATUSES = ("已完成", "已销号")
PLEDGE_DONE = "已兑现"


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or not den:
        return None
    return num / den


# ---------------------------------------------------------------------------------------- ballots
def rates(b: Buckets, profile: RuleProfile) -> dict[str, float | None]:
    """满意率, 基本满意率, 不满意率, 综合满意率, 测评得分 of the bucket counts (None when N = 0)."""
    n = b.n
    score = None
    if n:
        score = (profile.weight_s * b.s + profile.weight_b * b.b + profile.weight_u * b.u) / n
    return {
        "满意率": ratio(b.s, n),
        "基本满意率": ratio(b.b, n),
        "不满意率": ratio(b.u, n),
        "综合满意率": ratio(b.s + b.b, n),
        "测评得分": score,
    }


def option_shares(counts: Counts, profile: RuleProfile) -> dict[str, float | None]:
    """Share of each option of a scale with more than three options, e.g. 比较满意率; {} otherwise."""
    options = profile.options
    if len(options) <= 3:
        return {}
    n = sum(counts.opt[: len(options)])
    return {f"{name}率": ratio(counts.opt[i], n) for i, name in enumerate(options)}


@functools.cache  # a handful of confidences; the red line asks it for every org and item (24,000 at province)
def z_value(confidence: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def wilson(k: float, n: int, confidence: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson score interval of the proportion k/n."""
    if not n:
        return None, None
    z = z_value(confidence)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class RedLine:
    n: int
    value: float | None  # the red-line metric
    low: float | None
    high: float | None
    verdict: str


def _metric_k(s, b, u, profile: RuleProfile):
    """(k, scale) with the red-line metric = k / n × scale, of bucket counts or of numpy arrays of them."""
    metric = profile.redline_metric
    if metric == "满意率":
        return s, 1.0
    if metric == "测评得分":
        scale = max(profile.weight_s, profile.weight_b, profile.weight_u) or 1.0
        return (profile.weight_s * s + profile.weight_b * b + profile.weight_u * u) / scale, scale
    return s + b, 1.0


def redline_values(counts: np.ndarray, profile: RuleProfile) -> np.ndarray:
    """redline(bucketize(c, profile), profile).value of every c along the last axis of counts (opt1..opt5,
    不了解, 弃权) at once, NaN where no answer counts: 红线's lowest items of a province's 1,000 candidates
    took 8,000 calls of redline."""
    return redlines(counts, profile).value


def redline(b: Buckets, profile: RuleProfile) -> RedLine:
    """The red-line metric, its Wilson interval and the verdict (docs/metrics.md).

    For 测评得分 the score is a weighted proportion of the top weight, so its interval is the Wilson
    interval of score / max weight, scaled back to points.
    """
    n = b.n
    if not n:
        return RedLine(0, None, None, None, INSUFFICIENT)
    k, scale = _metric_k(b.s, b.b, b.u, profile)
    lo, hi = wilson(k, n, profile.confidence)
    value, lo, hi = k / n * scale, lo * scale, hi * scale
    if n < profile.min_sample:
        verdict = INSUFFICIENT
    elif hi < profile.redline:
        verdict = CONFIRMED_BELOW
    elif value < profile.redline:
        verdict = SUSPECTED_BELOW
    else:
        verdict = MEETS
    return RedLine(n, value, lo, hi, verdict)


VERDICTS = (INSUFFICIENT, CONFIRMED_BELOW, SUSPECTED_BELOW, MEETS)


@dataclass(frozen=True)
class RedLines:
    """redline() of many count rows at once, as arrays (value, low, high NaN where n is 0; verdict an index
    into VERDICTS); at(i) is the RedLine of row i."""
    n: np.ndarray
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    verdict: np.ndarray

    def take(self, rows) -> "RedLines":
        return RedLines(self.n[rows], self.value[rows], self.low[rows], self.high[rows], self.verdict[rows])

    def at(self, i: int) -> RedLine:
        if not self.n[i]:
            return RedLine(0, None, None, None, INSUFFICIENT)
        return RedLine(int(self.n[i]), float(self.value[i]), float(self.low[i]), float(self.high[i]),
                       VERDICTS[self.verdict[i]])


def redlines(counts: np.ndarray, profile: RuleProfile) -> RedLines:
    """redline(bucketize(c, profile), profile) of every row c of counts (opt1..opt5, 不了解, 弃权) at once:
    the same arithmetic in the same order, so the figures are equal, not only close. 薄弱排名 ranks every org
    of a province (100,000 calls of redline took 4 s there)."""
    s, b, u = (counts[..., [i for i, x in enumerate(profile.buckets) if x == bucket]].sum(axis=-1)
               for bucket in (S, B, U))
    n = s + b + u
    k, scale = _metric_k(s, b, u, profile)
    z, some = z_value(profile.confidence), np.where(n > 0, n, 1)
    p = k / some
    denom = 1 + z * z / some
    centre = (p + z * z / (2 * some)) / denom
    half = z * np.sqrt(p * (1 - p) / some + z * z / (4 * some * some)) / denom
    empty = n == 0
    value, low, high = (np.where(empty, np.nan, x) for x in (
        k / some * scale, np.maximum(0.0, centre - half) * scale, np.minimum(1.0, centre + half) * scale))
    verdict = np.select([n < profile.min_sample, high < profile.redline, value < profile.redline],
                        [0, 1, 2], default=3)
    return RedLines(n, value, low, high, np.where(empty, 0, verdict).astype(np.int8))


def funnel_limits(pooled: float, n: int, confidence: float) -> tuple[float, float]:
    """Control limits of a funnel plot around the pooled proportion for a sample of n."""
    half = z_value(confidence) * math.sqrt(pooled * (1 - pooled) / n) if n else 0.0
    return max(0.0, pooled - half), min(1.0, pooled + half)


def funnel_lower_limits(pooled: float, n: np.ndarray, confidence: float) -> np.ndarray:
    """funnel_limits' lower limit for every sample size of n (all > 0) at once: a province has 100,000 orgs."""
    return np.maximum(0.0, pooled - z_value(confidence) * np.sqrt(pooled * (1 - pooled) / n))


def suppressed(answers: int, profile: RuleProfile) -> bool:
    """A breakdown cell with fewer answers than the anonymity threshold shows counts only ("<5")."""
    return answers < profile.anonymity_threshold


# ---------------------------------------------------------------------------------------- 民主评议党员
# A member is flagged when the U bucket (不合格 / 差) holds more than this share of N (the graded answers).
MEMBER_FAIL_SHARE = (1, 3)
# 优秀 quota: at most this share of an org's graded members may be rated 优秀. A member counts as rated 优秀
# when 优秀 (the scale's first option) got more than half of N; the org is flagged when more than this
# share of its graded members (预备党员 excluded: never graded) were so rated.
EXCELLENT_MAJORITY = (1, 2)
EXCELLENT_QUOTA = (1, 3)


def fails_over_third(u: int, n: int) -> bool:
    """不合格/差 above MEMBER_FAIL_SHARE of N (strictly: exactly one third is not flagged)."""
    num, den = MEMBER_FAIL_SHARE
    return n > 0 and u * den > n * num


def rated_excellent(excellent: int, n: int) -> bool:
    """A majority (more than half of N) chose 优秀."""
    num, den = EXCELLENT_MAJORITY
    return n > 0 and excellent * den > n * num


def excellent_over_quota(excellent_members: int, graded_members: int) -> bool:
    """More than EXCELLENT_QUOTA of the graded members were rated 优秀."""
    num, den = EXCELLENT_QUOTA
    return graded_members > 0 and excellent_members * den > graded_members * num


# ---------------------------------------------------------------------------------------- sessions
def participation_rate(returned: int | None, expected: int | None) -> float | None:
    return ratio(returned, expected)


def session_void(issued: int | None, returned: int | None) -> bool:
    return issued is not None and returned is not None and returned > issued


# ---------------------------------------------------------------------------------------- dates
def _is_workday(day: date) -> bool:
    try:
        import chinese_calendar

        return chinese_calendar.is_workday(day)
    except (ImportError, NotImplementedError):  # a year the calendar does not cover: weekdays only
        return day.weekday() < 5


@functools.lru_cache(maxsize=4096)  # a ledger's items share a few hundred deadlines; a working-day count walks the days
def days_late(deadline: date, as_of: date, working_days: bool = False,
              is_workday: Callable[[date], bool] = _is_workday) -> int:
    """Days from deadline to as_of (0 when not past): calendar days, or Chinese working days."""
    if as_of <= deadline:
        return 0
    if not working_days:
        return (as_of - deadline).days
    return sum(1 for i in range(1, (as_of - deadline).days + 1) if is_workday(deadline + timedelta(days=i)))


def days_left(deadline: date, as_of: date, working_days: bool = False,
              is_workday: Callable[[date], bool] = _is_workday) -> int:
    """Days from as_of until the deadline (0 on the day itself), counted like days_late."""
    return days_late(as_of, deadline, working_days, is_workday)  # the same count with the two dates swapped


def late_from(as_of: date, working_days: bool = False,
              is_workday: Callable[[date], bool] = _is_workday) -> date:
    """days_late(deadline, as_of) > 0 exactly when deadline < this day: the last counted day up to as_of
    (as_of itself for calendar days). Lets a database sort and filter by 超期天数 > 0 on the stored deadline."""
    day = as_of
    while working_days and not is_workday(day):
        day -= timedelta(days=1)
    return day


def soon_until(as_of: date, warn_days: int, working_days: bool = False,
               is_workday: Callable[[date], bool] = _is_workday) -> date:
    """days_left(deadline, as_of) <= warn_days for a deadline from as_of on exactly when deadline <= this day
    (the day before as_of when no deadline qualifies). days_left grows with the deadline, so this is a bound."""
    if warn_days < 0:
        return as_of - timedelta(days=1)
    if not working_days:
        return as_of + timedelta(days=warn_days)
    day, counted = as_of, 0
    while True:
        nxt = day + timedelta(days=1)
        counted += is_workday(nxt)
        if counted > warn_days:
            return day
        day = nxt


# ---------------------------------------------------------------------------------------- pledges
@dataclass(frozen=True)
class PledgeState:
    due: bool  # 到期: due date ≤ as_of
    fulfilled: bool  # 已兑现 with 兑现日期 ≤ as_of
    overdue: bool  # 逾期未兑现: due < as_of and not fulfilled by then
    overdue_days: int


def pledge_state(due_date: date, status: str, fulfilled_date: date | None, as_of: date) -> PledgeState:
    fulfilled = status == PLEDGE_DONE and fulfilled_date is not None and fulfilled_date <= as_of
    overdue = due_date < as_of and not fulfilled
    return PledgeState(due_date <= as_of, fulfilled, overdue, (as_of - due_date).days if overdue else 0)


@dataclass(frozen=True)
class PledgeSummary:
    total: int
    due: int
    fulfilled_due: int
    overdue: int

    @property
    def rate(self) -> float | None:  # 承诺兑现率
        return ratio(self.fulfilled_due, self.due)


def pledge_summary(states: Iterable[PledgeState]) -> PledgeSummary:
    total = due = done = overdue = 0
    for s in states:
        total += 1
        due += s.due
        done += s.due and s.fulfilled
        overdue += s.overdue
    return PledgeSummary(total, due, done, overdue)


# ---------------------------------------------------------------------------------------- rectifications
@dataclass(frozen=True)
class RectState:
    registered: bool  # 登记日期 ≤ as_of; an item registered later does not exist yet
    done: bool  # 完成
    on_time: bool  # done on or before the deadline
    overdue: bool  # 超期
    overdue_days: int  # 超期天数
    due_soon: bool  # 临期
    light: str | None  # 红 / 黄 / 绿 (None when not registered yet)
    mark: str  # 逾期完成 for a done item that was late, else ""


def completion_date(status: str, completed: date | None, closed: date | None) -> date | None:
    if status not in DONE_STATUSES:
        return None
    return completed or closed


def rect_state(status: str, registered: date, deadline: date, completed: date | None,
               closed: date | None, as_of: date, profile: RuleProfile) -> RectState:
    if registered > as_of:
        return RectState(False, False, False, False, 0, False, None, "")
    finished = completion_date(status, completed, closed)
    done = finished is not None and finished <= as_of
    if done:
        on_time = finished <= deadline
        return RectState(True, True, on_time, False, 0, False, GREEN, "" if on_time else LATE_DONE)
    overdue = deadline < as_of
    late = days_late(deadline, as_of, profile.working_days) if overdue else 0
    soon = not overdue and days_left(deadline, as_of, profile.working_days) <= profile.warn_days
    light = RED if overdue else YELLOW if soon else GREEN
    return RectState(True, False, False, overdue, late, soon, light, "")


@dataclass(frozen=True)
class RectSummary:
    """Counts of measures (整改措施数: each ledger row is one measure) and of the problems they belong to
    (整改问题数); a problem is done when all of its registered measures are."""
    registered: int
    done: int
    on_time: int
    overdue: int
    due_soon: int
    problems: int = 0
    problems_done: int = 0

    @property
    def completion_rate(self) -> float | None:  # 整改完成率: counts measures
        return ratio(self.done, self.registered)

    @property
    def on_time_rate(self) -> float | None:  # 按期完成率
        return ratio(self.on_time, self.done)


def rect_summary(states: Iterable[RectState], problems: Iterable | None = None) -> RectSummary:
    """Summary of measures; `problems` gives each state's problem (e.g. its 问题编号), aligned with states.
    Without it every measure counts as a problem of its own."""
    reg = done = on_time = overdue = soon = 0
    problem_done: dict = {}
    for k, s in zip(itertools.count() if problems is None else problems, states):
        if not s.registered:
            continue
        reg += 1
        done += s.done
        on_time += s.on_time
        overdue += s.overdue
        soon += s.due_soon
        problem_done[k] = problem_done.get(k, True) and s.done
    return RectSummary(reg, done, on_time, overdue, soon, len(problem_done), sum(problem_done.values()))


def rect_summaries(groups: Iterable[int], problems: Iterable, states: list[RectState]) -> dict[int, RectSummary]:
    """rect_summary of each group's states at once (groups and problems aligned with states), in numpy: a
    province's 11,000 orgs summed one by one took most of 整改台账's per-org summary."""
    flags = np.array([(s.registered, s.done, s.on_time, s.overdue, s.due_soon) for s in states],
                     dtype=np.int64).reshape(-1, 5)
    kept = flags[:, 0] == 1
    index: dict = {}
    problem = np.fromiter((index.setdefault(p, len(index)) for p in problems), np.int64, len(states))[kept]
    group = np.fromiter(groups, np.int64, len(states))[kept]
    flags = flags[kept]
    group_of, at = np.unique(group, return_inverse=True)
    registered, done, on_time, overdue, soon = (np.bincount(at, flags[:, i], len(group_of)).astype(np.int64).tolist()
                                                for i in range(5))
    # A problem with several measures counts once, done when all of them are.
    pair, pair_at = np.unique(at * max(len(index), 1) + problem, return_inverse=True)
    pair_done = np.bincount(pair_at, 1 - flags[:, 1], len(pair)) == 0
    pair_group = pair // max(len(index), 1)
    problems_of = np.bincount(pair_group, minlength=len(group_of)).tolist()
    problems_done = np.bincount(pair_group, pair_done, len(group_of)).astype(np.int64).tolist()
    return {g: RectSummary(registered[i], done[i], on_time[i], overdue[i], soon[i], problems_of[i], problems_done[i])
            for i, g in enumerate(group_of.tolist())}


# 返工状态 of an org that is, or was in its 首评, a 返工/补课 candidate (docs/metrics.md).
TO_ORDER, ORDERED, RECHECK_PASSED, RECHECK_BELOW, RECHECK_OVERDUE = (
    "待认定", "已认定待复评", "复评达标", "复评仍低于", "逾期未复评")
REWORK_STATUSES = (TO_ORDER, ORDERED, RECHECK_PASSED, RECHECK_BELOW, RECHECK_OVERDUE)


def rework_status(ordered_on: date | None, recheck_due: date | None, recheck_verdict: str | None,
                  as_of: date) -> str:
    """As of a date: not yet ordered (认定), ordered and waiting, past the 复评 deadline without a 复评, or the
    复评's outcome (recheck_verdict None: no 复评 reported yet)."""
    if recheck_verdict is not None:
        return RECHECK_BELOW if recheck_verdict in CANDIDATE_VERDICTS else RECHECK_PASSED
    if ordered_on is None or ordered_on > as_of:
        return TO_ORDER
    if recheck_due is not None and as_of > recheck_due:
        return RECHECK_OVERDUE
    return ORDERED


AGEING_BANDS = ("1–7天", "8–30天", "31–90天", "90天以上")  # shortest first: the chart's order


def ageing_bucket(overdue_days: int) -> str | None:
    """超期 ageing band (one of AGEING_BANDS) of an item overdue that many days; None when not overdue."""
    if overdue_days <= 0:
        return None
    if overdue_days <= 7:
        return AGEING_BANDS[0]
    if overdue_days <= 30:
        return AGEING_BANDS[1]
    if overdue_days <= 90:
        return AGEING_BANDS[2]
    return AGEING_BANDS[3]


# ---------------------------------------------------------------------------------------- reporting
REPORTED, REPORTED_LATE, MISSING = "已上报", "逾期上报", "未上报"


def reporting_status(first_reported: date | None, deadline: date | None, as_of: date) -> str:
    if first_reported is None or first_reported > as_of:
        return MISSING
    if deadline is not None and first_reported > deadline:
        return REPORTED_LATE
    return REPORTED


def day_end(day: date) -> datetime:
    """Timestamps before this instant happened on or before `day` (what is known "as of" it)."""
    return datetime.combine(day + timedelta(days=1), time.min)
