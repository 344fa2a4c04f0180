"""Exports read back the way a user opens them: xlsx with openpyxl, CSV as text with its BOM."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from dashboard import reports
from dashboard.exports import (EXCEL_MAX_ROWS, TooManyRowsForExcel, export_bytes, export_filename, to_csv,
                               to_xlsx)
from domain.scope import EVERYTHING
from domain.tables import DATE, INT, PERCENT, Column, Filters, ReportTable
from tests import report_dataset as rd

EXPORTED_AT = datetime(2025, 1, 2, 8, 30, 0)
HEADER_ROW = 10  # eight title lines, one blank row, then the header (1-based, as Excel numbers rows)


@pytest.fixture
def table(sessions):
    with sessions() as s:
        rd.load(s)
    with sessions() as s:
        # A1 (达标, 按期完成率 None) and A2 (确认低于): one plain row and one red row.
        return reports.drilldown(s, rd.ask(Filters(region="510104"), rd.AS_OF, EVERYTHING))


def test_xlsx_has_title_block_header_percent_formats_red_rows_and_frozen_header(table):
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, "张科长", EXPORTED_AT))).worksheets[0]
    assert [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in range(1, 9)] == [
        ("视图", f"下钻 · {rd.R2}"), ("范围", "全部"), ("筛选条件", "地区：510104"), ("文件号", "—"),
        ("红线", "综合满意率 ≥ 2/3，最小样本 10"),
        ("统计截止日期", "2024-12-31"), ("导出人", "张科长"), ("导出时间", "2025-01-02 08:30:00")]
    assert sheet.cell(9, 1).value is None
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header == table.headers
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    col = {name: i + 1 for i, name in enumerate(header)}
    a1, a2 = HEADER_ROW + 1, HEADER_ROW + 2
    assert sheet.cell(a1, 1).value == "A1" and sheet.cell(a2, 1).value == "A2"
    rate = sheet.cell(a2, col["综合满意率"])
    assert rate.value == pytest.approx(7 / 22) and rate.number_format == "0.0%"
    assert sheet.cell(a2, col["置信下限"]).number_format == "0.0%"
    assert sheet.cell(a2, col["测评数"]).value == 22
    assert sheet.cell(a1, col["按期完成率"]).value is None  # no completed item: empty, never 0%
    assert sheet.cell(a2, 1).fill.fgColor.rgb.endswith("FFC7CE")  # 确认低于
    assert sheet.cell(a1, 1).fill.fill_type is None


def test_csv_is_the_header_then_the_rows_with_bom_and_the_same_fractions(table):
    data = export_bytes(table, "csv", "张科长", EXPORTED_AT)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == table.headers  # a program reading it finds the header on the first line
    a2 = dict(zip(lines[0], lines[2]))
    assert a2["组织编码"] == "A2" and float(a2["综合满意率"]) == pytest.approx(7 / 22)
    assert dict(zip(lines[0], lines[1]))["按期完成率"] == ""
    assert len(lines) == 1 + len(table.rows)


def test_xlsx_prints_on_a4_landscape_one_page_wide_with_the_header_on_every_page(table):
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, "张科长", EXPORTED_AT)))
    sheet = book.worksheets[0]
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (an absent fitToWidth is OOXML's default, 1), as many pages long as it takes (0).
    assert sheet.page_setup.fitToWidth in (None, 1, "1") and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # the header row on every page
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text


def test_title_block_and_file_name_say_the_filters_in_the_users_words():
    table = _plain_table([["Z1", date(2024, 12, 1), 1, None]])
    table.filters = Filters(system="教育系统", extra=(("overdue_only", "1"), ("排序", "整改时限 升序")))
    block = dict(table.title_block("u", EXPORTED_AT))
    assert block["筛选条件"] == "系统：教育系统；只看超期；排序：整改时限 升序"
    assert export_filename("整改台账", table, "xlsx") == "整改台账_教育系统_只看超期_2025-01-01.xlsx"
    table.filters = Filters(org="A/2", extra=(("status", "整改中"),))
    assert export_filename("整改台账", table, "csv") == "整改台账_A-2_整改中_2025-01-01.csv"


def _plain_table(rows, columns=None) -> ReportTable:
    return ReportTable(view="rectifications", title="整改台账 · R", filters=Filters(), as_of=date(2025, 1, 1),
                       scope="全部", rows=rows, context=[("文件号", "—"), ("红线", "综合满意率 ≥ 2/3，最小样本 10")],
                       columns=columns or [Column("问题编号"), Column("整改时限", DATE), Column("数量", INT),
                                           Column("比例", PERCENT)])


def test_dates_are_dates_and_small_cells_stay_text():
    table = _plain_table([["Z1", date(2024, 12, 1), "<5", None]])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, "u", EXPORTED_AT))).worksheets[0]
    deadline = sheet.cell(HEADER_ROW + 1, 2)
    assert deadline.value == datetime(2024, 12, 1) and deadline.number_format == "yyyy-mm-dd"
    assert sheet.cell(HEADER_ROW + 1, 3).value == "<5"
    assert to_csv(table, "u", EXPORTED_AT).decode("utf-8-sig").splitlines()[-1] == "Z1,2024-12-01,<5,"


def test_more_rows_than_excel_holds_asks_for_csv():
    table = _plain_table([["Z", None, 1, 0.5]] * EXCEL_MAX_ROWS)
    with pytest.raises(TooManyRowsForExcel) as err:
        to_xlsx(table, "u", EXPORTED_AT)
    assert "CSV" in str(err.value)
    assert isinstance(err.value, reports.ReportError)


def test_unknown_format_is_a_report_error():
    with pytest.raises(reports.ReportError):
        export_bytes(_plain_table([]), "pdf", "u", EXPORTED_AT)


def test_every_view_title_makes_a_valid_sheet(sessions):
    with sessions() as s:
        rd.load(s)
    with sessions() as s:
        red = reports.redline(s, rd.ask(Filters(), rd.AS_OF, EVERYTHING))
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(red, "u", EXPORTED_AT)))
    sheet = book.worksheets[0]
    assert sheet.title == "红线-薄弱组织"  # "/" is not allowed in a sheet name
    assert [sheet.cell(r, 1).value for r in range(HEADER_ROW + 1, HEADER_ROW + 4)] == ["A21", "A2", "A"]
    assert book["说明"].cell(1, 1).value == red.notes[0]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_text_that_a_spreadsheet_would_run_is_quoted(start):
    """OWASP's CSV-injection advice: a text cell starting with a formula character gets a leading quote, in
    the rows and the header (item names come from imports); the CSV has no title block to quote."""
    formula = start + 'HYPERLINK("http://x.example","y")'
    table = _plain_table([[formula, None, -3, -0.25]],
                         columns=[Column("问题编号"), Column(start + "列"), Column("数量", INT), Column("比例", PERCENT)])
    table.title = start + "整改台账"
    lines = list(csv.reader(io.StringIO(to_csv(table, start + "u", EXPORTED_AT).decode("utf-8-sig"),
                                        newline="")))
    assert lines[-1] == ["'" + formula, "", "-3", "-0.25"]  # numbers, negative ones too, are data
    assert lines[0][:2] == ["问题编号", "'" + start + "列"] and len(lines) == 2


def test_csv_keeps_ordinary_text_as_it_is():
    table = _plain_table([["Z-1", None, 0, None], ["负-3", None, 1, None], [" =x", None, 2, None]])
    body = to_csv(table, "u", EXPORTED_AT).decode("utf-8-sig").splitlines()[-3:]
    assert body == ["Z-1,,0,", "负-3,,1,", " =x,,2,"]
