"""Malformed files (docs/import-templates.md): every error found at once as (row, column, reason), nothing written."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from data.importers import import_uploads
from data.models import Org
from tests.importer_helpers import ROUND, base_file, csv_bytes, table_counts, xlsx

ORG_HEADER = ["组织编码", "组织名称", "上级组织编码", "组织类型", "所属系统", "所属地区"]
TALLY_HEADER = ["评议批次", "组织编码", "党员编号", "测评项目", "参评人员类别", "满意", "基本满意", "不满意",
                "比较满意"]
PLEDGE_HEADER = ["承诺编号", "评议批次", "组织编码", "党员编号", "承诺内容", "承诺时限", "状态", "兑现日期"]
RECT_HEADER = ["问题编号", "评议批次", "组织编码", "问题描述", "登记日期", "整改时限", "状态", "完成日期", "销号日期"]
SESSION_ROWS = [["评议批次", "组织编码", "测评对象", "有效份数"], [ROUND, "JT01", "党组织", 10]]


def tally(*rows):
    return ("汇总.csv", csv_bytes([TALLY_HEADER, *rows]))


CASES = {
    "cycle in the file": (
        ("o.xlsx", xlsx({"组织": [ORG_HEADER,
                                   ["C1", "甲支部", "C2", "党支部", "交通运输系统", "湖南省"],
                                   ["C2", "乙支部", "C3", "党支部", "交通运输系统", "湖南省"],
                                   ["C3", "丙支部", "C1", "党支部", "交通运输系统", "湖南省"]]})),
        [(2, "上级组织编码", "上级组织形成循环：C1（甲支部） → C2（乙支部） → C3（丙支部） → C1（甲支部）")]),
    "cycle through the database": (
        ("o.xlsx", xlsx({"组织": [ORG_HEADER, ["JT", "交通运输局党委", "JT01", "党委", "交通运输系统", "湖南省"]]})),
        [(2, "上级组织编码", "上级组织形成循环：JT（交通运输局党委） → JT01（机关第一党支部） → JT（交通运输局党委）")]),
    "bad counts, all reported": (
        tally([ROUND, "JT01", "", "总体评价", "服务对象", "-1", "12.5", "abc", ""]),
        [(2, "满意", "不能为负数"), (2, "基本满意", "不是整数"), (2, "不满意", "应为非负整数")]),
    "option outside the round's scale": (
        tally([ROUND, "JT01", "", "总体评价", "服务对象", "3", "1", "0", "2"]),
        [(2, "比较满意", "选项“比较满意”不在该批次的评分标准（三级）中")]),
    "duplicated tally key": (
        tally([ROUND, "JT01", "", "总体评价", "服务对象", 1, 0, 0, 0],
              [ROUND, "JT01", "", "总体评价", "服务对象", 2, 0, 0, 0]),
        [(3, "评议批次+组织编码+党员编号+测评项目+参评人员类别",
          "与第 2 行重复（评议批次+组织编码+党员编号+测评项目+参评人员类别相同）")]),
    # 参评人员类别 is any text (离退休干部, 党外人士 …) but must fit its column.
    "unknown org, member and over-long category": (
        tally([ROUND, "NOPE", "", "总体评价", "服务对象", 1, 0, 0, 0],
              [ROUND, "JT01", "M9", "总体评价", "服务对象", 1, 0, 0, 0],
              [ROUND, "JT01", "", "总体评价", "路" * 21, 1, 0, 0, 0]),
        [(2, "组织编码", "未知的组织编码"), (3, "党员编号", "未知的党员编号"),
         (4, "参评人员类别", "过长（最多 20 个字符）")]),
    "pledge rules": (
        ("p.xlsx", xlsx({"承诺": [PLEDGE_HEADER,
                                   ["C1", ROUND, "JT01", "", "办实事", "2012-06-30", "已兑现", ""],
                                   ["C2", ROUND, "JT01", "", "建制度", "2012-06-30", "完成", ""],
                                   ["C3", ROUND, "JT01", "", "", "2012-13-45", "推进中", ""]]})),
        [(2, "兑现日期", "状态为已兑现但未填兑现日期"), (3, "状态", "应为 未启动/推进中/已兑现 之一"),
         (4, "承诺内容", "必填项为空"), (4, "承诺时限", "不是有效日期")]),
    "rectification rules": (
        ("r.xlsx", xlsx({"整改": [RECT_HEADER,
                                   ["Z1", ROUND, "JT01", "排队", "2012-03-10", "2012-04-01", "已完成", "2012-03-01", ""],
                                   ["Z2", ROUND, "JT01", "推诿", "2012-03-10", "2012-04-01", "已销号", "2012-03-20", ""],
                                   ["Z2", ROUND, "JT01", "推诿", "2012-03-10", "2012-04-01", "整改中", "", ""]]})),
        [(2, "完成日期", "完成日期早于登记日期"), (3, "销号日期", "状态为已销号但未填销号日期"),
         (4, "评议批次+问题编号+措施编号", "与第 3 行重复（评议批次+问题编号+措施编号相同）")]),
}


def load_base(sessions):
    assert import_uploads(sessions, [("基础.xlsx", base_file())], "admin").accepted


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_rejected_whole(sessions, case):
    load_base(sessions)
    before = table_counts(sessions)
    upload, expected = CASES[case]
    result = import_uploads(sessions, [upload], "admin")
    assert not result.accepted and not result.files[0].accepted
    assert [(e.row, e.column, e.reason) for e in result.errors] == expected
    assert table_counts(sessions) == before
    if case == "duplicated tally key":
        assert result.errors[0].value == f"{ROUND}/JT01//总体评价/服务对象"
    assert "已拒绝" in result.summary_lines()[0]


def test_counts_may_not_exceed_valid_ballots(sessions):
    load_base(sessions)
    assert import_uploads(sessions, [("场次.xlsx", xlsx({"场次": SESSION_ROWS}))], "admin").accepted
    ok = tally([ROUND, "JT01", "", "总体评价", "服务对象", 5, 1, 0, 0],
               [ROUND, "JT01", "", "总体评价", "党员", 3, 1, 0, 0])
    assert import_uploads(sessions, [ok], "admin").accepted  # 6 + 4 = 10 ballots: exactly the valid ones
    before = table_counts(sessions)
    # Replacing the 党员 row with 5 answers makes 6 + 5 = 11 > 10, counting the stored 服务对象 row too.
    result = import_uploads(sessions, [tally([ROUND, "JT01", "", "总体评价", "党员", 4, 1, 0, 0])], "admin")
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "测评项目", "该测评项目各类别答卷合计 11 份，超过测评场次有效份数 10")]
    assert table_counts(sessions) == before


def test_scale_cannot_change_once_tallied(sessions):
    load_base(sessions)
    assert import_uploads(sessions, [tally([ROUND, "JT01", "", "总体评价", "服务对象", 5, 1, 0, 0])], "admin").accepted
    before = table_counts(sessions)
    change = xlsx({"批次": [["评议批次", "评分标准"], [ROUND, "四级"]]})
    result = import_uploads(sessions, [("批次.xlsx", change)], "admin")
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "评分标准", "该批次已有测评数据，不能把评分标准从三级改为四级")]
    assert table_counts(sessions) == before


def test_ballot_with_unknown_option(sessions):
    load_base(sessions)
    before = table_counts(sessions)
    rows = [["评议批次", "组织编码", "测评表编号", "参评人员类别", "总体评价", "服务态度"],
            [ROUND, "JT01", "1", "服务对象", "满意", "满意"],
            [ROUND, "JT01", "2", "服务对象", "满意", "很好"]]
    result = import_uploads(sessions, [("b.xlsx", xlsx({"原始测评表": rows}))], "admin")
    assert [(e.row, e.column, e.value, e.reason) for e in result.errors] == [
        (3, "服务态度", "很好", "“很好”不是该批次评分标准（三级）的选项")]
    assert table_counts(sessions) == before


def test_unit_user_is_limited_to_its_orgs(sessions):
    load_base(sessions)
    with sessions() as s:
        own = {s.scalars(select(Org.id).where(Org.code == "JT01")).one()}
    before = table_counts(sessions)
    upload = tally([ROUND, "JT01", "", "总体评价", "服务对象", 1, 0, 0, 0],
                   [ROUND, "JT02", "", "总体评价", "服务对象", 1, 0, 0, 0])
    result = import_uploads(sessions, [upload], "unit", allowed_org_ids=own)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(3, "组织编码", "不在本单位范围内")]
    assert table_counts(sessions) == before
    ok = import_uploads(sessions, [tally([ROUND, "JT01", "", "总体评价", "服务对象", 1, 0, 0, 0])], "unit",
                        allowed_org_ids=own)
    assert ok.accepted


def test_multi_sheet_file_is_one_transaction(sessions):
    before = table_counts(sessions)
    book = xlsx({"批次": [["评议批次"], ["新批次"]],
                 "组织": [ORG_HEADER, ["N1", "新党委", "", "党委", "教育系统", "湖南省"]],
                 "承诺": [PLEDGE_HEADER, ["C1", "新批次", "N1", "", "办实事", "明天", "推进中", ""]]})
    result = import_uploads(sessions, [("全部.xlsx", book)], "admin")
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("承诺", 2, "承诺时限")]
    assert table_counts(sessions) == before


def test_unit_user_cannot_create_or_change_rounds(sessions):
    load_base(sessions)
    with sessions() as s:
        own = {s.scalars(select(Org.id).where(Org.code == "JT01")).one()}
    before = table_counts(sessions)
    upload = tally(["2099年新批次", "JT01", "", "总体评价", "服务对象", 1, 0, 0, 0])
    result = import_uploads(sessions, [upload], "unit", allowed_org_ids=own)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "评议批次", "未知的评议批次（本单位账号不能新建评议批次）")]
    rounds = xlsx({"批次": [["评议批次", "红线"], [ROUND, "0.5"]]})
    result = import_uploads(sessions, [("批次.xlsx", rounds)], "unit", allowed_org_ids=own)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "评议批次", "不在本单位范围内（评议批次和评议规则只能由管理员导入）")]
    assert table_counts(sessions) == before


def test_over_long_code_is_a_clear_error(sessions):
    load_base(sessions)
    before = table_counts(sessions)
    f = ("o.xlsx", xlsx({"组织": [ORG_HEADER, ["X" * 41, "长", "", "单位", "教育系统", "湖南省"]]}))
    result = import_uploads(sessions, [f], "admin")
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(2, "组织编码", "过长（最多 40 个字符）")]
    assert table_counts(sessions) == before


def test_count_headers_with_suffixes_and_unknown_count_columns(sessions):
    load_base(sessions)
    ok = ("t.csv", csv_bytes([["评议批次", "组织编码", "组织名称", "测评项目", "参评人员类别", "满意票数", "基本满意数",
                               "不满意人数"],
                              [ROUND, "JT01", "机关第一党支部", "总体评价", "服务对象", 5, 1, 0]]))
    assert import_uploads(sessions, [ok], "admin").accepted
    before = table_counts(sessions)
    bad = ("t.csv", csv_bytes([["评议批次", "组织编码", "测评项目", "参评人员类别", "满意", "很满意"],
                               [ROUND, "JT01", "总体评价", "服务对象", 5, 1]]))
    result = import_uploads(sessions, [bad], "admin")
    assert [(e.row, e.column) for e in result.errors] == [(1, "很满意")]
    assert result.errors[0].reason.startswith("无法识别的计数列")
    assert table_counts(sessions) == before


def test_unit_user_may_add_orgs_below_its_own(sessions):
    load_base(sessions)
    with sessions() as s:
        own = {s.scalars(select(Org.id).where(Org.code == "JT01")).one()}
    orgs = ("o.xlsx", xlsx({"组织": [ORG_HEADER, ["JT01A", "第一党小组", "JT01", "党支部", "交通运输系统", "湖南省"]]}))
    counts = tally([ROUND, "JT01A", "", "总体评价", "服务对象", 1, 0, 0, 0])
    result = import_uploads(sessions, [counts, orgs], "unit", allowed_org_ids=own)
    assert result.accepted, result.errors
    assert len(own) == 1  # the caller's set is left alone
    stray = ("p.xlsx", xlsx({"组织": [ORG_HEADER, ["JT03", "第三支部", "JT", "党支部", "交通运输系统", "湖南省"],
                                      ["TOP", "顶层", "", "党委", "交通运输系统", "湖南省"]]}))
    result = import_uploads(sessions, [stray], "unit", allowed_org_ids=own)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, "上级组织编码", "不在本单位范围内"), (3, "上级组织编码", "不在本单位范围内（不能新建顶层组织）")]


def test_error_names_the_count_column_as_written(sessions):
    load_base(sessions)
    bad = ("t.csv", csv_bytes([["评议批次", "组织编码", "测评项目", "参评人员类别", "满意票数"],
                               [ROUND, "JT01", "总体评价", "服务对象", "-2"]]))
    result = import_uploads(sessions, [bad], "admin")
    assert [e.cli_line() for e in result.errors] == ["t.csv:t:2:满意票数: 不能为负数（值：-2）"]


def test_one_import_at_a_time_the_next_waits_or_is_told_to_retry(sessions, monkeypatch):
    """Issue 18: four large uploads at once took 4.8 GB in one process. One import runs at a time; another
    waits up to IMPORT_WAIT_SECONDS, then gets a clear 请稍后 and nothing is written."""
    import threading

    from data.importers import pipeline

    started, release = threading.Event(), threading.Event()
    real_parse = pipeline.parse_file

    def slow_parse(name, data):
        if name == "慢.xlsx":
            started.set()
            release.wait(30)
        return real_parse(name, data)

    monkeypatch.setattr(pipeline, "parse_file", slow_parse)
    monkeypatch.setattr(pipeline, "IMPORT_WAIT_SECONDS", 0.2)
    results = {}

    def run(key, name, data):
        results[key] = import_uploads(sessions, [(name, data)], key)

    first = threading.Thread(target=run, args=("first", "慢.xlsx", base_file()))
    first.start()
    assert started.wait(10)
    before = table_counts(sessions)
    busy = import_uploads(sessions, [("快.xlsx", base_file())], "other")
    assert busy.busy and not busy.accepted
    assert [(e.file, e.reason) for e in busy.errors] == [("快.xlsx", "服务器正在处理另一个导入，请稍后再试（未写入任何数据）")]
    assert busy.summary_lines() == ["快.xlsx：已拒绝，模板 未识别，1 处错误，未写入任何数据"]
    assert table_counts(sessions) == before
    monkeypatch.setattr(pipeline, "IMPORT_WAIT_SECONDS", 30)  # one that may wait long enough goes through after
    second = threading.Thread(target=run, args=("second", "快.xlsx", base_file()))
    second.start()
    second.join(0.5)
    assert second.is_alive() and "second" not in results  # waiting for the first
    release.set()
    first.join(30)
    second.join(30)
    assert results["first"].accepted and results["second"].accepted
    assert [f.unchanged > 0 for f in results["second"].files] == [True]  # it ran after the first, in turn
