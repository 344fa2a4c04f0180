"""The audit page's table (admins only): the audit trail narrowed by action, user and a date range, as a
ReportTable so the shared grid pages, sorts, filters and exports it like every other table."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dashboard.reports import BadParameter
from domain.tables import AUDIT_ACTIONS, TEXT, Column, Filters, ReportTable
from data import audit

TITLE = "审计日志"
COLUMNS = [Column("时间"), Column("用户"), Column("动作"), Column("详情"), Column("地址", TEXT)]
# The page's filter keys in the URL/grid state and how the export's title block names them.
KEYS = {"action": "动作", "user": "用户", "from": "起始日期", "to": "截止日期"}


def _day(text: str | None, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        raise BadParameter(f"{label}无效，应为 YYYY-MM-DD：{text}") from None


def audit_table(session: Session, state: dict, as_of: date, scope_label: str) -> ReportTable:
    action = state.get("action") or None
    if action and action not in AUDIT_ACTIONS:
        raise BadParameter(f"未知动作：{action}")
    start, end = _day(state.get("from"), KEYS["from"]), _day(state.get("to"), KEYS["to"])
    if start and end and start > end:
        raise BadParameter("起始日期晚于截止日期")
    rows = [[r.at.strftime("%Y-%m-%d %H:%M:%S"), r.username or "—", AUDIT_ACTIONS.get(r.action, r.action),
             r.detail or "", r.address or ""]
            for r in audit.search(session, action, state.get("user") or None, start, end)]
    extra = tuple((KEYS[k], AUDIT_ACTIONS.get(v, v) if k == "action" else str(v))
                  for k, v in state.items() if k in KEYS and v)
    return ReportTable(view="audit", title=TITLE, columns=COLUMNS, rows=rows, filters=Filters(extra=extra),
                       as_of=as_of, scope=scope_label)
