"""Small look-ups the web shell needs: round names for the selector, and what a first start needs."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from data.models import Org, Round, SupervisionGroup, System, User


def round_names(session: Session) -> list[str]:
    """Every round, newest first (rounds are not scoped: a round names a campaign, not an org)."""
    rows = session.execute(select(Round.name).order_by(Round.start_date.desc().nulls_last(),
                                                       Round.id.desc()))
    return [name for (name,) in rows]


def has_orgs(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Org.id.is_not(None)))))


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(User.id.is_not(None)))))


def demo_user_grants(session: Session) -> list[tuple[str, str, list[str], str]]:
    """(username, role, scope grants, display name) of the demo users, scoped to real demo data:
    a leader over the first system, a supervisor over the first group, a unit over a second-level org."""
    users = [("admin", "admin", [], "管理员")]
    system = session.scalar(select(System.name).order_by(System.name))
    if system:
        users.append(("leader", "leader", [f"system:{system}"], f"领导（{system}）"))
    group = session.scalar(select(SupervisionGroup.name).order_by(SupervisionGroup.name))
    if group:
        users.append(("supervisor", "supervisor", [f"group:{group}"], f"督导组（{group}）"))
    unit = session.scalar(select(Org.code).where(Org.depth == 1, Org.is_leaf.is_(False)).order_by(Org.code)) \
        or session.scalar(select(Org.code).order_by(Org.depth, Org.code))
    if unit:
        users.append(("unit", "unit", [unit], f"单位（{unit}）"))
    return users
