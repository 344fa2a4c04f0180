"""A ReportTable -> xlsx (title block, set up to print) or csv (header and rows only) bytes (docs/views.md,
"The export title block").

Both formats carry the same numbers: rates are stored as fractions (0.625, not 62.5), shown with a percent
format in xlsx; CSV keeps the plain fraction so a spreadsheet or a script reads the exact value. "No data"
(None) is an empty cell. Every row of the table is written: past Excel's row limit the user is told to
take CSV instead of receiving a silently cut file. A CSV text cell that a spreadsheet would run as a formula
is written with a leading single quote (xlsx cells are typed, so they need none).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime
from itertools import chain, islice
from typing import Iterator

import xlsxwriter

from dashboard.reports import ReportError
from domain.tables import DATE, DECIMAL, INT, PERCENT, Filters, ReportTable, RowStream, filter_words

EXCEL_MAX_ROWS = 1_048_576
RED_FILL = "#FFC7CE"
WIDTH_SAMPLE_ROWS = 2000  # column widths are measured on the first rows only: enough to look right


class TooManyRowsForExcel(ReportError):
    """The table does not fit in one Excel sheet."""


def export_bytes(table: ReportTable, fmt: str, exported_by: str, exported_at: datetime,
                 stream: RowStream | None = None) -> bytes:
    """The table as a file; its rows are table.rows, or stream's when given (table.rows then unused)."""
    if fmt == "xlsx":
        return to_xlsx(table, exported_by, exported_at, stream)
    if fmt == "csv":
        return to_csv(table, exported_by, exported_at, stream)
    raise ReportError(f"不支持的导出格式：{fmt}（可选 xlsx、csv）")


def _marked_rows(table: ReportTable, stream: RowStream | None) -> Iterator[tuple[list, bool]]:
    """(row, whether to mark it red) of every row to export."""
    if stream is None:
        for i, row in enumerate(table.rows):
            yield row, i in table.red_rows
        return
    for part in stream.parts:
        for row in part:
            yield row, stream.is_red(row)


def _text_width(value) -> int:
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    # CJK characters take two columns in Excel's default font.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet_name(title: str) -> str:
    """The view's name as the sheet name: Excel forbids []:*?/\\ and more than 31 characters."""
    name = (title.split(" · ")[0] or "报表").translate({ord(c): "-" for c in "[]:*?/\\"})
    return name[:31]


def _print_setup(sheet, header_row: int) -> None:
    """Printed as it is read at a meeting: A4 landscape, one page wide (as many long as it takes), the
    header row on every page and "第 n 页，共 m 页" in the footer."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def export_filename(view_title: str, table: ReportTable, fmt: str) -> str:
    """The view, its main filter and the date, e.g. 整改台账_教育系统_只看超期_2012-12-10.xlsx: the node the
    rows were narrowed to (org, region or system) and the page's own filters, not the grid's sort/filter."""
    filters = table.filters
    parts = [view_title]
    node = filters.org or filters.region or filters.system
    if node:
        parts.append(node)
    grid_keys = ("表格筛选", "排序")
    page = Filters(extra=tuple((k, v) for k, v in filters.extra if k not in grid_keys))
    parts += [word.split("：", 1)[-1] if "：" in word else word for word in filter_words(page)]
    name = "_".join(parts + [table.as_of.isoformat()])
    name = "".join("-" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in name)
    return f"{name[:120]}.{fmt}"


def to_xlsx(table: ReportTable, exported_by: str, exported_at: datetime, stream: RowStream | None = None) -> bytes:
    block = table.title_block(exported_by, exported_at)
    header_row = len(block) + 1  # title block, one blank row, then the header (0-based row index)
    count = stream.count if stream is not None else len(table.rows)
    if header_row + 1 + count > EXCEL_MAX_ROWS:
        raise TooManyRowsForExcel(
            f"共 {count:,} 行，超过 Excel 单个工作表 {EXCEL_MAX_ROWS:,} 行的上限，请改用“导出 CSV”。")
    marked = _marked_rows(table, stream)
    sample = list(islice(marked, WIDTH_SAMPLE_ROWS))
    out = io.BytesIO()
    # constant_memory streams rows to a temporary file, so a large export does not hold the sheet in memory.
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "default_date_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet(_sheet_name(table.title))
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
    number_formats = {PERCENT: "0.0%", DECIMAL: "0.00", INT: "0", DATE: "yyyy-mm-dd"}
    formats: dict[tuple[str, bool], object] = {}

    def cell_format(kind: str, red: bool):
        if (kind, red) not in formats:
            props = {}
            if kind in number_formats:
                props["num_format"] = number_formats[kind]
            if red:
                props["bg_color"] = RED_FILL
            formats[(kind, red)] = book.add_format(props) if props else None
        return formats[(kind, red)]

    widths = [_text_width(c.name) for c in table.columns]
    for row, _ in sample:
        for i, value in enumerate(row):
            if value is not None and i < len(widths):
                shown = f"{value:.1%}" if isinstance(value, float) and table.columns[i].format == PERCENT \
                    else (f"{value:.2f}" if isinstance(value, float) else value)
                widths[i] = max(widths[i], _text_width(shown))
    widths[0] = max(widths[0], _text_width("统计截止日期"))
    for i, w in enumerate(widths):
        sheet.set_column(i, i, min(max(w + 2, 8), 60))

    for r, (label, value) in enumerate(block):
        sheet.write_string(r, 0, label, bold)
        sheet.write_string(r, 1, value)
    for c, column in enumerate(table.columns):
        sheet.write_string(header_row, c, column.name, header)
    sheet.freeze_panes(header_row + 1, 0)
    _print_setup(sheet, header_row)
    rows, written = chain(sample, marked), 0
    del sample  # let the first rows go once written, like the rest
    for r, (row, red) in enumerate(rows):
        written += 1
        for c, value in enumerate(row):
            kind = table.columns[c].format if c < len(table.columns) else "text"
            fmt = cell_format(kind, red)
            x = header_row + 1 + r
            if value is None:
                sheet.write_blank(x, c, None, fmt)
            elif isinstance(value, bool):
                sheet.write_string(x, c, "是" if value else "否", fmt)
            elif isinstance(value, (int, float)):
                sheet.write_number(x, c, value, fmt)
            elif isinstance(value, datetime):
                sheet.write_datetime(x, c, value, cell_format(DATE, red))
            elif isinstance(value, date):
                sheet.write_datetime(x, c, datetime(value.year, value.month, value.day), cell_format(DATE, red))
            else:
                sheet.write_string(x, c, str(value), fmt)
    if table.columns:
        sheet.autofilter(header_row, 0, header_row + written, len(table.columns) - 1)
    if table.notes:
        notes = book.add_worksheet("说明")
        for r, note in enumerate(table.notes):
            notes.write_string(r, 0, note)
        notes.set_column(0, 0, 100)
    book.close()
    return out.getvalue()


# A text cell starting with one of these is read by Excel/LibreOffice as a formula (or a DDE call): the
# OWASP "CSV injection" advice is to prefix such a cell with a single quote so it shows as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)  # a number is data, a negative one too; floats keep full precision (0.625 = 62.5%)
    return neutral_text(str(value))


def to_csv(table: ReportTable, exported_by: str, exported_at: datetime, stream: RowStream | None = None) -> bytes:
    """UTF-8 with BOM (Excel on Chinese Windows needs it): the header on the first line, then the rows and
    nothing else, so any program reads it; the title block is the xlsx's (exported_by/at unused here)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutral_text(h) for h in table.headers])  # item names come from imported data
    for row, _ in _marked_rows(table, stream):
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
