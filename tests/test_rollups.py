"""Rollups: the closure table and headline/subtree counts that every drill-down reads."""
from datetime import datetime

from sqlalchemy import select

from data.models import (Item, Member, Org, OrgClosure, Region, RollupHeadline, RollupSubtree, Round,
                         System, Tally)
from data.rollups import rebuild_closure, rebuild_rollups

T0 = datetime(2012, 6, 1, 9, 0)


def tally(rnd, org, item, category, opts, member=None, at=T0):
    counts = {f"opt{i + 1}": v for i, v in enumerate(opts)}
    return Tally(round_id=rnd.id, org_id=org.id, item_id=item.id, category=category,
                 member_id=member.id if member else None, member_key=member.id if member else 0,
                 first_reported_at=at, updated_at=at, **counts)


def test_headline_uses_overall_item_where_the_org_has_one_and_subtrees_pool(sessions):
    with sessions() as s:
        sysm = System(name="教育系统")
        reg = Region(code="430000", name="湖南省", level=1, l1_code="430000", full_name="湖南省")
        s.add_all([sysm, reg])
        s.flush()
        root = Org(code="A", name="教育厅党组", org_type="党委", system_id=sysm.id, region_id=reg.id)
        s.add(root)
        s.flush()
        mid = Org(code="A1", name="一中党委", org_type="党委", parent_id=root.id, system_id=sysm.id,
                  region_id=reg.id)
        s.add(mid)
        s.flush()
        leaf = Org(code="A11", name="一中第一支部", org_type="党支部", parent_id=mid.id,
                   system_id=sysm.id, region_id=reg.id)
        s.add(leaf)
        rnd = Round(name="R1")
        s.add(rnd)
        s.flush()
        overall = Item(round_id=rnd.id, name="总体评价", is_overall=True)
        other = Item(round_id=rnd.id, name="服务群众")
        s.add_all([overall, other])
        s.flush()
        member = Member(code="M1", name="张三", org_id=leaf.id)
        s.add(member)
        s.flush()
        s.add_all([
            # mid has an overall item: only it counts for mid's headline
            tally(rnd, mid, overall, "党员", [10, 2, 1]),
            tally(rnd, mid, overall, "群众代表", [5, 0, 2]),
            tally(rnd, mid, other, "党员", [100, 0, 0]),
            # leaf has no overall item: its items pool
            tally(rnd, leaf, other, "党员", [3, 3, 3]),
            tally(rnd, leaf, other, "服务对象", [1, 0, 0]),
            # a member's tally never enters the org headline
            tally(rnd, leaf, other, "党员", [50, 0, 0], member=member, at=datetime(2012, 5, 1)),
        ])
        rebuild_closure(s)
        rebuild_rollups(s)
        s.commit()

        assert s.scalar(select(Org.depth).where(Org.code == "A11")) == 2
        assert s.scalar(select(Org.is_leaf).where(Org.code == "A1")) is False
        assert len(s.scalars(select(OrgClosure)).all()) == 6  # 3 self pairs + A>A1, A>A11, A1>A11

        def head(code):
            return s.scalar(select(RollupHeadline).join(Org, Org.id == RollupHeadline.org_id)
                            .where(Org.code == code))

        def sub(code):
            return s.scalar(select(RollupSubtree).join(Org, Org.id == RollupSubtree.org_id)
                            .where(Org.code == code))

        assert (head("A1").opt1, head("A1").opt2, head("A1").opt3) == (15, 2, 3)
        assert (head("A11").opt1, head("A11").opt2, head("A11").opt3) == (4, 3, 3)
        assert head("A11").first_reported_at == datetime(2012, 5, 1)  # member tallies count as reporting
        assert head("A") is None  # reported nothing itself
        assert (sub("A").opt1, sub("A").opt2, sub("A").opt3) == (19, 5, 6)
        assert (sub("A11").opt1, sub("A11").opt2, sub("A11").opt3) == (4, 3, 3)
