"""The members of every leaf 党支部."""
from __future__ import annotations

from data.demo.spec import BRANCH_POSITIONS
from data.demo.state import DemoState


def build_members(demo: DemoState) -> None:
    rng = demo.rng
    for org in demo.orgs:
        if not (org["is_leaf"] and org["org_type"] == "党支部"):
            continue
        mine = []
        for k in range(rng.randint(*demo.scale.members)):
            row = {"id": len(demo.members) + 1, "code": f"DY-{len(demo.members) + 1:07d}",
                   "name": demo.person(), "org_id": org["id"],
                   "category": "预备" if k > 1 and rng.random() < 0.08 else "正式",
                   "position": BRANCH_POSITIONS[k] if k < min(2 + rng.randint(0, 2), 4) else None}
            demo.members.append(row)
            mine.append(row)
        demo.members_of[org["id"]] = mine
