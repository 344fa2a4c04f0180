"""The supervision groups (督导组), the units they supervise, their contact points and visits."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from data.demo.bulk import insert_rows
from data.demo.spec import NUMERALS, demo_as_of
from data.demo.state import DemoState
from data.models import SupervisionGroup, SupervisionLink, Visit


def write_supervision(demo: DemoState, session: Session) -> dict[str, int]:
    rng, sc = demo.rng, demo.scale
    as_of = demo_as_of()
    parent = {o["id"]: o["parent_id"] for o in demo.orgs}
    leaves_under: dict[int, list[int]] = {}
    for o in demo.orgs:
        if o["is_leaf"]:
            node = o["parent_id"]
            while node is not None:
                leaves_under.setdefault(node, []).append(o["id"])
                node = parent[node]
    # Units a group supervises: county-level bureaus and township 党委 with at least two leaves.
    candidates = [o for o in demo.orgs if o["depth"] == 2 and o["org_type"] == "党委"
                  and len(leaves_under.get(o["id"], ())) >= 2]
    units = rng.sample(candidates, min(len(candidates), sc.groups * sc.units_per_group))
    groups, links, visits = [], [], []
    for index in range(sc.groups):
        gid = index + 1
        groups.append({"id": gid, "name": f"省委第{NUMERALS[index]}督导组", "leader": demo.person()})
        for u, unit in enumerate(units[index * sc.units_per_group:(index + 1) * sc.units_per_group]):
            links.append({"group_id": gid, "org_id": unit["id"], "is_contact_point": False})
            # Most units name two or three contact points; some name only one (flagged 联系点不足).
            want = 1 if (u == 0 and index == 0) or rng.random() < 0.15 else rng.randint(2, 3)
            for point in rng.sample(leaves_under[unit["id"]], min(want, len(leaves_under[unit["id"]]))):
                links.append({"group_id": gid, "org_id": point, "is_contact_point": True})
                if rng.random() < 0.5:
                    day = as_of - timedelta(days=rng.randint(3, 80))
                    finding, follow = rng.choice(_VISITS)
                    visits.append({"group_id": gid, "org_id": point, "visited_on": day, "findings": finding,
                                   "follow_up": follow, "recorded_by": groups[-1]["leader"],
                                   "recorded_at": datetime.combine(day, time(18, 0))})
    insert_rows(session, SupervisionGroup, groups)
    insert_rows(session, SupervisionLink, links)
    insert_rows(session, Visit, visits)
    return {"groups": len(groups), "contact_points": sum(1 for l in links if l["is_contact_point"])}


_VISITS = [
    ("查阅评议台账，参评群众代表覆盖面偏窄", "督促补充服务对象和两代表一委员参评"),
    ("整改措施已公示，部分事项进度滞后", "下周电话回访整改进度"),
    ("承诺公开栏内容完整，群众知晓率较高", "总结经验在督导简报中推广"),
    ("个别访谈反映窗口排队时间长", "转交单位整改并纳入整改台账"),
]
