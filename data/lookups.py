"""Small look-ups the web shell needs: the choices of its selectors (limited to the caller's scope) and what
a first start needs."""
from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from domain.names import canonical
from domain.request import RoundDates
from domain.rules import KNOWN_SOURCES
from domain.scope import Scope
from data.models import EvalSession, Org, Rectification, Region, Round, SupervisionGroup, System, User
from data.cache import ComputedCache, data_version
from data.queries import rounds, visible_org_ids


def round_names(session: Session) -> list[str]:
    """Every round, newest first (rounds are not scoped: a round names a campaign, not an org)."""
    rows = session.execute(select(Round.name).order_by(Round.start_date.desc().nulls_last(),
                                                       Round.id.desc()))
    return [name for (name,) in rows]


def round_dates(session: Session, name: str | None) -> RoundDates | None:
    """The dates that decide the default as-of day of the round named (None: the newest), or None when there
    is no such round (the report says so itself)."""
    all_rounds = rounds(session)  # oldest first, as queries.find_round picks the newest
    if name:
        wanted = canonical(name)
        found = [i for i, r in enumerate(all_rounds) if r.name == wanted]
        if not found:
            return None
        index = found[0]
    elif all_rounds:
        index = len(all_rounds) - 1
    else:
        return None
    rnd = all_rounds[index]
    later = [r.start_date for r in all_rounds[index + 1:] if r.start_date is not None]
    last = session.scalar(select(func.max(EvalSession.held_on)).where(EvalSession.round_id == rnd.id))
    return RoundDates(rnd.start_date, rnd.end_date, last, min(later) if later else None)


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


# The choices of a scope that reads every org, kept per data version (an import changes them): a system's
# regions probed each of 1,500 regions, 15-40 ms of a 下钻 system click at province scale.
_everything_choices = ComputedCache(64)


def sources_in_scope(session: Session, scope: Scope) -> list[str]:
    """问题来源 choices: the known ones in their order, then every other source the scope's ledgers hold."""
    stmt = select(Rectification.source).where(Rectification.source.is_not(None)).distinct()
    if scope.everything:  # every ledger row's org is readable: no semi-join with 100,000 orgs, and the same
        # choices for everyone until an import (their DISTINCT read 40,000 rows, 2 ms of each 整改台账 page)
        return list(_everything_choices.get((*data_version(session), "sources"),
                                            lambda: _with_known(session.scalars(stmt))))
    return _with_known(session.scalars(stmt.where(Rectification.org_id.in_(visible_org_ids(scope)))))


def _with_known(sources) -> list[str]:
    return [*KNOWN_SOURCES, *sorted(set(sources) - set(KNOWN_SOURCES))]


def systems_in_scope(session: Session, scope: Scope) -> list[str]:
    """Names of the systems that have an org the scope may read."""
    if scope.everything:  # each system asks whether it has an org (an index probe) instead of reading them all
        stmt = select(System.name).where(exists(select(Org.id).where(Org.system_id == System.id)))
        return list(_everything_choices.get((*data_version(session), "systems"),  # a copy: the kept list stays
                                            lambda: list(session.scalars(stmt.order_by(System.name)))))
    stmt = (select(System.name).join(Org, Org.system_id == System.id)
            .where(Org.id.in_(visible_org_ids(scope))).distinct())
    return list(session.scalars(stmt.order_by(System.name)))


def regions_in_scope(session: Session, scope: Scope, system: str | None = None) -> list[tuple[str, str]]:
    """(code, full name) of the 省/市/县 regions holding an org the scope may read (of `system` if given)."""
    levels = (Region.l1_code, Region.l2_code, Region.l3_code)
    of_system = Org.system_id.in_(select(System.id).where(System.name == system))
    if scope.everything:  # as systems_in_scope: a probe per region (not so under a narrower scope: far slower)
        held = select(Org.id).where(Org.region_id == Region.id)
        stmt = select(*levels).where(exists(held.where(of_system) if system else held))
        return list(_everything_choices.get((*data_version(session), "regions", system),
                                            lambda: _regions_of(session, stmt)))
    stmt = select(*levels).join(Org, Org.region_id == Region.id).where(Org.id.in_(visible_org_ids(scope)))
    return _regions_of(session, (stmt.where(of_system) if system else stmt).distinct())


def org_types_in_scope(session: Session, scope: Scope) -> list[str]:
    """The 组织类型 of the orgs the scope may read (薄弱排名's level choices)."""
    stmt = select(Org.org_type).distinct().order_by(Org.org_type)
    if scope.everything:  # the DISTINCT over every org took 30-50 ms of each 红线 at province
        return list(_everything_choices.get((*data_version(session), "org_types"),
                                            lambda: list(session.scalars(stmt))))
    return list(session.scalars(stmt.where(Org.id.in_(visible_org_ids(scope)))))


def _regions_of(session: Session, stmt) -> list[tuple[str, str]]:
    """(code, full name) of every region code in the rows of stmt (l1, l2, l3 codes), by code."""
    codes = {code for row in session.execute(stmt) for code in row if code}
    if not codes:
        return []
    regions = session.scalars(select(Region).where(Region.code.in_(sorted(codes))).order_by(Region.code))
    return [(r.code, r.full_name or r.name) for r in regions]
