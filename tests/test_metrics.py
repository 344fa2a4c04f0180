"""domain.metrics edge cases, each expected value worked out by hand."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain import metrics
from domain.rules import Buckets, Counts, RuleProfile, bucketize

P = RuleProfile()  # three-level scale, red line 2/3, minimum sample 10, 95%, warn 3 days, calendar days
WORKDAYS = RuleProfile(working_days=True)
Z95 = 1.959963984540054


def test_no_answers_gives_no_rates_and_no_verdict():
    r = metrics.rates(Buckets(), P)
    assert set(r.values()) == {None}
    red = metrics.redline(Buckets(), P)
    assert (red.n, red.value, red.low, red.high, red.verdict) == (0, None, None, None, "样本不足")


def test_only_unknown_answers_never_enter_the_denominator():
    b = bucketize(Counts(unknown=7, abstain=2), P)
    assert (b.n, b.x) == (0, 9)
    assert metrics.rates(b, P)["不满意率"] is None


def test_below_minimum_sample_is_insufficient_even_at_100_percent():
    red = metrics.redline(Buckets(s=9), P)
    assert (red.value, red.verdict) == (1.0, "样本不足")


def test_hundred_percent_interval_and_verdict():
    red = metrics.redline(Buckets(s=20), P)
    # Wilson with k = n: low = n / (n + z²), high = 1.
    assert red.low == pytest.approx(20 / (20 + Z95 ** 2), abs=1e-9)
    assert red.high == 1.0 and red.verdict == "达标"


def test_wilson_matches_the_textbook_values():
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 -> 0.2553–0.3662; 15/148 -> 0.0624–0.1605.
    assert metrics.wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    assert metrics.wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=5e-5)


def test_verdicts_around_the_red_line():
    assert metrics.redline(Buckets(s=2, u=8), P).verdict == "确认低于"  # 20%, high 0.51
    assert metrics.redline(Buckets(s=6, u=4), P).verdict == "疑似低于"  # 60%, high 0.83
    assert metrics.redline(Buckets(s=7, u=3), P).verdict == "达标"  # 70%


def test_four_level_option_shares_and_buckets():
    four = RuleProfile(scale="四级")
    counts = Counts(opt=(4, 3, 2, 1, 0))  # 满意, 比较满意, 基本满意, 不满意
    assert metrics.option_shares(counts, four) == {"满意率": 0.4, "比较满意率": 0.3, "基本满意率": 0.2,
                                                   "不满意率": 0.1}
    b = bucketize(counts, four)
    assert (b.s, b.b, b.u) == (7, 2, 1)
    assert metrics.rates(b, four)["综合满意率"] == 0.9
    assert metrics.option_shares(counts, P) == {}  # three options: the bucket rates say it all


def test_score_and_score_red_line():
    b = Buckets(s=5, b=5)
    assert metrics.rates(b, P)["测评得分"] == 80.0
    scored = RuleProfile(redline_metric="测评得分", redline=60)
    red = metrics.redline(b, scored)
    assert red.value == pytest.approx(80.0) and red.verdict == "达标"


@pytest.mark.parametrize("profile", [P, RuleProfile(redline_metric="满意率"), RuleProfile(scale="五级"),
                                     RuleProfile(redline_metric="测评得分", redline=60, scale="四级")])
def test_red_line_values_at_once_are_the_red_line_of_each(profile):
    """红线's lowest items compute the metric of a whole matrix of counts at once: the same value as redline()
    for each (to the last bit: the ordering of equal-looking items depends on it), none where nothing counts."""
    import numpy as np

    rng = np.random.default_rng(7)
    counts = rng.integers(0, 40, size=(30, 6, 7))
    counts[0, 0] = 0  # no answer at all
    counts[1, 1, :5] = 0  # only 不了解 / 弃权
    values = metrics.redline_values(counts, profile)
    for i, j in np.ndindex(counts.shape[:2]):
        c = counts[i, j].tolist()
        expected = metrics.redline(bucketize(Counts(tuple(c[:5]), c[5], c[6]), profile), profile).value
        assert (values[i, j] == expected) if expected is not None else np.isnan(values[i, j]), (i, j)


@pytest.mark.parametrize("profile", [P, RuleProfile(redline_metric="满意率", confidence=0.9),
                                     RuleProfile(scale="五级", min_sample=30),
                                     RuleProfile(redline_metric="测评得分", redline=60, scale="四级", min_sample=1)])
def test_red_lines_at_once_are_the_red_line_of_each(profile):
    """薄弱排名 and 红线's candidates judge every org at once: each row's RedLine is what redline() says of it,
    figures equal to the last bit (the ranking orders by them) and the same verdict."""
    import numpy as np

    rng = np.random.default_rng(11)
    counts = rng.integers(0, 25, size=(400, 7))
    counts[:60, :5] //= 12  # small samples, under the minimum
    counts[60:200, 0] //= 4  # fewer satisfied: below the line, surely or only maybe
    counts[0] = 0
    counts[1, :5] = 0  # only 不了解 / 弃权
    reds = metrics.redlines(counts, profile)
    expected = [metrics.redline(bucketize(Counts(tuple(c[:5]), c[5], c[6]), profile), profile)
                for c in counts.tolist()]
    assert [reds.at(i) for i in range(len(counts))] == expected
    assert {r.verdict for r in expected} == set(metrics.VERDICTS)
    order = [7, 3, 3]
    assert [reds.take(order).at(i) for i in range(3)] == [expected[i] for i in order]


def test_pledge_due_on_the_as_of_day_is_due_but_not_overdue():
    day = date(2024, 12, 31)
    s = metrics.pledge_state(day, "推进中", None, day)
    assert (s.due, s.fulfilled, s.overdue) == (True, False, False)
    late = metrics.pledge_state(day, "已兑现", date(2025, 1, 5), day)  # fulfilled only after the as-of date
    assert (late.due, late.fulfilled) == (True, False)
    summary = metrics.pledge_summary([s, late, metrics.pledge_state(date(2024, 12, 1), "已兑现",
                                                                    date(2024, 11, 30), day)])
    assert (summary.due, summary.fulfilled_due, summary.overdue, summary.rate) == (3, 1, 0, pytest.approx(1 / 3))


def test_rectification_deadline_on_the_as_of_day_is_due_soon_not_overdue():
    day = date(2024, 12, 31)
    s = metrics.rect_state("整改中", date(2024, 12, 1), day, None, None, day, P)
    assert (s.overdue, s.overdue_days, s.due_soon, s.light) == (False, 0, True, "黄")


def test_completion_after_the_as_of_date_is_not_done_yet():
    s = metrics.rect_state("已完成", date(2024, 10, 1), date(2024, 12, 20), date(2025, 1, 10), None,
                           date(2024, 12, 31), P)
    assert (s.done, s.overdue, s.overdue_days, s.light) == (False, True, 11, "红")
    done_late = metrics.rect_state("已完成", date(2024, 10, 1), date(2024, 12, 20), date(2025, 1, 10), None,
                                   date(2025, 1, 31), P)
    assert (done_late.done, done_late.on_time, done_late.mark) == (True, False, "逾期完成")


def test_an_item_registered_after_the_as_of_date_does_not_exist_yet():
    s = metrics.rect_state("未启动", date(2025, 1, 5), date(2025, 2, 1), None, None, date(2024, 12, 31), P)
    assert (s.registered, s.light) == (False, None)
    summary = metrics.rect_summary([s])
    assert (summary.registered, summary.completion_rate) == (0, None)


def test_working_day_overdue_across_national_day_2024():
    # Deadline Fri 2024-09-27. Working days after it: Sun 09-29 (adjusted working day), Mon 09-30;
    # 10-01..10-07 National Day; then 10-08..10-11 and Sat 10-12 (adjusted working day).
    deadline = date(2024, 9, 27)
    assert metrics.days_late(deadline, date(2024, 10, 8), working_days=True) == 3
    assert metrics.days_late(deadline, date(2024, 10, 12), working_days=True) == 7
    assert metrics.days_late(deadline, date(2024, 10, 12)) == 15
    s = metrics.rect_state("整改中", date(2024, 9, 1), deadline, None, None, date(2024, 10, 8), WORKDAYS)
    assert (s.overdue, s.overdue_days) == (True, 3)
    # Due 10-08 seen from 09-30: 8 calendar days, but only one working day (10-08) left -> 临期.
    assert metrics.rect_state("整改中", date(2024, 9, 1), date(2024, 10, 8), None, None, date(2024, 9, 30),
                              WORKDAYS).due_soon
    assert not metrics.rect_state("整改中", date(2024, 9, 1), date(2024, 10, 8), None, None,
                                  date(2024, 9, 30), P).due_soon


def test_small_cells_are_suppressed_below_the_threshold():
    assert metrics.suppressed(4, P) and not metrics.suppressed(5, P)


def test_funnel_limits_widen_as_n_shrinks():
    lo10, hi10 = metrics.funnel_limits(0.8, 10, 0.95)
    lo100, hi100 = metrics.funnel_limits(0.8, 100, 0.95)
    assert lo10 == pytest.approx(0.8 - Z95 * (0.8 * 0.2 / 10) ** 0.5, abs=1e-9)
    assert lo10 < lo100 < 0.8 < hi100 < hi10


def test_many_groups_summed_at_once_as_one_by_one():
    """rect_summaries (整改台账's per-org summary) gives each group what rect_summary gives its states: not yet
    registered left out, a problem with several measures counted once and done only when all of them are."""
    import random

    rng, day = random.Random(7), date(2024, 6, 1)
    profile = RuleProfile(warn_days=5)
    groups, problems, states = [], [], []
    for _ in range(600):
        registered = day + timedelta(days=rng.randint(-60, 3))
        deadline = registered + timedelta(days=rng.randint(1, 40))
        status = rng.choice(["整改中", "已完成", "已销号"])
        completed = registered + timedelta(days=rng.randint(0, 50)) if status != "整改中" else None
        groups.append(rng.randint(1, 40))
        problems.append(f"P{rng.randint(1, 30)}")  # problem codes shared between groups, as a test of the key
        states.append(metrics.rect_state(status, registered, deadline, completed, None, day, profile))
    at_once = metrics.rect_summaries(groups, problems, states)
    one_by_one = {g: metrics.rect_summary([s for h, s in zip(groups, states) if h == g],
                                          [p for h, p in zip(groups, problems) if h == g]) for g in set(groups)}
    assert at_once == {g: m for g, m in one_by_one.items() if m.registered}
    assert any(m.problems < m.registered for m in at_once.values()) and any(m.problems_done for m in at_once.values())
    assert metrics.rect_summaries([], [], []) == {}
