"""Reading uploaded bytes into sheets of raw cells: .xlsx/.xls via python-calamine, CSV in UTF-8 (with or
without BOM) or GB18030. Row numbers are kept exactly as the user sees them in the spreadsheet."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import PurePath

from python_calamine import CalamineWorkbook


class FileError(ValueError):
    """The file as a whole cannot be read; the message is the user-facing reason."""


@dataclass
class RawSheet:
    name: str
    rows: list[list[object]]  # rows[i] is spreadsheet row i + 1


def _no_nul(cell: object) -> object:
    """NUL never shows in a spreadsheet and PostgreSQL text cannot hold it: drop it while reading."""
    return cell.replace("\x00", "") if type(cell) is str and "\x00" in cell else cell


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError("CSV 文件编码无法识别（请使用 UTF-8 或 GB18030）")


def read_csv(name: str, data: bytes) -> list[RawSheet]:
    """One sheet, named after the file without its extension, as Excel shows a CSV."""
    content = _decode(data).replace("\x00", "")  # see _no_nul
    try:
        dialect = csv.Sniffer().sniff(content[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = [list(row) for row in csv.reader(io.StringIO(content, newline=""), dialect)]
    return [RawSheet(PurePath(name).stem, rows)]


def read_workbook(data: bytes) -> list[RawSheet]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for index, name in enumerate(book.sheet_names):
            # skip_empty_area=False keeps row 1 as row 1, so reported row numbers match the file.
            rows = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
            sheets.append(RawSheet(name, [[_no_nul(c) for c in row] for row in rows]))
        return sheets
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for corrupt files
        raise FileError(f"无法读取 Excel 文件：{exc.__class__.__name__}") from None


def read_sheets(name: str, data: bytes) -> list[RawSheet]:
    """All sheets of one uploaded file; the type comes from the extension, else from the content."""
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm", ".xls")):
        return read_workbook(data)
    if lower.endswith((".csv", ".txt")):
        return read_csv(name, data)
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return read_workbook(data)
    raise FileError("不支持的文件类型（请上传 .xlsx、.xls 或 .csv）")
