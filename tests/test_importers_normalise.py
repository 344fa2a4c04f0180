"""Cell normalisation of the import pipeline (pure functions, no database)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from data.importers.normalise import CellError, parse_count, parse_date, parse_datetime, parse_ratio, text, yes_no
from data.importers.reading import read_sheets
from data.importers.templates import find_header


@pytest.mark.parametrize("raw", ["2012-02-15", "2012/2/15", "2012年2月15日", "20120215", 20120215, 40954,
                                 40954.0, "40954", date(2012, 2, 15), datetime(2012, 2, 15, 8, 30),
                                 "２０１２年２月１５日", " 2012-02-15 00:00:00 "])
def test_dates(raw):
    assert parse_date(raw) == date(2012, 2, 15)


@pytest.mark.parametrize("raw, reason", [("2012-02-30", "不是有效日期"), ("明天", "日期格式无法识别"),
                                         (40954.5, "不是有效日期")])
def test_bad_dates(raw, reason):
    with pytest.raises(CellError, match=reason):
        parse_date(raw)


@pytest.mark.parametrize("raw, expected", [
    ("2012-02-15 16:30", datetime(2012, 2, 15, 16, 30)), ("2012/2/15T8:05:09", datetime(2012, 2, 15, 8, 5, 9)),
    ("2012年2月15日 16:30", datetime(2012, 2, 15, 16, 30)), ("２０１２年２月１５日１６：３０", datetime(2012, 2, 15, 16, 30)),
    (40954.6875, datetime(2012, 2, 15, 16, 30)), ("2012-02-15", datetime(2012, 2, 15)), (40954, datetime(2012, 2, 15)),
    (datetime(2012, 2, 15, 16, 30, 1, 500), datetime(2012, 2, 15, 16, 30, 1)), ("", None)])
def test_report_dates_keep_their_time(raw, expected):
    """上报日期 is a date or a date-time: the time of day a sheet was sent decides on the deadline day."""
    assert parse_datetime(raw) == expected


@pytest.mark.parametrize("raw, reason", [("2012-02-15 24:00", "不是有效的日期时间"), ("16:30", "日期格式无法识别"),
                                         ("2012-02-30 10:00", "不是有效日期")])
def test_bad_report_dates(raw, reason):
    with pytest.raises(CellError, match=reason):
        parse_datetime(raw)


@pytest.mark.parametrize("raw, expected", [("12", 12), ("12.0", 12), (12.0, 12), ("１２", 12), ("", 0),
                                           (" 7 ", 7), (0, 0)])
def test_counts(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw, reason", [("12.5", "不是整数"), ("-1", "不能为负数"), (-1.0, "不能为负数"),
                                         ("十二", "应为非负整数"), (True, "应为非负整数")])
def test_bad_counts(raw, reason):
    with pytest.raises(CellError, match=reason):
        parse_count(raw)


@pytest.mark.parametrize("raw", ["2/3", "0.6667", "66.67%", "66.67", "６６.６７％"])
def test_red_line_forms(raw):
    assert parse_ratio(raw) == pytest.approx(2 / 3, abs=1e-4)


@pytest.mark.parametrize("raw, expected", [("是", True), ("否", False), ("Y", True), ("n", False),
                                           ("true", True), ("FALSE", False), (1.0, True), ("0", False),
                                           (True, True), ("", None)])
def test_yes_no(raw, expected):
    assert yes_no(raw) is expected


def test_text_folds_full_width_and_trims():
    assert text("\u3000ＪＴ０１ ") == "JT01"
    assert text(12.0) == "12"


def test_header_row_found_below_titles_with_marks_and_notes():
    rows = [["2012年 测评汇总表"], ["填报单位：望城区", ""], [],
            ["评议批次*", "组织编码 *", "党员编号", "测评项目（按测评表）", "参评人员类别", "好", "一般", "差"]]
    match = find_header(rows)
    assert match.template.name == "测评汇总" and match.row_index == 3
    assert match.extras == {5: "好", 6: "一般", 7: "差"}
    english = find_header([["round", "org_code", "ballot_no", "category", "总体评价"]])
    assert english.template.name == "原始测评表" and english.extras == {4: "总体评价"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(encoding):
    sheets = read_sheets("名册.csv", "党员编号,姓名,组织编码\nM1,张三,JT01\n".encode(encoding))
    assert [(s.name, s.rows) for s in sheets] == [("名册", [["党员编号", "姓名", "组织编码"], ["M1", "张三", "JT01"]])]
