"""Fuzzing the import pipeline (docs/import-templates.md): whatever bytes arrive, import_uploads returns an
ImportResult, a rejected file writes nothing at all, and an accepted file imported again changes nothing.

Hypothesis builds malformed files two ways: perturbing a GOOD file of every template (so the fuzz reaches
the deep checks, not only header recognition) and making sheets / bytes from scratch. Runs are
derandomised and bounded so the suite stays fast and reproducible; set FUZZ_EXAMPLES=2000 FUZZ_RANDOM=1 to
hunt for new crashes locally.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import re
import subprocess
import struct
import sys
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, assume, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from data.importers import ImportResult, import_uploads
from data.models import Base, Item, Org, Tally
from tests.importer_helpers import ORG_HEADER, ORG_ROWS, ROUND, base_file, issues

T0 = datetime(2012, 2, 10, 9, 0)
T1 = datetime(2012, 2, 20, 9, 0)
T2 = datetime(2012, 3, 1, 9, 0)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("FUZZ_RANDOM"),
                database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                      HealthCheck.too_slow, HealthCheck.data_too_large])
# Reasons the pipeline gives when a handler raised instead of reporting: a crash turned into a message.
CRASH_REASONS = ("导入失败，整个文件未写入", "数据库写入失败")

# A valid sheet (header + rows) of every template, accepted on top of SEED.
GOOD: dict[str, list[list]] = {
    "评议批次": [["评议批次*", "开始日期", "结束日期", "上报截止日期", "评分标准", "红线指标", "红线", "最小样本",
              "临期天数", "按工作日计算", "匿名阈值", "文件号"],
             [ROUND, "2012-02-01", "2012/3/31", "2012年2月15日", "三级", "综合满意率", "66.67%", "10", "3", "否",
              "5", "湘组通〔2012〕1号"]],
    "组织架构": [ORG_HEADER, *ORG_ROWS],
    "党员名册": [["党员编号*", "姓名*", "组织编码*", "党员类别", "职务"],
             ["P001", "张三", "JT01", "正式", "书记"], ["P002", "李四", "JT02", "预备", ""]],
    "督导分组": [["督导组*", "组织编码*", "是否联系点", "督导组长"],
             ["第一督导组", "JT01", "是", "王五"], ["第一督导组", "JT02", "否", "王五"]],
    "测评场次": [["评议批次*", "组织编码*", "测评对象", "应到人数", "发放份数", "收回份数", "有效份数", "测评日期"],
             [ROUND, "JT01", "党组织", "20", "20", "19", "18", "2012-02-10"],
             [ROUND, "JT01", "党员", "20", "20", "19", "18", "20120210"]],
    "测评汇总": [["评议批次*", "组织编码*", "党员编号", "测评项目*", "参评人员类别*", "满意", "基本满意", "不满意",
              "不了解", "弃权"],
             [ROUND, "JT01", "", "总体评价", "服务对象", "8", "2", "1", "0", "0"],
             [ROUND, "JT01", "M001", "总体评价", "党员", "5", "1", "0", "0", "1"],
             [ROUND, "JT02", "", "承诺践诺情况", "服务对象", "4", "4", "2", "0", "0"]],
    "原始测评表": [["评议批次*", "组织编码*", "测评表编号*", "参评人员类别*", "总体评价", "服务态度"],
               [ROUND, "JT02", "B001", "服务对象", "满意", "基本满意"],
               [ROUND, "JT02", "B002", "党员", "不满意", ""]],
    "承诺台账": [["承诺编号*", "评议批次*", "组织编码*", "党员编号", "承诺内容*", "承诺时限*", "状态*", "兑现日期"],
             ["C001", ROUND, "JT01", "", "办事窗口延时服务", "2012-06-30", "已兑现", "2012-05-01"],
             ["C002", ROUND, "JT01", "M001", "带头学习", "2012-06-30", "推进中", ""]],
    "整改台账": [["问题编号*", "评议批次*", "组织编码*", "问题来源", "问题描述*", "整改措施", "责任人", "登记日期*",
              "整改时限*", "状态*", "完成日期", "销号日期", "整改佐证"],
             ["Z001", ROUND, "JT01", "群众评议", "窗口排队久", "增设窗口", "赵六", "2012-02-20", "2012-05-30",
              "已销号", "2012-04-01", "2012-04-10", "照片"],
             ["Z002", ROUND, "JT02", "督导反馈", "制度不全", "", "", "2012-02-20", "2012-05-30", "整改中", "", "",
              ""]],
}
# What the good files refer to: the round, the orgs, member M001 and a 测评场次 with 有效份数 18.
SEED_FILES = [
    ("基础.xlsx", base_file()),
    ("seed.csv", "党员编号,姓名,组织编码\nM001,钱七,JT01\n".encode()),
    ("seed2.csv", ("评议批次,组织编码,测评对象,有效份数\n" f"{ROUND},JT01,党组织,18\n{ROUND},JT01,党员,18\n"
                   f"{ROUND},JT02,党组织,18\n").encode()),
]

# ------------------------------------------------------------------------------------------ the checks


def snapshot(sessions) -> dict[str, tuple[int, str]]:
    """(row count, checksum of every row in primary-key order) of every table."""
    out = {}
    with sessions() as s:
        for table in Base.metadata.sorted_tables:
            rows = s.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = (len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest())
    return out


def reset(sessions) -> None:
    with sessions() as s:
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(table.delete())
        s.commit()
    seeded = import_uploads(sessions, SEED_FILES, "seed", now=T0)
    assert seeded.accepted, issues(seeded)


def check_import(sessions, files: list[tuple[str, bytes]]) -> ImportResult:
    """The guarantees of docs/import-templates.md for one upload of one file (files are all-or-nothing each,
    so a rejected file's "nothing written" is only the whole database's when it is alone); resets the database to the
    seed after an accepted one."""
    before = snapshot(sessions)
    dry = import_uploads(sessions, files, "fuzz", dry_run=True, now=T1)
    assert snapshot(sessions) == before, "a dry run wrote"
    result = import_uploads(sessions, files, "fuzz", now=T1)
    assert isinstance(result, ImportResult)
    assert dry.errors == result.errors, "the dry run's verdict differs from the import's"
    crashes = [e for e in result.errors if e.reason.startswith(CRASH_REASONS)]
    assert not crashes, crashes
    assert len(result.files) == len(files)
    names = {f.name for f in result.files}  # the upload names, cleaned of what no log can store
    for e in result.errors:
        assert e.file in names and e.reason, e
    # Shown by --hypothesis-show-statistics: how deep the examples reach.
    if currently_in_test_context():
        first = result.errors[0].reason if result.errors else ""
        event("rejected: " + re.sub(r"\d+|“.*?”", "#", first)[:30] if first else "accepted")
    if result.errors:
        assert not result.accepted
        assert snapshot(sessions) == before, "a rejected file changed the database"
        return result
    assert result.accepted
    after = snapshot(sessions)
    again = import_uploads(sessions, files, "fuzz", now=T2)
    assert again.accepted, issues(again)
    assert [(f.inserted, f.updated) for f in again.files] == [(0, 0)] * len(files)
    final = snapshot(sessions)
    # The import log grows and the cache token (data_version) turns over; the data itself must not change.
    bookkeeping = ("import_log", "data_version")
    assert {k: v for k, v in final.items() if k not in bookkeeping} == {
        k: v for k, v in after.items() if k not in bookkeeping}, "re-importing the same bytes changed data"
    assert final["import_log"][0] == after["import_log"][0] + len(files)
    reset(sessions)
    return result


# ------------------------------------------------------------------------------------------ file making


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """Cells written with their Python type (numbers, dates, booleans, text) as Excel stores them."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True,
                                        "strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    book.set_properties({"created": datetime(2012, 2, 1)})  # same cells, same bytes
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(r, c, float(value) if abs(value) < 1e308 else float("inf"))
                elif isinstance(value, (date, datetime)):
                    if value.year < 1900:
                        sheet.write_string(r, c, value.isoformat())
                    else:
                        sheet.write_datetime(r, c, value, day)
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def csv_file(rows: list[list], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    content = out.getvalue()
    if encoding == "mixed":  # the header saved as UTF-8, the rows pasted in from a GB18030 file
        head, _, rest = content.partition("\n")
        return head.encode("utf-8", "surrogatepass") + b"\n" + rest.encode("gb18030", "replace")
    try:
        return content.encode(encoding)
    except UnicodeEncodeError:  # a lone surrogate: the bytes a broken exporter writes
        return content.encode("utf-8", "surrogatepass")


def render(name: str, rows: list[list], fmt: str) -> tuple[str, bytes]:
    if fmt == "xlsx":
        try:
            return f"{name}.xlsx", xlsx_bytes({name: rows})
        except UnicodeEncodeError:
            assume(False)  # a lone surrogate cannot be stored in an xlsx at all
    return f"{name}.csv", csv_file(rows, fmt)


# ------------------------------------------------------------------------------------------ strategies

NASTY_TEXT = ["", " ", "\u3000", "\t", "１２", "-1", "-0", "0", "1e400", "nan", "inf", "12.5", "12.0", "1,234",
              "99999999999999999999999", "是", "否", "√", "2012-02-30", "2012年13月1日", "20121301", "19000101",
              "2012/2/15", "2012-02-15 08:30", "44000", "0.5", "2/3", "1/0", "150%", "-5%", "满意", "一般", "党员",
              "党组织", "领导班子", "已销号", "已兑现", "JT", "JT01", "ＪＴ０１", "WS", "P001", "M001", ROUND,
              "总体评价", "=1+1", "\x00", "a\x07b", "\ufeff", "😀", "🧧党支部", "x" * 5000, "测" * 301,
              "\u200b", "null", "None", "1 2", "١٢", "2147483648", "3000000000", "100001", "100000", "1e10",
              "-inf", "00010101", "9999-12-31", "Z\x00", "\ud800", "19", "18", "17"]
HEADER_WORDS = sorted({h.replace("*", "") for rows in GOOD.values() for h in rows[0]} |
                      {"满意数", "满意票", "非常满意", "优秀", "满意率", "序号", "code", "name", "org_code", "round",
                       "unknown", "abstain", "备注", "评议批次*", "组织编码（必填）"})

cell_text = st.one_of(st.sampled_from(NASTY_TEXT), st.text(max_size=20),
                      st.text(st.characters(categories=["Cc", "Cs", "So", "Zs", "Nd"]), max_size=6))
cells = st.one_of(cell_text, st.sampled_from(NASTY_TEXT), st.integers(), st.integers(-5, 200),
                  st.floats(allow_nan=True, allow_infinity=True), st.dates(), st.datetimes(), st.booleans(),
                  st.none())
formats = st.sampled_from(["xlsx", "xlsx", "utf-8", "utf-8-sig", "gb18030", "utf-16", "mixed"])


@st.composite
def mutated_good(draw) -> tuple[str, list[list]]:
    """A good sheet of one template with one to three perturbations."""
    template = draw(st.sampled_from(sorted(GOOD)))
    rows = [list(r) for r in GOOD[template]]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["cell", "cell", "cell", "header", "dup", "drop_col", "title", "only_header",
                                   "ragged"]))
        if op == "cell" and len(rows) > 1:
            r = draw(st.integers(1, len(rows) - 1))
            c = draw(st.integers(0, len(rows[r])))
            value = draw(cells)
            if c == len(rows[r]):
                rows[r].append(value)
            else:
                rows[r][c] = value
        elif op == "header" and rows[0]:
            c = draw(st.integers(0, len(rows[0]) - 1))
            rows[0][c] = draw(st.one_of(st.sampled_from(HEADER_WORDS), cell_text))
        elif op == "dup" and len(rows) > 1:
            r = draw(st.integers(1, len(rows) - 1))
            rows.append(list(rows[r]))
        elif op == "drop_col" and rows[0]:
            c = draw(st.integers(0, len(rows[0]) - 1))
            rows = [row[:c] + row[c + 1:] for row in rows]
        elif op == "title":
            rows.insert(0, draw(st.lists(cells, max_size=3)))
        elif op == "only_header":
            rows = rows[:1]
        elif op == "ragged" and len(rows) > 1:
            r = draw(st.integers(1, len(rows) - 1))
            rows[r] = rows[r][:draw(st.integers(0, len(rows[r])))]
    return template, rows


@st.composite
def random_sheet(draw) -> list[list]:
    """Title rows, a header of known and garbled names (duplicates allowed), rows of anything."""
    rows = draw(st.lists(st.lists(cells, max_size=3), max_size=2))
    header = draw(st.lists(st.one_of(st.sampled_from(HEADER_WORDS), st.sampled_from(HEADER_WORDS), cell_text),
                           min_size=1, max_size=12))
    rows.append(header)
    rows += draw(st.lists(st.lists(cells, max_size=len(header) + 1), max_size=6))
    return rows


@functools.cache
def good_xlsx(template: str) -> bytes:
    return xlsx_bytes({template: GOOD[template]})


# ------------------------------------------------------------------------------------------ the tests


@pytest.fixture
def seeded(sessions):
    reset(sessions)
    return sessions


def test_every_good_file_is_accepted_and_idempotent(seeded):
    """The fuzz starts from files that really are good (else the mutations would only test rejection)."""
    for template, rows in GOOD.items():
        for fmt in ("xlsx", "gb18030"):
            name, data = render(template, rows, fmt)
            result = check_import(seeded, [(name, data)])
            assert result.accepted and result.files[0].templates == [template], issues(result)
            assert result.files[0].rows == len(rows) - 1


@FUZZ
@given(case=mutated_good(), fmt=formats)
def test_fuzz_mutated_good_files(seeded, case, fmt):
    template, rows = case
    check_import(seeded, [render(template, rows, fmt)])


@FUZZ
@given(cases=st.lists(mutated_good(), min_size=2, max_size=3, unique_by=lambda c: c[0]))
def test_fuzz_mutated_workbooks_of_several_templates(seeded, cases):
    """Several templates in one workbook: processed in dependency order, accepted or rejected whole."""
    try:
        data = xlsx_bytes(dict(cases))
    except UnicodeEncodeError:
        assume(False)
    check_import(seeded, [("多表.xlsx", data)])


@FUZZ
@given(sheets=st.lists(random_sheet(), min_size=1, max_size=3), fmt=formats)
def test_fuzz_random_sheets(seeded, sheets, fmt):
    if fmt == "xlsx":
        try:
            data = xlsx_bytes({f"表{i}": rows for i, rows in enumerate(sheets)})
        except UnicodeEncodeError:
            assume(False)
        check_import(seeded, [("random.xlsx", data)])
    else:
        check_import(seeded, [render("random", sheets[0], fmt)])


@st.composite
def broken_bytes(draw) -> tuple[str, bytes]:
    ext = draw(st.sampled_from([".xlsx", ".xls", ".xlsm", ".csv", ".txt", "", ".pdf"]))
    kind = draw(st.sampled_from(["random", "truncated", "flipped", "zip", "ole"]))
    good = good_xlsx(draw(st.sampled_from(sorted(GOOD))))
    if kind == "random":
        data = draw(st.binary(max_size=300))
    elif kind == "truncated":
        data = good[:draw(st.integers(0, len(good) - 1))]
    elif kind == "flipped":
        data = bytearray(good)
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        data = bytes(data)
    elif kind == "zip":  # a valid zip holding the wrong things (or a sheet part replaced by garbage)
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buffer, "w") as dst:
            victim = draw(st.sampled_from(src.namelist()))
            for info in src.infolist():
                if info.filename != victim:
                    dst.writestr(info, src.read(info))
                elif draw(st.booleans()):
                    dst.writestr(info, draw(st.binary(max_size=100)))
        data = buffer.getvalue()
    else:
        data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + draw(st.binary(max_size=200))
    return draw(st.text(max_size=4)) + draw(st.sampled_from(["upload", "\x00", "\ud800", "测评"])) + ext, data


@FUZZ
@given(file=broken_bytes())
def test_fuzz_broken_bytes(seeded, file):
    check_import(seeded, [file])


@pytest.mark.parametrize("name,data", [
    ("empty.xlsx", b""), ("empty.csv", b""), ("empty.xls", b""), ("empty", b""),
    ("bom.csv", b"\xef\xbb\xbf"), ("newlines.csv", b"\r\n\r\n\n"), ("nul.csv", b"\x00" * 64),
    ("utf16.csv", "评议批次,组织编码\n".encode("utf-16")),
    ("header.csv", ",".join(GOOD["测评汇总"][0]).encode("gb18030")),
    ("title.csv", "测评汇总表\n\n".encode()),
], ids=lambda v: v if isinstance(v, str) else None)
def test_degenerate_files(seeded, name, data):
    """Zero bytes, only a BOM, only a header, only a title: a clear verdict and nothing written."""
    result = check_import(seeded, [(name, data)])
    if name == "header.csv":
        assert result.accepted and result.files[0].rows == 0  # a blank template is a valid, empty import
    else:
        assert not result.accepted and result.errors[0].file == name


# ------------------------------------------------------------------------------------------ regressions
# Inputs the fuzz found crashing (or worse) before the fixes; each named exactly.


def perturbed(template: str, changes: dict[tuple[int, int], object], extra: dict[str, object] | None = None,
              fmt: str = "gb18030") -> list[tuple[str, bytes]]:
    rows = [list(r) for r in GOOD[template]]
    for (r, c), value in changes.items():
        rows[r][c] = value
    for header, value in (extra or {}).items():
        rows[0].append(header)
        rows[1].append(value)
    return [render(template, rows, fmt)]


@pytest.mark.parametrize("fmt", ["gb18030", "xlsx"])
@pytest.mark.parametrize("template,column,value", [
    ("测评场次", 3, "99999999999999999999"),  # 应到人数: overflowed SQLite / PostgreSQL integers
    ("测评场次", 4, 10**30),  # 发放份数 as an Excel number
    ("评议批次", 7, "99999999999999999999"),  # 最小样本
    ("评议批次", 8, "3000000000"),  # 临期天数 just past PostgreSQL's integer
    ("评议批次", 10, "99999999999999999999"),  # 匿名阈值
])
def test_huge_whole_numbers_are_cell_errors(seeded, fmt, template, column, value):
    result = check_import(seeded, perturbed(template, {(1, column): value}, fmt=fmt))
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (2, GOOD[template][0][column].replace("*", ""), "数值过大（最多 100000）")]


def test_huge_count_of_an_org_without_session_is_a_cell_error(seeded):
    """JT has no 测评场次 (no 有效份数 limit): 3,000,000,000 used to fail the write on PostgreSQL."""
    result = check_import(seeded, perturbed("测评汇总", {(3, 1): "JT", (3, 5): "3000000000"}))
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(4, "满意", "数值过大（最多 100000）")]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_non_finite_weight_is_a_cell_error(seeded, value):
    """满意权重 "nan" failed the write on SQLite (NaN is NULL there) and re-imported as "updated" on
    PostgreSQL (NaN != NaN); "inf" was stored as a weight."""
    result = check_import(seeded, perturbed("评议批次", {}, {"满意权重": value}))
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(2, "满意权重", "应为数字")]


def test_parsers_take_ints_too_big_for_a_float():
    """float(10**400) raises OverflowError; a cell parser must answer with a CellError instead."""
    from data.importers.normalise import CellError, parse_count, parse_number

    for parser, reason in ((parse_count, "数值过大（最多 100000）"), (parse_number, "应为数字")):
        with pytest.raises(CellError, match=reason.replace("（", ".").replace("）", ".")):
            parser(10**400)


@pytest.mark.parametrize("fmt", ["gb18030", "xlsx"])
def test_nul_characters_are_dropped_on_reading(seeded, fmt):
    """问题编号 "Z0\\x0001" and a 测评项目 header "服务\\x00态度" failed the write on PostgreSQL (text cannot
    hold NUL; no spreadsheet shows it): read as Z001 and 服务态度."""
    from data.models import Item, Rectification

    assert check_import(seeded, perturbed("整改台账", {(1, 0): "Z0\x0001"}, fmt=fmt)).accepted
    # check_import reset the database after the accepted import: import again to look at what it stores
    result = import_uploads(seeded, perturbed("整改台账", {(1, 0): "Z0\x0001"}, fmt=fmt), "fuzz", now=T1)
    ballots = import_uploads(seeded, perturbed("原始测评表", {(0, 5): "服务\x00态度"}, fmt=fmt), "fuzz", now=T1)
    assert result.accepted and ballots.accepted, issues(result) + issues(ballots)
    with seeded() as s:
        assert sorted(s.scalars(select(Rectification.code))) == ["Z001", "Z002"]
        assert "服务态度" in s.scalars(select(Item.name)).all()
    reset(seeded)


@pytest.mark.parametrize("name,shown", [("成员\x00.csv", "成员.csv"), ("\ud800成员.csv", "\ufffd成员.csv")])
def test_odd_upload_names_are_cleaned(seeded, name, shown):
    """A browser may send any file name: NUL failed the import log write on PostgreSQL and a lone
    surrogate raised UnicodeEncodeError on both backends."""
    from data.models import ImportLog

    data = render("党员名册", GOOD["党员名册"], "utf-8")[1]
    result = import_uploads(seeded, [(name, data)], "fuzz", now=T1)
    assert result.accepted and result.files[0].name == shown, issues(result)
    with seeded() as s:
        assert s.scalars(select(ImportLog.file_name).where(ImportLog.username == "fuzz")).all() == [shown]
    bad = import_uploads(seeded, [(name, b"\xff\xfe\x00garbage")], "fuzz", now=T1)
    assert [e.file for e in bad.errors] == [shown]
    reset(seeded)


@pytest.mark.parametrize("value", ["0001-01-01", "00010101", "9999-12-31", "1899年12月31日"])
def test_dates_outside_1900_to_2999_are_cell_errors(seeded, value):
    """登记日期 0001-01-01 was stored, and a view's deadline arithmetic (date - days) would overflow."""
    result = check_import(seeded, perturbed("整改台账", {(2, 7): value}))
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (3, "登记日期*", "日期超出范围（1900 年至 2999 年）")]


def far_cell_workbook(row: int, column: int) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("测评汇总")
    sheet.write_row(0, 0, GOOD["测评汇总"][0])
    sheet.write(row, column, " ")
    book.close()
    return buffer.getvalue()


def test_a_cell_in_xfd1048576_is_refused_before_reading(tmp_path):
    """A 5 KB .xlsx with one stray cell in XFD1048576 made calamine allocate 500 GB and abort the whole
    process (a web worker, with every other user's request). Run in a child with capped memory, so a
    regression fails this test instead of killing the test run."""
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(far_cell_workbook(1048575, 16383))
    assert len(bomb.read_bytes()) < 10_000
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30));"
            "from data.importers.reading import read_sheets;"
            "from data.importers.pipeline import parse_file;"
            "print(parse_file('bomb.xlsx', open(sys.argv[1], 'rb').read()).issues[0].reason)")
    done = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == ("工作表范围过大（1048576 行 × 16384 列）：请删除表格下方和右侧多余的单元格内容或格式，"
                                   "或拆分文件后再导入")


def zip_bomb(real_mb: int, declared: int = 4096) -> bytes:
    """A good tally workbook whose sheet part inflates to its start and real_mb MB of spaces while the zip
    directory (and the local header) say `declared` bytes. The deflate stream is one 1 MB block compressed once and
    repeated: each piece ends in a full flush, so the pieces are byte-aligned and independent."""
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(far_cell_workbook(1, 1))) as good:
        sheet = good.read(name.decode())
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(sheet[:sheet.index(b"<sheetData>")]) + packer.flush(zlib.Z_FULL_FLUSH)
    piece = packer.compress(b" " * (1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)  # XML whitespace
    stream = start + piece * real_mb + packer.flush()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(far_cell_workbook(1, 1))) as good, zipfile.ZipFile(buffer, "w") as bomb:
        for info in good.infolist():
            placeholder = info.filename == name.decode()
            bomb.writestr(info.filename, b"X" * len(stream) if placeholder else good.read(info),
                          zipfile.ZIP_STORED if placeholder else zipfile.ZIP_DEFLATED)
    data = bytearray(buffer.getvalue())
    local, central = data.find(name) - 30, data.rfind(name) - 46  # the name follows each fixed-size header
    for header, method_at in ((local, 8), (central, 10)):  # method, then CRC, compressed and real size
        struct.pack_into("<H", data, header + method_at, zipfile.ZIP_DEFLATED)
        struct.pack_into("<III", data, header + method_at + 6, 0, len(stream), declared)
    start = local + 30 + len(name)
    data[start:start + len(stream)] = stream
    return bytes(data)


@pytest.mark.parametrize("real_mb,reason", [
    (600, "文件解压后过大（超过 512 MB），请拆分后再导入"),
    (8, "无法读取 Excel 文件：压缩包已损坏（目录与内容不符）")])
def test_a_zip_bomb_is_refused_while_inflating(tmp_path, real_mb, reason):
    """Issue 18 point 10: an .xlsx whose zip directory under-states a part's size passed the size check
    (which read the directory) and calamine then inflated all of it: 2 GB of memory and 7.6 s per file.
    The parts are now counted while they are inflated, a piece at a time: refused at once, in little
    memory. Run in a child so its peak memory is its own."""
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb(real_mb))
    assert len(bomb.read_bytes()) < 2_000_000
    code = ("import json, resource, sys, time; from data.importers.pipeline import parse_file;"
            "data = open(sys.argv[1], 'rb').read(); peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
            "start = time.process_time(); issues = parse_file('bomb.xlsx', data).issues;"
            "print(json.dumps([[i.reason for i in issues], time.process_time() - start,"
            " (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024]))")
    done = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr[-500:]
    reasons, seconds, grown_mb = json.loads(done.stdout)
    assert reasons == [reason]
    assert seconds < 3 and grown_mb < 100, (seconds, grown_mb)  # CPU seconds: the machine may be busy


@pytest.mark.parametrize("row,column,extent", [
    (1048575, 0, (1048576, 10)),  # the header is 10 wide: ten million cells, read, not refused
    (1048575, 25, (1048576, 26)), (99, 27, (100, 28)), (9, 702, (10, 703)), (0, 16383, (1, 16384))])
def test_sheet_extent_is_measured_exactly(row, column, extent):
    from data.importers.reading import _extent

    with zipfile.ZipFile(io.BytesIO(far_cell_workbook(row, column))) as z:
        assert _extent(z.read("xl/worksheets/sheet1.xml")) == extent


def test_zips_that_are_not_xlsx_are_refused(seeded):
    """calamine would also open .ods and .xlsb, whose sheets the extent check cannot measure."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    result = check_import(seeded, [("表.ods", buffer.getvalue())])
    assert [e.reason for e in result.errors] == ["不支持的文件类型（请上传 .xlsx、.xls 或 .csv）"]


def test_same_key_on_two_sheets_of_one_template_is_a_duplicate(seeded):
    """Found by the fuzz: a 整改台账 sheet whose 问题编号 header was mistyped "abstain" reads as a second
    测评场次 sheet; its blank counts for (round, JT01, 党组织) overwrote the first sheet's, and every
    re-import flipped them back ("updated 2" forever). (Since 测评汇总 needs only 评议批次 and 组织编码, that
    garbled sheet now reads as a 测评汇总 whose "abstain" counts are 问题编号: an error too.) Two sheets of
    测评场次 with the same key:"""
    garbled = [list(r) for r in GOOD["整改台账"]]
    garbled[0][0] = "abstain"
    result = check_import(seeded, [("两表.xlsx", xlsx_bytes({"测评场次": GOOD["测评场次"], "整改台账": garbled}))])
    assert not result.accepted
    again = [list(r) for r in GOOD["测评场次"]]
    result = check_import(seeded, [("两表.xlsx", xlsx_bytes({"测评场次": GOOD["测评场次"], "场次补录": again}))])
    assert [(e.sheet, e.row, e.column, e.value, e.reason) for e in result.errors][:1] == [
        ("场次补录", 2, "评议批次*+组织编码*+测评对象", f"{ROUND}/JT01/党组织",
         "与工作表“测评场次”第 2 行重复（评议批次*+组织编码*+测评对象相同）")]
    # Sheets with different keys (one sheet per unit, as many workbooks are kept) still import together.
    per_unit = {"交通一支部": [GOOD["测评汇总"][0], GOOD["测评汇总"][1]],
                "交通二支部": [GOOD["测评汇总"][0], GOOD["测评汇总"][3]]}
    assert check_import(seeded, [("分表.xlsx", xlsx_bytes(per_unit))]).accepted


@pytest.mark.parametrize("template,cell,value,column,reason", [
    ("组织架构", (1, 5), "湖南省/" + "长" * 150 + "/县", "所属地区*",
     "地区名称过长（每级最多 100 个字符，完整路径最多 300 个字符）"),
    ("组织架构", (1, 5), "/".join(["省" * 99] * 4), "所属地区*",
     "地区名称过长（每级最多 100 个字符，完整路径最多 300 个字符）"),
    ("原始测评表", (0, 5), "测" * 301, "测" * 301, "测评项目名称过长（最多 100 个字符）"),
])
def test_over_long_names_outside_the_cell_length_check_are_errors(seeded, template, cell, value, column, reason):
    """A 150-character region name or a 301-character 测评项目 header failed the write on PostgreSQL
    (regions.name / items.name are VARCHAR(100)) and was silently stored on SQLite."""
    result = check_import(seeded, perturbed(template, {cell: value}))
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(cell[0] + 1, column, reason)]


def test_csv_cell_over_the_field_limit_is_a_file_error(seeded):
    """A 200,000-character cell raised csv.Error out of import_uploads itself (no ImportResult at all)."""
    data = ("评议批次,组织编码,测评对象\n" + "x" * 200_000 + ",JT01,党组织\n").encode()
    result = check_import(seeded, [("长.csv", data)])
    assert [(e.file, e.row, e.reason) for e in result.errors] == [
        ("长.csv", None, "CSV 文件第 2 行无法读取（单元格过长或引号不配对）")]


def test_an_unforeseen_reader_failure_is_still_an_import_result(seeded, monkeypatch):
    """Reading happens before the per-file guard of the write phase: whatever a reader raises, the
    caller gets an ImportResult naming the file, never the exception."""
    from data.importers import pipeline

    def broken(name, data):
        raise MemoryError

    monkeypatch.setattr(pipeline, "read_sheets", broken)
    result = import_uploads(seeded, [("任意.xlsx", b"PK")], "fuzz", now=T1)
    assert [(e.file, e.reason) for e in result.errors] == [("任意.xlsx", "无法读取文件：MemoryError（详见服务器日志）")]


def test_ballots_and_a_summary_of_the_same_org_in_one_workbook_import_once(seeded):
    """Found by the fuzz: 原始测评表 and 测评汇总 both counting JT02's 服务对象 总体评价. The ballots' count stands,
    and importing the workbook again changes nothing (it used to write the summary, then the ballots back)."""
    ballots = [["评议批次*", "组织编码*", "测评表编号*", "参评人员类别*", "总体评价", "服务态度"],
               ["2012年上半年创先争优群众评议", "JT02", "B001", "服务对象", "满意", "基本满意"]]
    summary = [["评议批次*", "组织编码*", "党员编号", "参评人员类别*", "满意", "基本满意", "不满意", "不了解", "弃权"],
               ["2012年上半年创先争优群众评议", "JT02", "", "服务对象", "4", "4", "2", "0", "0"]]
    data = xlsx_bytes({"原始测评表": ballots, "测评汇总": summary})
    first = import_uploads(seeded, [("多表.xlsx", data)], "test", now=T1)
    assert first.accepted, issues(first)
    again = import_uploads(seeded, [("多表.xlsx", data)], "test", now=T2)
    assert again.accepted and [(f.inserted, f.updated) for f in again.files] == [(0, 0)]
    with seeded() as s:
        counts = s.execute(select(Tally.opt1, Tally.opt2, Tally.opt3, Tally.from_ballots).join(Org, Org.id == Tally.org_id)
                           .join(Item, Item.id == Tally.item_id)
                           .where(Org.code == "JT02", Tally.category == "服务对象", Item.name == "总体评价")).all()
    assert [tuple(c)[:3] for c in counts] == [(1, 0, 0)] and counts[0][3]
