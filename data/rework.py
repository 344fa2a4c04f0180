"""返工补课 recorded on an org's page (not only by import): the supervising office's 认定, logged in the audit log."""
from __future__ import annotations

from datetime import date

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from domain.names import canonical
from domain.scope import Scope
from data import audit
from data.models import Org, ReworkOrder, Round
from data.queries import visible_org_ids
from data.rollups import bump_version

MAX_TEXT = 100


class ReworkError(ValueError):
    """A 认定 that cannot be recorded; the message is for the user."""


def _day(raw: str | date | None, label: str, required: bool) -> date | None:
    if raw in (None, ""):
        if required:
            raise ReworkError(f"请填写{label}")
        return None
    try:
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise ReworkError(f"{label}无效，应为 YYYY-MM-DD") from None


def current_order(session: Session, round_name: str, org_code: str) -> ReworkOrder | None:
    return session.scalar(select(ReworkOrder).join(Round, Round.id == ReworkOrder.round_id)
                          .join(Org, Org.id == ReworkOrder.org_id)
                          .where(Round.name == canonical(round_name), Org.code == canonical(org_code)))


def record_order(session: Session, *, round_name: str, org_code: str, ordered_on, recheck_due=None,
                 office: str | None = None, doc_no: str | None = None, note: str | None = None,
                 username: str, role: str, scope: Scope, address: str | None = None) -> ReworkOrder:
    """Add or replace the org's 认定 for the round (the caller commits it with its audit line)."""
    if role not in ("admin", "supervisor"):
        raise ReworkError("只有督导组或管理员可以认定返工补课")
    rnd = session.scalar(select(Round).where(Round.name == canonical(round_name)))
    org = session.scalar(select(Org).where(Org.code == canonical(org_code)))
    if rnd is None or org is None or session.scalar(select(literal(1)).where(
            Org.id == org.id, Org.id.in_(visible_org_ids(scope)))) is None:
        raise ReworkError(f"无权认定或未找到：{org_code}")
    ordered, due = _day(ordered_on, "认定日期", True), _day(recheck_due, "复评截止日期", False)
    if due is not None and due < ordered:
        raise ReworkError("复评截止日期早于认定日期")
    texts = {k: (v or "").strip() or None for k, v in (("office", office), ("doc_no", doc_no), ("note", note))}
    if any(v and len(v) > MAX_TEXT for v in texts.values()):
        raise ReworkError(f"认定单位、文件号、备注最多 {MAX_TEXT} 字")
    order = session.scalar(select(ReworkOrder).where(ReworkOrder.round_id == rnd.id, ReworkOrder.org_id == org.id))
    if order is None:
        order = ReworkOrder(round_id=rnd.id, org_id=org.id)
        session.add(order)
    order.ordered_on, order.recheck_due, order.recorded_by = ordered, due, username
    order.office, order.doc_no, order.note = texts["office"], texts["doc_no"], texts["note"]
    audit.record(session, "rework", username, f"认定返工补课：{rnd.name} · {org.code} {org.name} · 认定日期 "
                 f"{ordered.isoformat()}" + (f" · 复评截止 {due.isoformat()}" if due else "")
                 + (f" · {texts['doc_no']}" if texts["doc_no"] else ""), address)
    session.flush()
    bump_version(session)  # cached views (the red line, the overview) read it again
    return order
