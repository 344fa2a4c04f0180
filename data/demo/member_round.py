"""The 民主评议党员 round: members of a few 党支部 rated on the member scale."""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy.orm import Session

from data.demo.bulk import Bulk, allocate, insert_rows, work_moment
from data.demo.rounds import round_row
from data.demo.spec import MEMBER_BRANCHES, MEMBER_PROBS, MEMBER_ROUND
from data.demo.state import DemoState
from data.models import EvalSession, Item, Round, Tally


def write_member_round(demo: DemoState, session: Session, round_id: int, item_id: int,
                       counts: dict[str, int]) -> None:
    """民主评议党员 in MEMBER_BRANCHES 党支部 with at least four members: one session each, the branch's own
    row and every member's (category 党员). Branch 0 rates nearly everyone 优秀; in branch 1
    the first 正式 member gets 不合格 from half the voters."""
    rng = random.Random(demo.rng.random())  # its own stream, drawn last: the other rounds stay as they were
    spec = MEMBER_ROUND
    insert_rows(session, Round, [round_row(round_id, spec)])
    insert_rows(session, Item, [{"id": item_id, "round_id": round_id, "name": spec.items[0],
                                 "is_overall": True, "position": 1}])
    tallies = Bulk(session, Tally, ("round_id", "org_id", "member_key", "member_id", "item_id", "category",
                                    "from_ballots", "first_reported_at", "updated_at",
                                    "opt1", "opt2", "opt3", "opt4", "opt5", "unknown", "abstain"))
    eligible = [o for o in demo.orgs if o["is_leaf"] and o["org_type"] == "党支部"
                and len(demo.members_of.get(o["id"], [])) >= 4]
    branches = eligible[:MEMBER_BRANCHES - 1]
    # and one branch with a 预备党员 (rated, never graded)
    branches += [next((o for o in eligible[len(branches):]
                       if any(m["category"] == "预备" for m in demo.members_of[o["id"]])),
                      eligible[len(branches)])]
    sessions = []
    for b, org in enumerate(branches):
        members = demo.members_of[org["id"]]
        failing = next(m["id"] for m in members if m["category"] == "正式") if b == 1 else None
        voters = rng.randint(10, 16)  # the branch's members and the 群众代表 invited to rate them
        at = work_moment(spec.deadline - timedelta(days=rng.randint(1, 20)), rng)
        # One 测评会: each ballot rates the branch itself and every member of it.
        sessions.append({"round_id": round_id, "org_id": org["id"], "target": "党员",
                         "expected": voters + rng.randint(0, 2), "issued": voters, "returned": voters,
                         "valid": voters, "held_on": at.date() - timedelta(days=rng.randint(1, 5)),
                         "imported_at": at})
        tallies.add((round_id, org["id"], 0, None, item_id, "党员", False, at, at,
                     *allocate(voters, list(MEMBER_PROBS["normal"])), 0, 0, 0))
        for m in members:
            kind = "lenient" if b == 0 else "failing" if m["id"] == failing else "normal"
            unknown = rng.randint(0, 1)
            answers = allocate(voters - unknown, list(MEMBER_PROBS[kind]))
            tallies.add((round_id, org["id"], m["id"], m["id"], item_id, "党员", False, at, at,
                         *answers, 0, unknown, 0))
    counts["sessions"] += insert_rows(session, EvalSession, sessions)
    counts["tallies"] += tallies.flush()
