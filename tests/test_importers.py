"""Import pipeline (docs/import-templates.md): good files land exactly, bad files are rejected whole,
re-imports are idempotent."""
from __future__ import annotations

import io
import json
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from data.importers import TEMPLATES, import_uploads, template_xlsx
from data.models import (
    Ballot, ImportLog, Item, Org, Region, RollupHeadline, RollupSubtree, Round, RoundChange, System, Tally)
from tests.importer_helpers import ROUND, base_file, csv_bytes, issues, table_counts, xlsx

T0 = datetime(2012, 2, 10, 9, 0)
T1 = datetime(2012, 2, 20, 9, 0)
TALLY_HEADER = ["评议批次", "组织编码", "党员编号", "测评项目", "参评人员类别", "好", "一般", "差", "不了解", "弃权"]


def load_base(sessions):
    result = import_uploads(sessions, [("基础.xlsx", base_file())], "admin", now=T0)
    assert result.accepted, issues(result)
    return result


def org_ids(sessions) -> dict[str, int]:
    with sessions() as s:
        return dict(s.execute(select(Org.code, Org.id)).all())


def headline(sessions) -> dict[str, tuple]:
    with sessions() as s:
        rows = s.execute(select(Org.code, RollupHeadline.opt1, RollupHeadline.opt2, RollupHeadline.opt3,
                                RollupHeadline.unknown, RollupHeadline.abstain)
                         .join(Org, Org.id == RollupHeadline.org_id)).all()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_base_file_creates_round_orgs_regions_systems(sessions):
    result = load_base(sessions)
    assert result.files[0].templates == ["评议批次", "组织架构"]
    assert (result.files[0].rows, result.files[0].inserted) == (5, 5)
    with sessions() as s:
        rnd = s.scalars(select(Round)).one()
        assert (rnd.name, rnd.start_date, rnd.end_date, rnd.report_deadline) == (
            ROUND, date(2012, 2, 1), date(2012, 3, 31), date(2012, 2, 15))
        assert (rnd.scale, round(rnd.redline, 4), rnd.min_sample) == ("三级", 0.6667, 10)
        assert sorted(s.scalars(select(System.name))) == ["交通运输系统", "卫生健康系统"]
        regions = {r.full_name: r for r in s.scalars(select(Region))}
        assert set(regions) == {"湖南省", "湖南省/长沙市", "湖南省/长沙市/望城区"}
        county = regions["湖南省/长沙市/望城区"]
        assert county.level == 3 and county.parent_id == regions["湖南省/长沙市"].id
        assert (county.l1_code, county.l2_code, county.l3_code) == (
            regions["湖南省"].code, regions["湖南省/长沙市"].code, county.code)
        orgs = {o.code: o for o in s.scalars(select(Org))}
        assert orgs["JT01"].parent_id == orgs["JT"].id and orgs["JT"].parent_id is None
        assert orgs["JT02"].region_id == county.id  # the "›" path is the same region
        assert (orgs["JT"].is_leaf, orgs["JT01"].is_leaf, orgs["JT01"].depth) == (False, True, 1)
        log = s.scalars(select(ImportLog)).one()
        assert (log.username, log.file_name, log.rows, log.inserted, log.template) == (
            "admin", "基础.xlsx", 5, 5, "评议批次,组织架构")
        assert len(log.sha256) == 64


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_tally_csv_in_every_encoding_lands_with_rollups(sessions, encoding):
    load_base(sessions)
    rows = [["测评汇总表（望城区交通局）"], TALLY_HEADER,
            [ROUND, "JT01", "", "总体评价", "服务对象", "１２", "3", "1", "2", ""],
            [ROUND, "JT01", "", "总体评价", "党员", "5", "0", "0", "0", "1"],
            [ROUND, "JT01", "", "承诺践诺情况", "服务对象", "1", "1", "1", "0", "0"],
            [ROUND, "ＪＴ02", "", "承诺践诺情况", "服务对象", "4", "4", "2", "0", "0"]]
    result = import_uploads(sessions, [("汇总.csv", csv_bytes(rows, encoding))], "admin", now=T1)
    assert result.accepted, issues(result)
    assert (result.files[0].rows, result.files[0].inserted) == (4, 4)
    with sessions() as s:
        items = {i.name: i.is_overall for i in s.scalars(select(Item))}
        assert items == {"总体评价": True, "承诺践诺情况": False}
        assert s.scalars(select(Tally.first_reported_at)).all() == [T1] * 4
    # JT01 has the overall item: 12+5 / 3 / 1; JT02 has none: all its items pooled; JT sums its subtree.
    assert headline(sessions) == {"JT01": (17, 3, 1, 2, 1), "JT02": (4, 4, 2, 0, 0)}
    with sessions() as s:
        jt = s.execute(select(RollupSubtree.opt1, RollupSubtree.opt2, RollupSubtree.opt3)
                       .join(Org, Org.id == RollupSubtree.org_id).where(Org.code == "JT")).one()
    assert tuple(jt) == (21, 7, 3)


def test_reimport_changes_nothing_and_newer_file_replaces(sessions):
    load_base(sessions)
    rows = [TALLY_HEADER, [ROUND, "JT01", "", "总体评价", "服务对象", 8, 2, 0, 0, 0]]
    first = import_uploads(sessions, [("a.csv", csv_bytes(rows))], "admin", now=T0)
    assert first.accepted
    again = import_uploads(sessions, [("a.csv", csv_bytes(rows))], "admin", now=T1)
    assert (again.files[0].inserted, again.files[0].updated, again.files[0].unchanged) == (0, 0, 1)
    with sessions() as s:
        t = s.scalars(select(Tally)).one()
        assert (t.first_reported_at, t.updated_at) == (T0, T0)
    base = load_base(sessions)
    assert (base.files[0].inserted, base.files[0].updated, base.files[0].unchanged) == (0, 0, 5)

    rows[1][5:7] = [6, 4]
    newer = import_uploads(sessions, [("b.csv", csv_bytes(rows))], "admin", now=T1)
    assert (newer.files[0].inserted, newer.files[0].updated, newer.files[0].unchanged) == (0, 1, 0)
    with sessions() as s:
        t = s.scalars(select(Tally)).one()
        assert (t.opt1, t.opt2, t.first_reported_at, t.updated_at) == (6, 4, T0, T1)
        assert s.query(ImportLog).count() == 5  # base, a, a again, base again, b
    assert headline(sessions)["JT01"] == (6, 4, 0, 0, 0)


def test_round_profile_change_is_logged(sessions):
    load_base(sessions)
    changed = xlsx({"批次": [["评议批次", "红线指标", "红线", "按工作日计算", "文件号"],
                             [ROUND, "满意率", "0.8", "是", "湘组通〔2012〕5号"]]})
    result = import_uploads(sessions, [("批次.xlsx", changed)], "leader", now=T1)
    assert result.accepted and result.files[0].updated == 1
    with sessions() as s:
        rnd = s.scalars(select(Round)).one()
        assert (rnd.redline_metric, rnd.redline, rnd.working_days, rnd.doc_no, rnd.min_sample) == (
            "满意率", 0.8, True, "湘组通〔2012〕5号", 10)
        fields = sorted(c.field for c in s.scalars(select(RoundChange)))
        assert fields == ["doc_no", "redline", "redline_metric", "working_days"]


def test_dry_run_writes_nothing_and_names_new_rounds(sessions):
    before = table_counts(sessions)
    tally = csv_bytes([TALLY_HEADER, ["2013年评议", "JT01", "", "总体评价", "服务对象", 1, 0, 0, 0, 0]])
    result = import_uploads(sessions, [("t.csv", tally), ("基础.xlsx", base_file())], "admin", dry_run=True)
    assert result.accepted, issues(result)  # the tally file sees the orgs the base file would create
    assert result.files[0].would_create_rounds == ["2013年评议"]
    assert any("将新建评议批次" in line and "2013年评议" in line for line in result.summary_lines())
    assert table_counts(sessions) == before


def test_dependent_file_fails_when_its_org_file_is_rejected(sessions):
    bad_orgs = xlsx({"组织架构": [["组织编码", "组织名称", "上级组织编码", "组织类型", "所属系统", "所属地区"],
                                  ["X1", "新支部", "NOPE", "党支部", "教育系统", "湖南省"]]})
    tally = csv_bytes([TALLY_HEADER, [ROUND, "X1", "", "总体评价", "服务对象", 1, 0, 0, 0, 0]])
    before = table_counts(sessions)
    result = import_uploads(sessions, [("t.csv", tally), ("orgs.xlsx", bad_orgs)], "admin")
    assert not result.accepted
    assert issues(result) == [
        ("orgs.xlsx", "组织架构", 2, "上级组织编码", "未知的上级组织编码（文件和数据库中都没有）"),
        ("t.csv", "t", 2, "组织编码", "未知的组织编码"),
    ]
    assert table_counts(sessions) == before


def test_cross_system_needs_declaration(sessions):
    load_base(sessions)
    header = ["组织编码", "组织名称", "上级组织编码", "组织类型", "所属系统", "所属地区", "跨系统隶属"]
    bad = xlsx({"组织": [header, ["WS01", "卫健支部", "JT", "党支部", "卫生健康系统", "湖南省/长沙市", ""]]})
    result = import_uploads(sessions, [("o.xlsx", bad)], "admin")
    assert [(e.row, e.column) for e in result.errors] == [(2, "上级组织编码")]
    assert "上级组织属于交通运输系统" in result.errors[0].reason
    good = xlsx({"组织": [header, ["WS01", "卫健支部", "JT", "党支部", "卫生健康系统", "湖南省/长沙市", "是"]]})
    assert import_uploads(sessions, [("o.xlsx", good)], "admin").accepted
    with sessions() as s:
        assert s.scalars(select(Org.cross_system).where(Org.code == "WS01")).one() is True


def test_parent_later_in_file_and_region_code(sessions):
    load_base(sessions)
    with sessions() as s:
        county = s.scalars(select(Region.code).where(Region.level == 3)).one()
    f = xlsx({"组织": [["org_code", "org_name", "parent_code", "org_type", "system", "region"],
                       ["E01", "一小支部", "E", "党支部", "教育系统", county],
                       ["E", "教育局党委", "", "党委", "教育系统", "湖南省/长沙市/开福区(430105)"]]})
    result = import_uploads(sessions, [("e.xlsx", f)], "admin")
    assert result.accepted, issues(result)
    with sessions() as s:
        orgs = {o.code: o for o in s.scalars(select(Org))}
        assert orgs["E01"].parent_id == orgs["E"].id
        assert orgs["E01"].region.code == county
        assert orgs["E"].region.code == "430105" and orgs["E"].region.level == 3


def test_blank_template_round_trip_and_error_sheet(sessions):
    assert set(TEMPLATES) == {"评议批次", "组织架构", "党员名册", "测评场次", "测评汇总", "原始测评表", "承诺台账",
                              "整改台账", "督导分组", "返工补课", "领导点评", "公示反馈"}
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("整改台账")))
    header = [c.value for c in book["整改台账"][1]]
    assert header[:4] == ["问题编号*", "措施编号", "评议批次*", "组织编码*"] and "整改佐证" in header
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("测评汇总")))
    assert [c.value for c in book["测评汇总"][1]][-5:] == ["满意", "基本满意", "不满意", "不了解", "弃权"]
    before = table_counts(sessions)
    for name in TEMPLATES:
        result = import_uploads(sessions, [("blank.xlsx", template_xlsx(name))], "admin")
        assert result.accepted and result.files[0].templates == [name] and result.files[0].rows == 0
    assert {k: v for k, v in table_counts(sessions).items() if k != "import_log"} == {
        k: v for k, v in before.items() if k != "import_log"}

    bad = csv_bytes([TALLY_HEADER, [ROUND, "NOPE", "", "总体评价", "服务对象", 1, 0, 0, 0, 0]])
    result = import_uploads(sessions, [("bad.csv", bad)], "admin")
    sheet = openpyxl.load_workbook(io.BytesIO(result.errors_xlsx())).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["文件", "工作表", "行", "列", "值", "原因"],
        ["bad.csv", "bad", 2, "组织编码", "NOPE", "未知的组织编码"],
    ]
    assert result.errors[0].cli_line() == "bad.csv:bad:2:组织编码: 未知的组织编码（值：NOPE）"


def test_unrecognised_file_is_rejected(sessions):
    result = import_uploads(sessions, [("x.csv", csv_bytes([["甲", "乙"], [1, 2]]))], "admin")
    assert not result.accepted
    assert result.errors[0].reason.startswith("未识别出任何导入模板")
    result = import_uploads(sessions, [("x.pdf", b"%PDF-1.4")], "admin")
    assert issues(result) == [("x.pdf", "", None, "", "不支持的文件类型（请上传 .xlsx、.xls 或 .csv）")]


def test_ballots_are_kept_and_tallied(sessions):
    load_base(sessions)
    header = ["评议批次", "组织编码", "测评表编号", "参评人员类别", "总体评价", "承诺践诺情况"]
    rows = [header,
            [ROUND, "JT01", "001", "服务对象", "满意", "好"],
            [ROUND, "JT01", "002", "服务对象", "基本满意", ""],
            [ROUND, "JT01", "003", "党员", "不了解", "差"]]
    result = import_uploads(sessions, [("ballots.xlsx", xlsx({"原始测评表": rows}))], "admin", now=T0)
    assert result.accepted, issues(result)
    assert result.files[0].inserted == 3
    with sessions() as s:
        assert json.loads(s.scalars(select(Ballot.answers).where(Ballot.ballot_no == "002")).one()) == {
            "总体评价": "基本满意", "承诺践诺情况": ""}
        tallies = {(i, t.category): (t.opt1, t.opt2, t.opt3, t.unknown, t.abstain, t.from_ballots)
                   for t, i in s.execute(select(Tally, Item.name).join(Item, Item.id == Tally.item_id))}
    assert tallies == {("总体评价", "服务对象"): (1, 1, 0, 0, 0, True),
                       ("总体评价", "党员"): (0, 0, 0, 1, 0, True),
                       ("承诺践诺情况", "服务对象"): (1, 0, 0, 0, 1, True),
                       ("承诺践诺情况", "党员"): (0, 0, 1, 0, 0, True)}
    assert headline(sessions)["JT01"] == (1, 1, 0, 1, 0)
    # A second batch of ballots of the same org adds to the tallies instead of replacing them.
    more = [header, [ROUND, "JT01", "004", "服务对象", "满意", "满意"]]
    assert import_uploads(sessions, [("more.xlsx", xlsx({"原始测评表": more}))], "admin").accepted
    assert headline(sessions)["JT01"] == (2, 1, 0, 1, 0)
    again = import_uploads(sessions, [("more.xlsx", xlsx({"原始测评表": more}))], "admin")
    assert (again.files[0].inserted, again.files[0].unchanged) == (0, 1)


def test_other_templates_land(sessions):
    load_base(sessions)
    book = xlsx({
        "党员": [["党员编号", "姓名", "组织编码", "党员类别", "职务"],
                 ["M1", "张三", "JT01", "正式", "书记"], ["M2", "李四", "JT01", "预备党员", ""]],
        "场次": [["评议批次", "组织编码", "测评对象", "应到人数", "发放份数", "收回份数", "有效份数", "测评日期"],
                 [ROUND, "JT01", "党组织", 30, 30, 28, 27, "20120215"],
                 [ROUND, "JT01", "党员", 30, 30, 28, 28, "2012-02-15"]],
        "督导": [["督导组", "组织编码", "是否联系点", "督导组长"],
                 ["第一督导组", "JT", "否", "王五"], ["第一督导组", "JT01", "是", ""],
                 ["第一督导组", "JT02", "Y", ""]],
        "承诺": [["承诺编号", "评议批次", "组织编码", "党员编号", "承诺内容", "承诺时限", "状态", "兑现日期"],
                 ["C1", ROUND, "JT01", "M1", "办实事", "2012-06-30", "已兑现", "2012/5/1"],
                 ["C2", ROUND, "JT01", "", "建制度", "2012-06-30", "推进中", ""]],
        "整改": [["问题编号", "评议批次", "组织编码", "问题来源", "问题描述", "整改措施", "责任人", "登记日期",
                  "整改时限", "状态", "完成日期", "销号日期", "整改佐证"],
                 ["Z1", ROUND, "JT02", "群众评议", "窗口排队", "增开窗口", "赵六", "2012-03-01", "2012-04-01",
                  "已销号", "2012-03-20", "2012-03-25", "照片"]],
    })
    result = import_uploads(sessions, [("台账.xlsx", book)], "admin")
    assert result.accepted, issues(result)
    assert result.files[0].templates == ["党员名册", "督导分组", "测评场次", "承诺台账", "整改台账"]
    assert (result.files[0].rows, result.files[0].inserted) == (10, 10)
    from data.models import EvalSession, Member, Pledge, Rectification, SupervisionGroup, SupervisionLink
    with sessions() as s:
        assert s.scalars(select(Member.category).where(Member.code == "M2")).one() == "预备"
        sess = s.scalars(select(EvalSession).where(EvalSession.target == "党组织")).one()
        assert (sess.expected, sess.valid, sess.held_on) == (30, 27, date(2012, 2, 15))
        group = s.scalars(select(SupervisionGroup)).one()
        assert (group.name, group.leader) == ("第一督导组", "王五")
        assert sorted(s.scalars(select(SupervisionLink.is_contact_point))) == [False, True, True]
        pledge = s.scalars(select(Pledge).where(Pledge.code == "C1")).one()
        assert (pledge.fulfilled_date, pledge.member_id is not None) == (date(2012, 5, 1), True)
        rect = s.scalars(select(Rectification)).one()
        assert (rect.status, rect.closed_date, rect.evidence) == ("已销号", date(2012, 3, 25), "照片")


def test_corrected_ballot_category_moves_its_counts(sessions):
    load_base(sessions)
    header = ["评议批次", "组织编码", "测评表编号", "参评人员类别", "总体评价"]
    first = [header, [ROUND, "JT01", "1", "服务对象", "满意"], [ROUND, "JT01", "2", "服务对象", "不满意"]]
    assert import_uploads(sessions, [("b.xlsx", xlsx({"原始测评表": first}))], "admin").accepted
    fixed = [header, [ROUND, "JT01", "2", "党员", "不满意"]]
    result = import_uploads(sessions, [("b2.xlsx", xlsx({"原始测评表": fixed}))], "admin")
    assert (result.files[0].updated, result.files[0].inserted) == (1, 0)
    with sessions() as s:
        rows = {t.category: (t.opt1, t.opt3) for t in s.scalars(select(Tally))}
    assert rows == {"服务对象": (1, 0), "党员": (0, 1)}


def test_region_paths_below_the_province_and_codes_that_win(sessions):
    load_base(sessions)
    header = ["组织编码", "组织名称", "上级组织编码", "组织类型", "所属系统", "所属地区"]
    f = xlsx({"组织": [header,
                       ["K1", "甲", "", "单位", "教育系统", "长沙市/望城区/星城镇"],
                       ["K2", "乙", "", "单位", "教育系统", "湖南省-长沙市-开福区(430105)"],
                       ["K3", "丙", "", "单位", "教育系统", "湖南省/长沙/开福(430105)"]]})
    result = import_uploads(sessions, [("k.xlsx", f)], "admin")
    assert result.accepted, issues(result)
    with sessions() as s:
        regions = {o.code: o.region for o in s.scalars(select(Org).where(Org.code.in_(["K1", "K2", "K3"])))}
        county = s.scalars(select(Region).where(Region.full_name == "湖南省/长沙市/望城区")).one()
    town = regions["K1"]
    assert (town.full_name, town.level, town.parent_id, town.l3_code) == (
        "湖南省/长沙市/望城区/星城镇", 4, county.id, county.code)
    assert town.l4_code == town.code and town.code.startswith("R")
    assert regions["K2"].id == regions["K3"].id  # same code: one region, its first name kept
    assert regions["K2"].full_name == "湖南省/长沙市/开福区"


def test_ballot_sheet_ignores_serial_number_column(sessions):
    load_base(sessions)
    rows = [["序号", "评议批次", "组织编码", "测评表编号", "参评人员类别", "总体评价", "备注"],
            [1, ROUND, "JT01", "001", "服务对象", "满意", "无"]]
    result = import_uploads(sessions, [("b.xlsx", xlsx({"原始测评表": rows}))], "admin")
    assert result.accepted, issues(result)
    with sessions() as s:
        assert json.loads(s.scalars(select(Ballot.answers)).one()) == {"总体评价": "满意"}


def test_score_red_line_is_in_points(sessions):
    book = xlsx({"批次": [["评议批次", "评分标准", "红线指标", "红线"], ["行风评议", "5", "测评得分", "80"],
                          ["党员评议", "民主评议党员", "", "2/3"]]})
    assert import_uploads(sessions, [("r.xlsx", book)], "admin").accepted
    with sessions() as s:
        rounds = {r.name: (r.scale, r.redline_metric, r.redline) for r in s.scalars(select(Round))}
    assert rounds == {"行风评议": ("五级", "测评得分", 80.0), "党员评议": ("民主评议党员", "综合满意率", 2 / 3)}
    keep = xlsx({"批次": [["评议批次", "红线"], ["行风评议", "75"]]})
    assert import_uploads(sessions, [("r2.xlsx", keep)], "admin").accepted
    with sessions() as s:
        assert s.scalars(select(Round.redline).where(Round.name == "行风评议")).one() == 75.0
