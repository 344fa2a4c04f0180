"""The campaign's second chance (docs/metrics.md 返工状态): after the first round, the two weakest reporting
branches are ordered to redo their evaluation (返工补课); one 复评 passes, the other is still below the red
line. Two problems get a second measure and one a 回头看 source. Written after the rollups (it picks the
orgs from them) with its own random stream, so the rows before it stay those of the same seed."""
from __future__ import annotations

import random
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from domain.rules import RECHECK
from data.models import COUNT_COLUMNS, Rectification, ReworkOrder, RollupHeadline, Tally
from data.rollups import rebuild_rollups

ORDERED_ON, RECHECK_DUE = date(2012, 7, 1), date(2012, 9, 30)
RECHECKED = (datetime(2012, 8, 20, 10, 0), datetime(2012, 9, 10, 15, 0))  # passes / still below


def write_rework(session: Session, round_id: int, seed: int, counts: dict[str, int]) -> None:
    """Orders for the two weakest orgs (N ≥ 20) of the round, with their 复评 tallies (added to counts)."""
    rng = random.Random(seed + 15)
    heads = session.execute(select(RollupHeadline.org_id, RollupHeadline.opt1, RollupHeadline.opt2,
                                   RollupHeadline.opt3).where(RollupHeadline.round_id == round_id)).all()
    weakest = sorted((h for h in heads if sum(h[1:]) >= 20), key=lambda h: ((h[1] + h[2]) / sum(h[1:]), h[0]))[:2]
    for (org_id, *_), reported, passing in zip(weakest, RECHECKED, (True, False)):
        session.execute(insert(ReworkOrder).values(
            round_id=round_id, org_id=org_id, ordered_on=ORDERED_ON, office="省委督导办", doc_no="江督办〔2012〕7号",
            recheck_due=RECHECK_DUE, note="首评综合满意率低于红线", recorded_by="demo"))
        firsts = session.execute(select(Tally).where(Tally.round_id == round_id, Tally.org_id == org_id,
                                                     Tally.member_key == 0)).scalars().all()
        rows = []
        for t in firsts:
            n = sum(getattr(t, c) for c in COUNT_COLUMNS)  # the 复评 sitting has as many valid ballots
            s = round(n * (rng.uniform(0.8, 0.9) if passing else rng.uniform(0.3, 0.4)))
            b = round((n - s) * (0.5 if passing else 0.3))
            rows.append(dict(round_id=round_id, org_id=org_id, member_key=0, member_id=None, item_id=t.item_id,
                             category=t.category, phase=RECHECK, from_ballots=False, opt1=s, opt2=b,
                             opt3=n - s - b, opt4=0, opt5=0, unknown=0, abstain=0, first_reported_at=reported,
                             updated_at=reported))
        if rows:
            session.execute(insert(Tally), rows)
        counts["tallies"] += len(rows)
    counts["rectifications"] += _measures_and_look_back(session, round_id)
    rebuild_rollups(session, [round_id])


def _measures_and_look_back(session: Session, round_id: int) -> int:
    """A second measure for two problems (one done, one still open) and one problem found by 回头看."""
    problems = session.scalars(select(Rectification).where(Rectification.round_id == round_id)
                               .order_by(Rectification.code).limit(3)).all()
    for r, done in zip(problems[:2], (True, False)):
        session.execute(insert(Rectification).values(
            code=r.code, measure_no=2, round_id=r.round_id, org_id=r.org_id, source=r.source,
            description=r.description, measure="建立长效机制，每季度回访", owner=r.owner,
            registered_date=r.registered_date, deadline=r.deadline, status="已完成" if done else "整改中",
            completed_date=r.deadline if done else None, closed_date=None, evidence="回访记录" if done else None))
    if len(problems) > 2:
        session.execute(update(Rectification).where(Rectification.id == problems[2].id).values(source="回头看"))
    return len(problems[:2])
