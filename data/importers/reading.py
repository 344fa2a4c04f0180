"""Reading uploaded bytes into sheets of raw cells: .xlsx/.xls via python-calamine, CSV in UTF-8 (with or
without BOM) or GB18030. Row numbers are kept exactly as the user sees them in the spreadsheet."""
from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
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


def _split_plain(content: str, dialect) -> list[list[str]] | None:
    """The rows csv.reader would give, by plain splitting, when nothing in the text needs the csv module:
    no quote character, a one-character delimiter, no space skipping or escapes, no line longer than the
    csv module's field limit (its error message stays its own). Else None. Several times faster than
    csv.reader on a large tally file, which is almost always this plain."""
    delimiter = dialect.delimiter
    if (len(delimiter) != 1 or dialect.skipinitialspace or dialect.escapechar
            or (dialect.quotechar and dialect.quotechar in content)):
        return None
    # csv.reader over io.StringIO(newline="") ends a record at \r\n, \r or \n; a blank line is [].
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None
    return [line.split(delimiter) if line else [] for line in lines]


def read_csv(name: str, data: bytes) -> list[RawSheet]:
    """One sheet, named after the file without its extension, as Excel shows a CSV."""
    content = _decode(data).replace("\x00", "")  # see _no_nul
    try:
        dialect = csv.Sniffer().sniff(content[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = _split_plain(content, dialect)
    if rows is not None:
        return [RawSheet(PurePath(name).stem, rows)]
    reader = csv.reader(io.StringIO(content, newline=""), dialect)
    try:
        rows = [list(row) for row in reader]
    except csv.Error:  # e.g. a cell over the csv module's 131,072-character field limit
        raise FileError(f"CSV 文件第 {reader.line_num} 行无法读取（单元格过长或引号不配对）") from None
    return [RawSheet(PurePath(name).stem, rows)]


# calamine allocates every cell of a sheet's used range at once and aborts the whole process when that
# fails: a 5 KB .xlsx with one cell in XFD1048576 asks for 500 GB. Sheets are measured before reading.
MAX_CELLS = 20_000_000  # 8x a 200,000-row tally sheet of 12 columns
MAX_UNZIPPED = 512 << 20  # all parts of one workbook, inflated: 5x a 200,000-row tally sheet (95 MB)
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + char - 64
    return number


def _extent(xml: bytes) -> tuple[int, int]:
    """An upper bound of (rows, columns) calamine will allocate for one worksheet part; byte counts and
    regexes over the widest references only, so a 200,000-row sheet is measured in a fraction of a second."""
    rows_written = xml.count(b"<row") + xml.count(b":row")
    cells = sum(xml.count(tag) for tag in (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/"))
    rows = max(max((int(n) for n in _ROW_REF.findall(xml)), default=0), rows_written)
    if xml.count(b' r="') < rows_written + cells:
        return rows, cells  # some cells have no r: each follows its left neighbour
    for width in (3, 2):  # a longer column name is always a later column
        letters = set(re.findall(rb'\sr="([A-Z]{%d})[0-9]' % width, xml))
        if letters:
            return rows, max(map(_column_number, letters))
    # Single letters only: the last one present (a cell reference, never a row's digits).
    return rows, next((26 - i for i, c in enumerate(reversed(range(65, 91))) if b' r="%c' % c in xml), 0)


TOO_BIG = f"文件解压后过大（超过 {MAX_UNZIPPED >> 20} MB），请拆分后再导入"
DAMAGED = "无法读取 Excel 文件：压缩包已损坏（目录与内容不符）"
_PIECE = 1 << 16  # compressed bytes fed to the inflater at a time
_OUT = 1 << 20  # at most this much inflated output per step


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int) -> int:
    """The real size of one zip member, inflated a piece at a time (then dropped) and counted while
    reading: the sizes in the zip directory are the sender's word, and calamine would inflate whatever the
    stream holds. FileError once budget bytes are passed, or when the member is not what the directory says
    (then calamine could read more than was counted here)."""
    at = info.header_offset
    if len(data) < at + 30 or data[at:at + 4] != b"PK\x03\x04" or info.flag_bits & 1:  # no header, or encrypted
        raise FileError(DAMAGED)
    name_length, extra_length = struct.unpack_from("<HH", data, at + 26)
    start = at + 30 + name_length + extra_length
    raw = memoryview(data)[start:start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        size, ended = len(raw), True
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater, size = zlib.decompressobj(-zlib.MAX_WBITS), 0
        for offset in range(0, len(raw), _PIECE):
            pending = raw[offset:offset + _PIECE]
            while pending and not inflater.eof:
                out = inflater.decompress(pending, _OUT)
                pending = inflater.unconsumed_tail
                size += len(out)
                if size > budget:
                    raise FileError(TOO_BIG)
        ended = inflater.eof
    else:  # Excel writes deflate only; calamine might inflate other methods this check cannot count
        raise FileError(DAMAGED)
    if not ended or size != info.file_size:
        raise FileError(DAMAGED)
    return size


def check_extent(data: bytes) -> None:
    """Refuse a zipped workbook whose parts inflate to more than MAX_UNZIPPED together (counted while
    inflating, never taken from the directory), whose sheets would be too big to hold in memory, or that is
    not .xlsx (calamine would also open .xlsb and .ods, whose sheets this check cannot measure)."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: calamine reports what it is
    with book:
        infos = book.infolist()
        if "xl/workbook.xml" not in book.namelist():
            raise FileError("不支持的文件类型（请上传 .xlsx、.xls 或 .csv）")
        if sum(i.file_size for i in infos) > MAX_UNZIPPED:
            raise FileError(TOO_BIG)
        budget = MAX_UNZIPPED
        for info in infos:
            budget -= _inflate(data, info, budget)
        # Every part is now known to hold what the directory says, so reading a sheet is bounded too.
        for info in infos:
            if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", info.filename):
                continue
            rows, columns = _extent(book.read(info))
            if rows * columns > MAX_CELLS:
                raise FileError(f"工作表范围过大（{rows} 行 × {columns} 列）：请删除表格下方和右侧多余的"
                                "单元格内容或格式，或拆分文件后再导入")


def read_workbook(data: bytes) -> list[RawSheet]:
    check_extent(data)
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
