"""A unit user's imports (issue 18 points 1 and 2), on both backends: rows are checked against the caller's
subtree one by one — it writes only its own orgs, never moves one out of its subtree or into another 所属系统,
never creates a system, never touches 督导分组 — and no error names or confirms anything outside the subtree
(the answer is 不在本单位范围内, the same for a code of another unit and for one that exists nowhere)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from data.importers import import_uploads
from data.models import Org, SupervisionGroup, SupervisionLink, System
from tests.importer_helpers import ROUND, base_file, csv_bytes, table_counts, xlsx

ORG_HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类型", "所属系统", "所属地区", "跨系统隶属"]
GROUP_HEADER = ["督导组", "组织编码", "是否联系点", "督导组长"]
OUT = "不在本单位范围内"
# Names and codes of what lies outside the unit's subtree (JT01 and JT01A): no answer may carry them.
OUTSIDE = ["交通运输局党委", "机关第二党支部", "卫健委党委", "公安局党委", "公安系统", "卫生健康系统", "GA-M1",
           "张组长", "李组长", "省委第二督导组"]


def orgs_file(*rows) -> tuple[str, bytes]:
    return ("组织.xlsx", xlsx({"组织架构": [ORG_HEADER, *rows]}))


def org_row(code, name, parent, system="交通运输系统", cross=""):
    return [code, name, parent, "党支部", system, "湖南省/长沙市", cross]


@pytest.fixture
def unit(sessions):
    """The admin's campaign: JT (JT01 with JT01A below it, JT02), WS, GA in 公安系统, two groups, a member and a
    pledge of other units. Returns the unit user's allowed org ids: JT01's subtree."""
    admin_files = [
        ("基础.xlsx", base_file()),
        orgs_file(org_row("JT01A", "第一党小组", "JT01"), ["GA", "公安局党委", "", "党委", "公安系统", "湖南省", ""]),
        ("分组.csv", csv_bytes([GROUP_HEADER, ["省委第一督导组", "JT", "否", "张组长"],
                                ["省委第一督导组", "JT01", "是", ""], ["省委第二督导组", "WS", "是", "李组长"]])),
        ("党员.csv", csv_bytes([["党员编号", "姓名", "组织编码"], ["GA-M1", "公安党员", "GA"],
                                ["JT-M1", "交通党员", "JT01"]])),
        ("承诺.csv", csv_bytes([["承诺编号", "评议批次", "组织编码", "承诺内容", "承诺时限", "状态"],
                                ["WS-P1", ROUND, "WS", "卫健承诺", "2012-06-30", "推进中"]])),
    ]
    result = import_uploads(sessions, admin_files, "admin")
    assert result.accepted, result.errors
    with sessions() as s:
        return set(s.scalars(select(Org.id).where(Org.code.in_(["JT01", "JT01A"]))))


def unit_import(sessions, own, *files):
    """The unit's import of files: rejected, nothing written; the (row, column, reason) of every error."""
    before = table_counts(sessions)
    result = import_uploads(sessions, list(files), "unit", allowed_org_ids=own)
    assert not result.accepted
    assert table_counts(sessions) == before
    # The cell values are the caller's own words; the rest of the answer is the server's.
    said = " ".join(f"{e.column} {e.reason}" for e in result.errors) + " ".join(result.summary_lines())
    assert [word for word in OUTSIDE if word in said] == []
    return [(e.row, e.column, e.reason) for e in result.errors]


def group_state(sessions) -> tuple:
    with sessions() as s:
        leaders = dict(s.execute(select(SupervisionGroup.name, SupervisionGroup.leader)).all())
        links = sorted(s.execute(select(SupervisionGroup.name, Org.code, SupervisionLink.is_contact_point)
                                 .join(SupervisionGroup, SupervisionGroup.id == SupervisionLink.group_id)
                                 .join(Org, Org.id == SupervisionLink.org_id)).all())
    return leaders, links


@pytest.mark.parametrize("row", [["省委第一督导组", "JT01A", "否", "黑客"],  # another's leader, a new board org
                                 ["省委第二督导组", "JT01", "是", ""],  # a contact point of another group
                                 ["新督导组", "JT01", "否", ""]])
def test_a_unit_never_touches_supervision_groups(sessions, unit, row):
    before = group_state(sessions)
    assert unit_import(sessions, unit, ("分组.csv", csv_bytes([GROUP_HEADER, row]))) == [
        (2, "督导组", OUT + "（督导分组只能由管理员导入）")]
    assert group_state(sessions) == before


@pytest.mark.parametrize("row,error", [
    (org_row("JT01", "机关第一党支部", ""), (2, "上级组织编码", OUT + "（不能更改本单位的上级组织）")),
    (org_row("JT01", "机关第一党支部", "JT02"), (2, "上级组织编码", OUT + "（不能更改本单位的上级组织）")),
    (org_row("JT01A", "第一党小组", ""), (2, "上级组织编码", OUT + "（不能移出本单位）")),
    (org_row("JT01A", "第一党小组", "JT02"), (2, "上级组织编码", OUT)),
    (org_row("JT01A", "第一党小组", "GA", cross="是"), (2, "上级组织编码", OUT)),
    (org_row("NEW", "新支部", ""), (2, "上级组织编码", OUT + "（不能新建顶层组织）")),
    (org_row("NEW", "新支部", "NOWHERE"), (2, "上级组织编码", OUT)),  # unknown: the same answer as JT02's
    (org_row("JT02", "机关第二党支部", "JT01"), (2, "组织编码", OUT)),
])
def test_a_unit_never_moves_an_org_out_of_its_subtree(sessions, unit, row, error):
    assert unit_import(sessions, unit, orgs_file(row)) == [error]


@pytest.mark.parametrize("row,error", [
    (org_row("JT01A", "第一党小组", "JT01", system="黑客系统", cross="是"), OUT + "（本单位账号不能更改组织的所属系统）"),
    (org_row("JT01A", "第一党小组", "JT01", system="卫生健康系统", cross="是"), OUT + "（本单位账号不能更改组织的所属系统）"),
    (org_row("NEW", "新支部", "JT01", system="黑客系统", cross="是"), OUT + "（只能填写本单位组织已有的所属系统）"),
    (org_row("NEW", "新支部", "JT01", system="公安系统", cross="是"), OUT + "（只能填写本单位组织已有的所属系统）"),
])
def test_a_unit_never_moves_an_org_into_another_system_nor_creates_one(sessions, unit, row, error):
    with sessions() as s:
        systems = set(s.scalars(select(System.name)))
    assert unit_import(sessions, unit, orgs_file(row)) == [(2, "所属系统", error)]
    with sessions() as s:
        assert set(s.scalars(select(System.name))) == systems


def test_a_unit_still_keeps_and_grows_its_own_subtree(sessions, unit):
    """Its own top org re-imported as it is (its parent is outside, unchanged), a new org below it, and an
    org moved within the subtree: accepted."""
    files = [orgs_file(org_row("JT01", "机关第一党支部（更名）", "JT"), org_row("NEW", "新支部", "JT01A"),
                       org_row("NEW2", "新支部二", "NEW"))]
    result = import_uploads(sessions, files, "unit", allowed_org_ids=unit)
    assert result.accepted, result.errors
    moved = import_uploads(sessions, [orgs_file(org_row("NEW2", "新支部二", "JT01"))], "unit",
                           allowed_org_ids=unit | {o for o in _ids(sessions, "NEW", "NEW2")})
    assert moved.accepted, moved.errors
    with sessions() as s:
        parents = dict(s.execute(select(Org.code, Org.parent_id)).all())
        ids = dict(s.execute(select(Org.code, Org.id)).all())
    assert parents["JT01"] == ids["JT"] and parents["NEW"] == ids["JT01A"] and parents["NEW2"] == ids["JT01"]


def _ids(sessions, *codes) -> set[int]:
    with sessions() as s:
        return set(s.scalars(select(Org.id).where(Org.code.in_(codes))))


def test_a_cycle_through_another_units_org_names_nothing_of_it(sessions, unit):
    """Was: 上级组织形成循环：NEW-CYC（我的新支部） → JT02（机关第二党支部） → …"""
    errors = unit_import(sessions, unit, orgs_file(org_row("NEW-CYC", "我的新支部", "JT02"),
                                                   org_row("JT02", "机关第二党支部", "NEW-CYC")))
    assert sorted(errors) == [(2, "上级组织编码", OUT), (3, "组织编码", OUT)]


def test_a_parent_in_another_system_outside_the_subtree_is_not_named(sessions, unit):
    """Was: 上级组织属于公安系统，本组织属于交通运输系统."""
    assert unit_import(sessions, unit, orgs_file(org_row("NEW", "新支部", "GA"))) == [(2, "上级组织编码", OUT)]


def test_member_and_ledger_codes_of_other_units_are_not_confirmed(sessions, unit):
    """Was: 该党员现属组织超出本单位范围 / 该编号已属于其他单位: now the answer for a code held elsewhere is
    the one for an org code of another unit."""
    members = ("党员.csv", csv_bytes([["党员编号", "姓名", "组织编码"], ["GA-M1", "改名", "JT01"]]))
    assert unit_import(sessions, unit, members) == [(2, "党员编号", OUT)]
    pledges = ("承诺.csv", csv_bytes([["承诺编号", "评议批次", "组织编码", "承诺内容", "承诺时限", "状态"],
                                      ["WS-P1", ROUND, "JT01", "改写", "2012-06-30", "推进中"]]))
    assert unit_import(sessions, unit, pledges) == [(2, "承诺编号", OUT)]
    # A member of another unit named on a pledge row: the same answer as an unknown member.
    named = ("承诺.csv", csv_bytes([["承诺编号", "评议批次", "组织编码", "党员编号", "承诺内容", "承诺时限", "状态"],
                                    ["JT-P1", ROUND, "JT01", "GA-M1", "x", "2012-06-30", "推进中"],
                                    ["JT-P2", ROUND, "JT01", "NO-SUCH", "x", "2012-06-30", "推进中"]]))
    assert unit_import(sessions, unit, named) == [(2, "党员编号", OUT), (3, "党员编号", OUT)]


def test_an_unknown_org_code_and_another_units_get_the_same_answer(sessions, unit):
    tally = ("汇总.csv", csv_bytes([["评议批次", "组织编码", "测评项目", "参评人员类别", "满意", "基本满意", "不满意"],
                                    [ROUND, "WS", "总体评价", "服务对象", 1, 0, 0],
                                    [ROUND, "NOWHERE", "总体评价", "服务对象", 1, 0, 0]]))
    assert unit_import(sessions, unit, tally) == [(2, "组织编码", OUT), (3, "组织编码", OUT)]


def test_an_admin_is_still_told_exactly_what_is_wrong(sessions, unit):
    cycle = import_uploads(sessions, [orgs_file(org_row("NEW-CYC", "我的新支部", "JT02"),
                                                org_row("JT02", "机关第二党支部", "NEW-CYC"))], "admin")
    assert [e.reason for e in cycle.errors] == [
        "上级组织形成循环：NEW-CYC（我的新支部） → JT02（机关第二党支部） → NEW-CYC（我的新支部）"]
    other = import_uploads(sessions, [orgs_file(org_row("NEW", "新支部", "GA"))], "admin")
    assert [e.reason for e in other.errors] == [
        "上级组织属于公安系统，本组织属于交通运输系统；确属跨系统隶属请在“跨系统隶属”列填“是”"]
    tally = ("汇总.csv", csv_bytes([["评议批次", "组织编码", "测评项目", "参评人员类别", "满意", "基本满意", "不满意"],
                                    [ROUND, "NOWHERE", "总体评价", "服务对象", 1, 0, 0]]))
    assert [e.reason for e in import_uploads(sessions, [tally], "admin").errors] == ["未知的组织编码"]
