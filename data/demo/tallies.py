"""The 测评会 (eval sessions) and tallies of one campaign round, with the ballots some leaves report."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from domain.rules import option_names
from data.demo.answers import leaf_probs, position_probs, story_plan
from data.demo.ballots import make_ballots
from data.demo.bulk import Bulk, allocate, insert_rows, work_moment
from data.demo.spec import ITEM_SHIFT, SYSTEMS, XZ, RoundSpec, demo_as_of
from data.demo.state import DemoState, Leaf
from data.models import Ballot, EvalSession, Tally


def write_round(demo: DemoState, session: Session, round_id: int, spec: RoundSpec, items, leaves,
                counts) -> list[int]:
    rng = demo.rng
    plan = story_plan(demo, leaves, round_id - 1)
    k_opts = len(option_names(spec.scale))
    sessions, ballots = [], []
    twin_source: dict[int, tuple[int, list[int], dict]] = {}
    reported: list[int] = []
    ballot_orgs = 0
    tallies = Bulk(session, Tally, ("round_id", "org_id", "member_key", "item_id", "category",
                                    "from_ballots", "first_reported_at", "updated_at",
                                    "opt1", "opt2", "opt3", "opt4", "opt5", "unknown", "abstain"))
    padding = (0,) * (5 - k_opts)  # option positions the scale does not use
    as_ballots, not_ballots = tallies.value("from_ballots", True), tallies.value("from_ballots", False)

    for leaf in leaves:
        kind = plan.get(leaf.id, "normal")
        if kind == "missing":
            continue
        categories = list(SYSTEMS[leaf.system].categories if leaf.system < len(SYSTEMS) else XZ[2])
        if kind == "nocat":
            categories.pop(rng.randrange(1, len(categories)))
        if kind.startswith("twin:"):
            valid, split, grid = twin_source[int(kind[5:])]
        else:
            valid, split, grid = leaf_answers(demo, kind, leaf, round_id, spec, items, categories, ballots,
                                                   straight=kind == "ballots" and ballot_orgs < 2)
            ballot_orgs += kind == "ballots"
            if kind == "twin":
                twin_source[leaf.id] = (valid, split, grid)

        # Session counts around the valid ballots: 有效 ≤ 收回 ≤ 发放 ≤ 应到, except a void one.
        returned = valid + (rng.randint(1, 2) if rng.random() < 0.2 else 0)
        issued = returned + rng.randint(0, 3)
        if kind == "void":
            issued = returned - rng.randint(1, 3)
        expected = max(issued, returned) + rng.randint(0, 4)
        late = kind == "late"
        if late:
            first_day = spec.deadline + timedelta(days=rng.randint(1, 7))
        else:
            first_day = spec.deadline - timedelta(days=rng.randint(0, 25))
        first = work_moment(first_day, rng)
        held = first_day - timedelta(days=rng.randint(1, 12))
        updated = first
        if rng.random() < 0.1:  # a corrected re-submission a few days later
            updated = min(first + timedelta(days=rng.randint(1, 4)),
                          datetime.combine(demo_as_of(), time(0)) - timedelta(minutes=1))
            updated = max(updated, first)
        sessions.append({"round_id": round_id, "org_id": leaf.id,
                         "target": "领导班子" if leaf.org_type == "领导班子" else "党组织",
                         "expected": expected, "issued": issued, "returned": returned, "valid": valid,
                         "held_on": held, "imported_at": first})
        reported.append(leaf.id)
        head = (tallies.value("first_reported_at", first), tallies.value("updated_at", updated))
        flag = as_ballots if kind == "ballots" else not_ballots
        for iid, _ in items:
            for c, cat in enumerate(categories):
                if split[c]:
                    answers = grid[iid][c]
                    tallies.add((round_id, leaf.id, 0, iid, cat, flag, *head, *answers[:k_opts], *padding,
                                 *answers[k_opts:]))
    counts["tallies"] += tallies.flush()
    counts["sessions"] += insert_rows(session, EvalSession, sessions)
    counts["ballots"] += insert_rows(session, Ballot, ballots)
    return reported


def leaf_answers(demo: DemoState, kind: str, leaf: Leaf, round_id: int, spec: RoundSpec, items, categories,
                 ballots: list[dict], straight: bool) -> tuple[int, list[int], dict[int, list[list[int]]]]:
    """One leaf's 测评会: valid ballots, their split over categories, and per item the answer counts
    of each category by position (opt1..optK, 不了解, 弃权)."""
    rng, sc = demo.rng, demo.scale
    k_opts = len(option_names(spec.scale))
    positions = list(range(k_opts + 2))
    valid = {"small": (5, 9), "confirmed": (36, 48), "suspected": (24, 32),
             "perfect": (22, 35)}.get(kind, sc.voters)
    valid = rng.randint(*valid)
    # One ballot per evaluator; every category present gets at least one when there are enough.
    split = [1] * len(categories) if valid >= len(categories) else [0] * len(categories)
    for c in rng.choices(range(len(categories)), weights=[4, 3, 1, 2][: len(categories)],
                         k=valid - sum(split)):
        split[c] += 1
    probs = leaf_probs(demo, kind)
    very = rng.uniform(0.55, 0.75)  # the share of S answers that are 满意 rather than 比较满意
    grid: dict[int, list[list[int]]] = {}
    from_ballots = None
    if kind == "ballots":
        from_ballots = make_ballots(demo, leaf, round_id, spec, categories, split, probs, very, ballots,
                                         straight)
    for it, (iid, iname) in enumerate(items):
        shift = ITEM_SHIFT[iname] + rng.uniform(-0.03, 0.03) if kind not in ("perfect", "flat") else 0.0
        p = position_probs(spec.scale, probs, shift, very)
        if from_ballots is not None:
            per_cat = from_ballots[iname]
        elif kind == "flat" and it > 0:  # the same distribution on every item (a 走过场 sign)
            per_cat = grid[items[0][0]]
        elif kind in ("confirmed", "suspected", "perfect"):
            # Exact shares for the story orgs, so their verdicts do not hang on luck.
            pool = [pos for pos, n in enumerate(allocate(valid, p)) for _ in range(n)]
            rng.shuffle(pool)
            per_cat, start = [], 0
            for n in split:
                chunk = pool[start:start + n]
                start += n
                per_cat.append([chunk.count(pos) for pos in positions])
        else:
            cum, acc = [], 0.0
            for v in p:
                acc += v
                cum.append(acc)
            per_cat = []
            for n in split:
                picks = rng.choices(positions, cum_weights=cum, k=n)
                per_cat.append([picks.count(pos) for pos in positions])
        grid[iid] = per_cat
    return valid, split, grid
