"""逐级审核 (docs/roles.md): the level above approves (已审核) or returns (退回, with a reason) an org's round data;
an admin unlocks it. While approved, an import that would change the org's (or its subtree's) tallies, ballots,
sessions, pledges or rectifications of that round is refused whole (data.importers.base.upsert asks
lock_conflicts). Every change is written to the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from domain.names import canonical, required_text
from domain.record import APPROVED, NOT_REPORTED, RETURNED, SUBMITTED, UNLOCKED, approval_state
from domain.scope import Scope
from data import audit
from data.ledger_queries import expected_reports
from data.models import Approval, Org, OrgClosure, Round
from data.queries import chunks, visible_org_ids
from data.rollups import bump_version

MAX_REASON = 500
# The tables an approval locks (their rows carry round_id and org_id).
LOCKED_TABLES = frozenset({"tallies", "ballots", "eval_sessions", "pledges", "rectifications"})


class ApprovalError(ValueError):
    """An approval action that cannot be done; the message is for the user."""


@dataclass(frozen=True)
class ApprovalInfo:
    state: str  # 未上报 / 已上报 / 已审核 / 退回 (domain.record)
    acted_by: str | None
    acted_at: datetime | None
    reason: str | None


def _ids_in(session: Session, org_id: int, ids) -> bool:
    return session.scalar(select(literal(1)).where(literal(org_id).in_(ids))) is not None


def may_approve(session: Session, org: Org, role: str, scope: Scope) -> bool:
    """The level above: an admin, a user whose scope holds the org's parent (a root org: a scope of
    everything), or a supervisor whose group supervises the org (or an org above it). Never a unit for its
    own org, never a leader of another system."""
    if role == "admin":
        return True
    if role not in ("leader", "supervisor", "unit"):
        return False
    if org.parent_id is None:
        if scope.everything:
            return True
    elif _ids_in(session, org.parent_id, visible_org_ids(scope)):
        return True
    return role == "supervisor" and bool(scope.groups) and _ids_in(
        session, org.id, visible_org_ids(Scope(groups=scope.groups)))


def _find(session: Session, round_name: str, org_code: str, scope: Scope) -> tuple[Round, Org]:
    rnd = session.scalar(select(Round).where(Round.name == canonical(round_name or "")))
    org = session.scalar(select(Org).where(Org.code == canonical(org_code or "")))
    if rnd is None:
        raise ApprovalError(f"未知的评议批次：{round_name}")
    if org is None or not _ids_in(session, org.id, visible_org_ids(scope)):
        raise ApprovalError(f"未找到或无权查看的组织：{org_code}")
    return rnd, org


def describe(stored: Approval | None, reported: bool, latest: datetime | None) -> ApprovalInfo:
    """The 审核状态 shown for a stored row (or none): who and when only for 已审核 and 退回."""
    state = approval_state(stored.state if stored else None, stored.acted_at if stored else None, reported, latest)
    if stored is None or state not in (APPROVED, RETURNED):
        return ApprovalInfo(state, None, None, None)
    return ApprovalInfo(state, stored.acted_by, stored.acted_at, stored.reason)


def info(session: Session, round_id: int, org: Org) -> ApprovalInfo:
    """The org's 审核状态 now."""
    stored = session.scalar(select(Approval).where(Approval.round_id == round_id, Approval.org_id == org.id))
    found = expected_reports(session, round_id, select(Org.id).where(Org.id == org.id))
    first, latest = (found[0][4], found[0][5]) if found else (None, None)
    return describe(stored, first is not None, latest)


def _store(session: Session, rnd: Round, org: Org, state: str, reason: str | None, username: str,
           now: datetime) -> None:
    row = session.scalar(select(Approval).where(Approval.round_id == rnd.id, Approval.org_id == org.id))
    if row is None:
        row = Approval(round_id=rnd.id, org_id=org.id)
        session.add(row)
    row.state, row.reason, row.acted_by, row.acted_at = state, reason, username[:80], now


def _reason(reason: str | None, what: str) -> str:
    try:
        return required_text(reason, f"{what}原因", MAX_REASON)
    except ValueError as err:
        raise ApprovalError(str(err)) from None


def act(session: Session, *, round_name: str, org_code: str, username: str, role: str, scope: Scope,
        return_reason: str | None = None, address: str | None = None, now: datetime | None = None) -> str:
    """Approve (return_reason None) or return the org's round data; the new state. The caller commits."""
    rnd, org = _find(session, round_name, org_code, scope)
    if not may_approve(session, org, role, scope):
        raise ApprovalError(f"{org.code} {org.name}：只有上级组织、其督导组或管理员可以审核（本单位不能审核本单位的数据）")
    current = info(session, rnd.id, org)
    if current.state == APPROVED:
        raise ApprovalError(f"{org.code} {org.name} 已由 {current.acted_by} 于 {current.acted_at:%Y-%m-%d %H:%M} "
                            "审核通过；如需更改请管理员解锁")
    if current.state == NOT_REPORTED:
        raise ApprovalError(f"{org.code} {org.name} 未上报，无可审核的数据")
    if current.state == RETURNED:
        raise ApprovalError(f"{org.code} {org.name} 已退回，待本单位重新上报后再审核")
    now = now or datetime.now().replace(microsecond=0)
    if return_reason is None:
        _store(session, rnd, org, APPROVED, None, username, now)
        audit.record(session, "approval", username, f"审核通过：{rnd.name} · {org.code} {org.name}", address, now)
        state = APPROVED
    else:
        reason = _reason(return_reason, "退回")
        _store(session, rnd, org, RETURNED, reason, username, now)
        audit.record(session, "approval", username, f"退回：{rnd.name} · {org.code} {org.name} · 原因：{reason}",
                     address, now)
        state = RETURNED
    session.flush()
    bump_version(session)
    return state


def unlock(session: Session, *, round_name: str, org_code: str, username: str, role: str, scope: Scope,
           reason: str | None, address: str | None = None, now: datetime | None = None) -> str:
    """An admin reopens approved data (with a reason); imports may change it again. The caller commits."""
    if role != "admin":
        raise ApprovalError("只有管理员可以解锁已审核的数据")
    rnd, org = _find(session, round_name, org_code, scope)
    reason = _reason(reason, "解锁")
    if info(session, rnd.id, org).state != APPROVED:
        raise ApprovalError(f"{org.code} {org.name} 未审核通过，无需解锁")
    now = now or datetime.now().replace(microsecond=0)
    _store(session, rnd, org, UNLOCKED, reason, username, now)
    audit.record(session, "approval", username, f"解锁：{rnd.name} · {org.code} {org.name} · 原因：{reason}",
                 address, now)
    session.flush()
    bump_version(session)
    return SUBMITTED


def lock_conflicts(session: Session, pairs: set[tuple[int, int]]) -> list[tuple[str, str]]:
    """(org code, message) for each approved (round, org) whose data — its own or its subtree's — the given
    (round id, org id) pairs would change; empty when none is locked (one cheap query in the usual case)."""
    rounds = {r for r, _ in pairs}
    if not rounds:
        return []
    approved = {(a.round_id, a.org_id): a for a in session.scalars(
        select(Approval).where(Approval.round_id.in_(sorted(rounds)), Approval.state == APPROVED))}
    if not approved:
        return []
    changed = {o for _, o in pairs}
    hits: dict[tuple[int, int], set[int]] = {}
    for part in chunks(sorted(changed)):
        for ancestor, descendant in session.execute(select(OrgClosure.ancestor_id, OrgClosure.descendant_id).where(
                OrgClosure.descendant_id.in_(part), OrgClosure.ancestor_id.in_({o for _, o in approved}))):
            for round_id in rounds:
                if (round_id, ancestor) in approved and (round_id, descendant) in pairs:
                    hits.setdefault((round_id, ancestor), set()).add(descendant)
    out = []
    names = {r.id: r.name for r in session.scalars(select(Round).where(Round.id.in_({r for r, _ in hits})))}
    orgs = {o.id: o for o in session.scalars(select(Org).where(
        Org.id.in_({o for _, o in hits} | {d for ds in hits.values() for d in ds})))}
    for (round_id, org_id), below in sorted(hits.items()):
        a, org = approved[(round_id, org_id)], orgs[org_id]
        under = sorted(orgs[d].code for d in below if d != org_id)
        out.append((org.code, f"{org.code} {org.name} 的“{names[round_id]}”数据已由 {a.acted_by} 于 "
                    f"{a.acted_at:%Y-%m-%d %H:%M} 审核通过（已审核），本文件会更改其数据"
                    + (f"（下级组织 {'、'.join(under[:5])}{' 等' if len(under) > 5 else ''}）" if under else "")
                    + "，整个文件未导入；如需更改，请管理员先解锁"))
    return out
