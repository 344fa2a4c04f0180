"""The campaign's record (issue 20): 领导点评 with grades naming the 领导点评 problems of 整改台账, 公示反馈 for
most reporting orgs of the first round (the rest overdue on the demo day) and a few early ones of the
second, and 逐级审核 of the second round — approved, returned and pending units. Written last, from its own
random stream, so every row before it stays that of the same seed and no figure changes."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from domain.record import APPROVED, COMMENT_GRADES, RETURNED
from data.models import (Approval, LeaderComment, Org, OrgClosure, Publication, Rectification, RollupHeadline,
                         SupervisionGroup, SupervisionLink)

COMMENTERS = ("王建国（市委组织部副部长）", "李秀英（县委副书记）", "陈志强（督导组组长）", "刘芳（纪工委书记）")
OPINIONS = {"好": "组织评议认真，群众参与面广，整改台账清楚", "较好": "评议程序规范，个别问题整改进度偏慢",
            "一般": "群众反映的问题整改不够具体，需明确时限和责任人", "差": "评议走过场，问题整改流于形式，要求限期补课"}
METHODS = ("公示栏", "门户网站", "公示栏、门户网站", "党员大会通报")
# The orgs whose data the example files (data.importers.examples) change stay open, so they import into the demo.
OPEN_ORGS = ("JT-0007", "JY-0013")
GRADE_WEIGHTS = (3, 4, 3, 1)  # 好, 较好, 一般, 差
RETURN_REASONS = ("测评场次有效份数与汇总表不符，请核实后重新上报", "缺少服务对象类别的测评汇总，请补报")


def write_record(session: Session, seed: int, rounds: tuple[int, int]) -> dict[str, int]:
    """Comments and publications of both rounds, approvals of the second; the numbers written."""
    rng = random.Random(seed + 20)
    first, second = rounds
    written = {"comments": _comments(session, rng, first) + _comments(session, rng, second),
               "publications": _publications(session, rng, first, date(2012, 7, 2), 0.75)
               + _publications(session, rng, second, date(2012, 12, 3), 0.15),
               "approvals": _approvals(session, rng, second)}
    for key, n in _group_story(session, first, second).items():
        written[key] += n
    return written


def _comments(session: Session, rng: random.Random, round_id: int) -> int:
    """One comment per org with 领导点评 problems (linking them, graded by how many), and a few more on
    parents of such orgs without any."""
    problems = defaultdict(list)
    for org_id, code, registered in session.execute(
            select(Rectification.org_id, Rectification.code, Rectification.registered_date)
            .where(Rectification.round_id == round_id, Rectification.source == "领导点评", Rectification.measure_no == 1)
            .order_by(Rectification.code)):
        problems[org_id].append((code, registered))
    parents = dict(session.execute(select(Org.id, Org.parent_id).where(Org.id.in_(list(problems)))).all())
    rows = []
    for n, org_id in enumerate(sorted(problems)):
        linked = problems[org_id]
        grade = rng.choices(COMMENT_GRADES, GRADE_WEIGHTS)[0] if rng.random() < 0.85 else None
        rows.append(_comment(round_id, org_id, n + 1, min(d for _, d in linked) - timedelta(days=rng.randint(0, 3)),
                             grade, rng, "、".join(c for c, _ in linked)))
    for n, parent in enumerate(sorted({p for p in parents.values() if p} - set(problems))[:6]):
        day = min(d for org, links in problems.items() if parents[org] == parent for _, d in links)
        rows.append(_comment(round_id, parent, len(rows) + 1, day, COMMENT_GRADES[n % 2], rng, None))
    if rows:
        session.execute(insert(LeaderComment), rows)
    return len(rows)


def _comment(round_id: int, org_id: int, number: int, day: date, grade: str | None, rng: random.Random,
             linked: str | None) -> dict:
    return dict(round_id=round_id, org_id=org_id, code=f"DP{round_id:02d}-{number:04d}", commenter=rng.choice(COMMENTERS),
                commented_on=day, grade=grade, opinion=OPINIONS[grade or "一般"], problem_codes=linked)


def _reporters(session: Session, round_id: int) -> list[tuple[int, datetime]]:
    """(org id, latest report) of the leaves that reported in the round, by id."""
    return [tuple(r) for r in session.execute(
        select(RollupHeadline.org_id, RollupHeadline.latest_reported_at).join(Org, Org.id == RollupHeadline.org_id)
        .where(RollupHeadline.round_id == round_id, Org.is_leaf.is_(True)).order_by(RollupHeadline.org_id))]


def _publications(session: Session, rng: random.Random, round_id: int, start: date, share: float) -> int:
    rows = []
    for org_id, _latest in _reporters(session, round_id):
        if rng.random() >= share:
            continue
        published = start + timedelta(days=rng.randint(0, 6))
        fed_back = published + timedelta(days=rng.randint(5, 12)) if rng.random() < 0.6 else None
        rows.append(dict(round_id=round_id, org_id=org_id, published_on=published, method=rng.choice(METHODS),
                         feedback_on=fed_back, feedback_to="参评群众代表、服务对象" if fed_back else None))
    if rows:
        session.execute(insert(Publication), rows)
    return len(rows)


def _approvals(session: Session, rng: random.Random, round_id: int) -> int:
    """About two in five reporting units approved, a few returned (after their last report), the rest pending."""
    rows = []
    returned = 0
    kept_open = set(session.scalars(select(Org.id).where(Org.code.in_(OPEN_ORGS))))
    for org_id, latest in _reporters(session, round_id):
        if org_id in kept_open:
            continue
        at = datetime(2012, 12, 6, 9, 0) + timedelta(minutes=rng.randint(0, 60 * 48))
        roll = rng.random()
        if roll < 0.4 and latest < at:
            rows.append(dict(round_id=round_id, org_id=org_id, state=APPROVED, reason=None,
                             acted_by=rng.choice(("supervisor", "admin")), acted_at=at))
        elif roll > 0.95 and latest < at and returned < 6:
            returned += 1
            rows.append(dict(round_id=round_id, org_id=org_id, state=RETURNED, reason=rng.choice(RETURN_REASONS),
                             acted_by="supervisor", acted_at=at))
    if rows:
        session.execute(insert(Approval), rows)
    return len(rows)


def _group_story(session: Session, first: int, second: int) -> dict[str, int]:
    """The demo supervisor's group (the first by name, data.lookups) shows every state on its workbench: in the
    second round its units have 0, 1 and 2 comments, one 已反馈, one 已公示 and the others 未公示, and one
    reporting org under them is 退回; in the first round all but its last unit published (that one is 逾期未公示)."""
    group = session.scalar(select(SupervisionGroup.id).order_by(SupervisionGroup.name))
    units = list(session.scalars(select(Org.id).join(SupervisionLink, SupervisionLink.org_id == Org.id).where(
        SupervisionLink.group_id == group, SupervisionLink.is_contact_point.is_(False)).order_by(Org.code)))
    if len(units) < 4:
        return {"comments": 0, "publications": 0, "approvals": 0}
    child = session.scalar(select(Org.id).where(Org.parent_id == units[1]).order_by(Org.code)) or units[1]
    comments = [(units[0], date(2012, 11, 20), "好"), (units[0], date(2012, 12, 4), "较好"),
                (child, date(2012, 11, 28), "差"), (units[2], date(2012, 12, 5), "一般")]
    session.execute(insert(LeaderComment), [
        dict(round_id=second, org_id=org_id, code=f"DP{second:02d}-G{n + 1:02d}", commenter=COMMENTERS[n % 4],
             commented_on=day, grade=grade, opinion=OPINIONS[grade], problem_codes=None)
        for n, (org_id, day, grade) in enumerate(comments)])
    pubs = [(second, units[0], date(2012, 12, 3), date(2012, 12, 8)), (second, units[1], date(2012, 12, 5), None),
            *[(first, unit, date(2012, 7, 4 + k), date(2012, 7, 12) if k == 0 else None)
              for k, unit in enumerate(units[:-1])]]
    session.execute(insert(Publication), [
        dict(round_id=r, org_id=org_id, published_on=day, method=METHODS[k % len(METHODS)], feedback_on=back,
             feedback_to="参评群众代表、服务对象" if back else None) for k, (r, org_id, day, back) in enumerate(pubs)])
    return {"comments": len(comments), "publications": len(pubs), "approvals": _group_return(session, second, units)}


def _group_return(session: Session, round_id: int, units: list[int]) -> int:
    """One reporting org under the group's units, not yet acted on, 退回 with a reason."""
    acted = select(Approval.org_id).where(Approval.round_id == round_id)
    at = datetime(2012, 12, 7, 10, 30)
    found = session.execute(
        select(RollupHeadline.org_id).join(OrgClosure, OrgClosure.descendant_id == RollupHeadline.org_id)
        .join(Org, Org.id == RollupHeadline.org_id)
        .where(RollupHeadline.round_id == round_id, OrgClosure.ancestor_id.in_(units[1:]), Org.is_leaf.is_(True),
               RollupHeadline.latest_reported_at < at, RollupHeadline.org_id.not_in(acted),
               Org.code.not_in(OPEN_ORGS))
        .order_by(Org.code).limit(1)).scalar()
    if found is None:
        return 0
    session.execute(insert(Approval), [dict(round_id=round_id, org_id=found, state=RETURNED, reason=RETURN_REASONS[0],
                                            acted_by="supervisor", acted_at=at)])
    return 1
