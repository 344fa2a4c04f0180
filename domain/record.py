"""The campaign's record beside the figures (docs/metrics.md): 领导点评 grades, 公示/反馈 status and the
逐级审核 states. Pure: dates and stored states in, what the screens say out."""
from __future__ import annotations

from datetime import date, datetime, timedelta

COMMENT_GRADES = ("好", "较好", "一般", "差")  # 点评等次, best first

# 公示状态 of an org's results on a day.
NOT_PUBLISHED, PUBLISHED, FED_BACK = "未公示", "已公示", "已反馈"
PUBLICATION_STATES = (NOT_PUBLISHED, PUBLISHED, FED_BACK)
# What a unit list shows for an org still 未公示 after its due day (the 待办 of the same name).
OVERDUE_UNPUBLISHED = "逾期未公示"

# 逐级审核: 未上报 → 已上报 → 已审核, or 退回 (with a reason) back to the unit. Stored: an action of the
# level above (APPROVED, RETURNED) or an admin's UNLOCKED; the other states come from the data.
NOT_REPORTED, SUBMITTED, APPROVED, RETURNED, UNLOCKED = "未上报", "已上报", "已审核", "退回", "已解锁"
APPROVAL_STATES = (NOT_REPORTED, SUBMITTED, APPROVED, RETURNED)


def publication_status(published_on: date | None, feedback_on: date | None, as_of: date) -> str:
    """已反馈 once fed back by the as-of day, else 已公示 once published, else 未公示."""
    if feedback_on is not None and feedback_on <= as_of:
        return FED_BACK
    if published_on is not None and published_on <= as_of:
        return PUBLISHED
    return NOT_PUBLISHED


def publish_due(end_date: date | None, publish_days: int) -> date | None:
    """The last day to publish: the round's end plus its 公示期限 (None without an end date)."""
    return end_date + timedelta(days=publish_days) if end_date is not None else None


def publish_overdue(status: str, end_date: date | None, publish_days: int, as_of: date) -> bool:
    """A 待办: results not published although the round ended more than publish_days before the as-of day."""
    due = publish_due(end_date, publish_days)
    return status == NOT_PUBLISHED and due is not None and as_of > due


def shown_status(status: str, overdue: bool) -> str:
    """公示状态 as a unit list shows it: 逾期未公示 instead of 未公示 once the due day has passed."""
    return OVERDUE_UNPUBLISHED if overdue and status == NOT_PUBLISHED else status


def approval_state(stored: str | None, acted_at: datetime | None, reported: bool,
                   latest_report: datetime | None) -> str:
    """The state shown: 已审核 while approved; 退回 until the unit reports again after the return; otherwise
    已上报 or 未上报 by whether the org has reported (an unlocked org is back to 已上报)."""
    if stored == APPROVED:
        return APPROVED
    if stored == RETURNED and not (latest_report is not None and acted_at is not None and latest_report > acted_at):
        return RETURNED
    return SUBMITTED if reported else NOT_REPORTED
