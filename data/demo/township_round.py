"""The township round (逐级上报, docs/metrics.md 上报完整率): its 上报层级 is 党委, so the orgs expected to report are
the 乡镇党委 system's 党委; each township 党委 sends one 汇总表 holding the rows of its 党支部, dated in the file
(上报日期, a date: stored at 00:00 as the importer stores it). Most townships send on time, every ninth one
late (from the fifth) and every ninth one not at all (from the eighth); the county office keys every sheet in
after the deadline (the import time, 最近上报时间), so only the 上报日期 tells on-time from late."""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from data.demo.bulk import Bulk, allocate, insert_rows
from data.demo.rounds import round_row
from data.demo.spec import ITEM_SHIFT, TOWNSHIP_ROUND, XZ
from data.demo.state import DemoState
from data.models import EvalSession, Item, Round, Tally

REPORT_LEVEL = "党委"
KEYED_IN = date(2012, 3, 5)  # the county office keys the faxed sheets in, after the deadline
CATEGORIES = ("党员", "群众代表")
LATE, MISSING = 4, 7  # positions (mod 9) of the townships that report late / not at all


def township_story(position: int) -> str:
    return {LATE: "late", MISSING: "missing"}.get(position % 9, "on_time")


def write_township_round(demo: DemoState, session: Session, round_id: int, item_id: int,
                         counts: dict[str, int]) -> None:
    """The round, its items, and per reporting township one session and tallies for each of its 党支部."""
    rng = random.Random(demo.rng.random())  # its own stream, drawn last: the other rounds stay as they were
    spec = TOWNSHIP_ROUND
    insert_rows(session, Round, [{**round_row(round_id, spec), "report_level": REPORT_LEVEL}])
    items = [(item_id + k, name) for k, name in enumerate(spec.items)]
    insert_rows(session, Item, [{"id": i, "round_id": round_id, "name": n, "is_overall": k == 0,
                                 "position": k + 1} for k, (i, n) in enumerate(items)])
    tallies = Bulk(session, Tally, ("round_id", "org_id", "member_key", "item_id", "category", "from_ballots",
                                    "first_reported_at", "updated_at", "opt1", "opt2", "opt3", "opt4", "opt5",
                                    "unknown", "abstain"))
    sessions = []
    for position, branches in enumerate(_townships(demo)):
        story = township_story(position)
        if story == "missing":
            continue
        day = (spec.deadline + timedelta(days=rng.randint(2, 9)) if story == "late"
               else spec.deadline - timedelta(days=rng.randint(1, 15)))
        reported = datetime.combine(day, time(0))  # 上报日期 as written in the sheet
        keyed = datetime.combine(KEYED_IN, time(9, 0)) + timedelta(minutes=5 * position)
        for branch in branches:
            valid = rng.randint(*demo.scale.voters)
            split = allocate(valid, [3, 2])
            good = rng.uniform(0.6, 0.85)
            for iid, name in items:
                s = min(0.95, max(0.05, good + ITEM_SHIFT[name]))
                for category, n in zip(CATEGORIES, split):
                    tallies.add((round_id, branch, 0, iid, category, False, reported, keyed,
                                 *allocate(n, [s, (1 - s) * 0.7, (1 - s) * 0.3]), 0, 0, 0, 0))
            sessions.append({"round_id": round_id, "org_id": branch, "target": "党组织",
                             "expected": valid + rng.randint(0, 3), "issued": valid, "returned": valid,
                             "valid": valid, "held_on": day - timedelta(days=rng.randint(2, 6)),
                             "imported_at": keyed})
    counts["sessions"] += insert_rows(session, EvalSession, sessions)
    counts["tallies"] += tallies.flush()


def _townships(demo: DemoState) -> list[list[int]]:
    """Per township 党委 of the 乡镇党委 system (depth 2: 市委 → 县委 → 乡镇), in id order: the ids of the
    党支部 under it."""
    system_id = next(o["system_id"] for o in demo.orgs if o["code"].startswith(XZ[1] + "-"))
    by_id = {o["id"]: o for o in demo.orgs}
    towns = [o for o in demo.orgs if o["system_id"] == system_id and o["org_type"] == REPORT_LEVEL
             and o["depth"] == 2]
    under: dict[int, list[int]] = {t["id"]: [] for t in towns}
    for o in demo.orgs:
        if o["system_id"] == system_id and o["is_leaf"] and o["org_type"] == "党支部":
            up = o
            while up["depth"] > 2:
                up = by_id[up["parent_id"]]
            under[up["id"]].append(o["id"])
    return [under[t["id"]] for t in towns]
