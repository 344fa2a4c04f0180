"""A small hand-made campaign whose every figure is recomputed by hand in the report tests.

Systems: 交通运输系统 (T), 卫生健康系统 (H). Regions: 四川省 510000 › 成都市 510100 › 锦江区 510104;
绵阳市 510700. Orgs (code: system, region, parent):
    A   交通局党委        T 510100  —
    A1  机关党支部        T 510104  A
    A2  运输公司党总支    T 510104  A
    A21 运输公司一支部    T 510104  A2   (members M1 正式, M2 预备)
    B   省交通厅机关党委  T 510000  —    (province level)
    C   绵阳卫健委党委    H 510700  —    (no 总体评价 answers: headline = all its items pooled)
    C1  市医院党支部      H 510700  C
Headline counts (S, B, U) in round R2 (three-level scale):
    A (13, 5, 6) = 单位参评人员 (10, 5, 5) + 服务对象 (3, 0, 1); A1 (8, 1, 1); A2 (2, 3, 7); A21 (1, 1, 8);
    B (30, 5, 5); C (12, 3, 0) + 2 不了解 on 工作作风; C1 (4, 2, 0).
A's 工作作风 item: (5, 5, 10). Round R1 (older) has A1 only: (5, 5, 0).
"""
from __future__ import annotations

from datetime import date, datetime

from data.models import (EvalSession, Item, Member, Org, Pledge, Rectification, Region, Round,
                         SupervisionGroup, SupervisionLink, System, Tally)
from data.rollups import rebuild_closure, rebuild_rollups

AS_OF = date(2024, 12, 31)
R1, R2 = "2024年上半年群众评议", "2024年下半年群众评议"
T0 = datetime(2024, 11, 1, 9, 0)


def load(session) -> dict:
    t, h = System(name="交通运输系统"), System(name="卫生健康系统")
    session.add_all([t, h])
    sc = Region(code="510000", name="四川省", level=1, l1_code="510000", full_name="四川省")
    session.add(sc)
    session.flush()
    cd = Region(code="510100", name="成都市", level=2, parent_id=sc.id, l1_code="510000", l2_code="510100",
                full_name="四川省/成都市")
    my = Region(code="510700", name="绵阳市", level=2, parent_id=sc.id, l1_code="510000", l2_code="510700",
                full_name="四川省/绵阳市")
    session.add_all([cd, my])
    session.flush()
    jj = Region(code="510104", name="锦江区", level=3, parent_id=cd.id, l1_code="510000", l2_code="510100",
                l3_code="510104", full_name="四川省/成都市/锦江区")
    session.add(jj)
    session.flush()
    orgs: dict[str, Org] = {}

    def org(code, name, system, region, parent=None, kind="党委"):
        o = Org(code=code, name=name, org_type=kind, system_id=system.id, region_id=region.id,
                parent_id=orgs[parent].id if parent else None)
        session.add(o)
        session.flush()
        orgs[code] = o
        return o

    org("A", "交通局党委", t, cd)
    org("A1", "机关党支部", t, jj, "A", "党支部")
    org("A2", "运输公司党总支", t, jj, "A", "党总支")
    org("A21", "运输公司一支部", t, jj, "A2", "党支部")
    org("B", "省交通厅机关党委", t, sc)
    org("C", "绵阳卫健委党委", h, my)
    org("C1", "市医院党支部", h, my, "C", "党支部")
    m1 = Member(code="M1", name="张三", org_id=orgs["A21"].id, category="正式")
    m2 = Member(code="M2", name="李四", org_id=orgs["A21"].id, category="预备")
    session.add_all([m1, m2])

    r1 = Round(name=R1, start_date=date(2024, 1, 1))
    r2 = Round(name=R2, start_date=date(2024, 7, 1), report_deadline=date(2024, 11, 30))
    session.add_all([r1, r2])
    session.flush()
    overall1 = Item(round_id=r1.id, name="总体评价", is_overall=True, position=1)
    overall = Item(round_id=r2.id, name="总体评价", is_overall=True, position=1)
    style = Item(round_id=r2.id, name="工作作风", position=2)
    session.add_all([overall1, overall, style])
    session.flush()

    def tally(rnd, code, item, category, s, b, u, unknown=0, member=None):
        session.add(Tally(round_id=rnd.id, org_id=orgs[code].id, item_id=item.id, category=category,
                          member_id=member.id if member else None, member_key=member.id if member else 0,
                          opt1=s, opt2=b, opt3=u, unknown=unknown, first_reported_at=T0, updated_at=T0))

    tally(r2, "A", overall, "单位参评人员", 10, 5, 5)
    tally(r2, "A", overall, "服务对象", 3, 0, 1)
    tally(r2, "A", style, "单位参评人员", 5, 5, 10)
    tally(r2, "A1", overall, "单位参评人员", 8, 1, 1)
    tally(r2, "A2", overall, "单位参评人员", 2, 3, 7)
    tally(r2, "A21", overall, "单位参评人员", 1, 1, 8)
    tally(r2, "B", overall, "单位参评人员", 30, 5, 5)
    tally(r2, "C", style, "服务对象", 12, 3, 0, unknown=2)
    tally(r2, "C1", overall, "单位参评人员", 4, 2, 0)
    session.flush()
    tally(r2, "A21", overall, "党员", 6, 3, 1, member=m1)
    tally(r2, "A21", overall, "党员", 5, 0, 0, member=m2)
    tally(r1, "A1", overall1, "单位参评人员", 5, 5, 0)

    def pledge(code, org_code, due, status, fulfilled=None, member=None):
        session.add(Pledge(code=code, round_id=r2.id, org_id=orgs[org_code].id, content=code, due_date=due,
                           status=status, fulfilled_date=fulfilled, member_id=member.id if member else None))

    pledge("P1", "A1", date(2024, 11, 30), "已兑现", date(2024, 11, 20))
    pledge("P2", "A21", date(2024, 12, 15), "推进中")
    pledge("P3", "A2", date(2024, 12, 31), "已兑现", date(2025, 1, 5))  # due on the day, fulfilled later
    pledge("P4", "A", date(2025, 3, 1), "未启动")  # not due yet
    pledge("P5", "A21", date(2024, 10, 1), "已兑现", date(2024, 9, 30), member=m1)

    def rect(code, org_code, registered, deadline, status, completed=None):
        session.add(Rectification(code=code, round_id=r2.id, org_id=orgs[org_code].id, description=code,
                                  registered_date=registered, deadline=deadline, status=status,
                                  completed_date=completed))

    rect("Z1", "A21", date(2024, 10, 1), date(2024, 12, 1), "整改中")  # 30 days overdue
    rect("Z2", "A2", date(2024, 10, 1), date(2024, 11, 30), "已完成", date(2024, 11, 15))
    rect("Z3", "A1", date(2024, 10, 1), date(2024, 12, 20), "已完成", date(2025, 1, 10))  # done after as-of
    rect("Z4", "A", date(2025, 1, 5), date(2025, 2, 1), "未启动")  # registered after as-of
    rect("Z5", "C1", date(2024, 9, 1), date(2025, 1, 2), "整改中")  # due in 2 days

    session.add(EvalSession(round_id=r2.id, org_id=orgs["A21"].id, expected=12, issued=12, returned=10))
    session.add(EvalSession(round_id=r2.id, org_id=orgs["A2"].id, expected=10, issued=10, returned=12))  # void
    session.add(EvalSession(round_id=r2.id, org_id=orgs["A1"].id, expected=11, issued=11, returned=10))

    group = SupervisionGroup(name="第一督导组")
    session.add(group)
    session.flush()
    session.add(SupervisionLink(group_id=group.id, org_id=orgs["C"].id))
    session.flush()
    rebuild_closure(session)
    rebuild_rollups(session)
    session.commit()
    return {"orgs": {k: v.id for k, v in orgs.items()}}


def ask(filters=None, as_of: date = AS_OF, scope=None, view: str = ""):
    """The request a caller builds (dashboard.reports.request) for filters, a date and a scope (everything by
    default), checked against the filters `view` declares."""
    from dashboard import reports
    from domain.scope import EVERYTHING
    from domain.tables import Filters

    f = filters or Filters()
    params = {"round": f.round, "system": f.system, "region": f.region, "org": f.org, **dict(f.extra),
              "as_of": as_of}
    return reports.request(view, params, EVERYTHING if scope is None else scope)


def build(view, session, filters, as_of, scope):
    """reports.build for filters, a date and a scope, with the request a caller would build."""
    from dashboard import reports

    return reports.build(view, session, ask(filters, as_of, scope, view=view))


def overview(session, filters, as_of, scope):
    from dashboard import reports

    return reports.overview(session, ask(filters, as_of, scope))


def drilldown(session, filters, as_of, scope):
    from dashboard import reports

    return reports.drilldown(session, ask(filters, as_of, scope))
