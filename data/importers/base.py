"""Result types and the per-sheet context every template module works with."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

import xlsxwriter
from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session

from data.approvals import LOCKED_TABLES, lock_conflicts
from data.importers.normalise import NAME_KEYS, CellError, key_text, text
from data.importers.templates import HeaderMatch, Template

# What a unit user is told about anything outside its subtree, whether it exists elsewhere or not at all:
# an error never names or confirms what the caller may not see.
OUT_OF_SCOPE = "不在本单位范围内"
# A file of garbage has hundreds of thousands of errors: the answer (page, CLI, error sheet) lists the first
# ones and states the total, and shows the start of a long cell only.
MAX_ERRORS_SHOWN = 1000
MAX_VALUE_SHOWN = 100
# Column key -> the database column's length, so an over-long cell is a clear error, not a failed write.
MAX_LENGTH = {"round": 200, "org_code": 40, "org_name": 200, "parent_code": 40, "system": 100,
              "member_code": 40, "member_name": 100, "position": 100, "group": 100, "leader": 100,
              "item": 100, "ballot_no": 60, "pledge_code": 60, "issue_code": 60, "owner": 100,
              "doc_no": 100, "source": 100, "category": 20, "office": 100,
              "comment_code": 60, "commenter": 100, "method": 100, "feedback_to": 200}


@dataclass(frozen=True)
class ImportIssue:
    file: str
    sheet: str
    row: int | None  # 1-based spreadsheet row; None for a file-level problem
    column: str
    value: str
    reason: str

    def cli_line(self) -> str:
        """`file:sheet:row:column: reason` (SPEC §7), with the value the reason is about when there is one."""
        shown = f"（值：{self.value}）" if self.value and self.value != self.column else ""
        return f"{self.file}:{self.sheet}:{self.row if self.row is not None else ''}:{self.column}: {self.reason}{shown}"


@dataclass
class FileReport:
    name: str
    sha256: str
    templates: list[str] = field(default_factory=list)
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    accepted: bool = False
    error_count: int = 0
    would_create_rounds: list[str] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    files: list[FileReport]
    errors: list[ImportIssue]  # the first MAX_ERRORS_SHOWN when the pipeline made it
    dry_run: bool = False
    error_total: int | None = None  # every error found; None: as many as listed
    busy: bool = False  # refused unread: another import was running (pipeline.BUSY)

    def __post_init__(self):
        if self.error_total is None:
            self.error_total = len(self.errors)

    @property
    def cut_note(self) -> str | None:
        """What the listed errors leave out, or None when they are all there."""
        if self.error_total <= len(self.errors):
            return None
        return f"共 {self.error_total:,} 处错误，只列出前 {len(self.errors):,} 处：请先按这些错误检查模板和列名"

    @property
    def accepted(self) -> bool:
        return bool(self.files) and all(f.accepted for f in self.files) and not self.errors

    def summary_lines(self) -> list[str]:
        lines = []
        for f in self.files:
            templates = "、".join(f.templates) or "未识别"
            if f.accepted:
                verb = "校验通过（试运行，未写入）" if self.dry_run else "已导入"
                lines.append(f"{f.name}：{verb}，模板 {templates}，{f.rows} 行："
                             f"新增 {f.inserted}，更新 {f.updated}，未变 {f.unchanged}")
            else:
                lines.append(f"{f.name}：已拒绝，模板 {templates}，{f.error_count:,} 处错误，未写入任何数据")
            if f.would_create_rounds:
                verb = "将新建" if self.dry_run or not f.accepted else "已新建"
                lines.append(f"  {verb}评议批次（默认评议规则）：" + "、".join(f.would_create_rounds))
            if f.ignored_sheets:
                lines.append("  未识别的工作表已忽略：" + "、".join(f.ignored_sheets))
        if self.cut_note:
            lines.append(self.cut_note)
        return lines

    def errors_xlsx(self) -> bytes:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
        sheet = book.add_worksheet("导入错误")
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, ["文件", "工作表", "行", "列", "值", "原因"], bold)
        for r, e in enumerate(self.errors, start=1):
            sheet.write_string(r, 0, e.file)
            sheet.write_string(r, 1, e.sheet)
            if e.row is not None:
                sheet.write_number(r, 2, e.row)
            sheet.write_string(r, 3, e.column)
            sheet.write_string(r, 4, e.value)
            sheet.write_string(r, 5, e.reason)
        if self.cut_note:
            sheet.write_string(len(self.errors) + 1, 5, self.cut_note)
        for col, width in enumerate((24, 14, 6, 16, 24, 60)):
            sheet.set_column(col, col, width)
        book.close()
        return buffer.getvalue()


@dataclass
class Row:
    number: int  # 1-based spreadsheet row
    cells: dict[str, object]  # column key -> raw cell
    extras: dict[str, object]  # option / item name -> raw cell


@dataclass
class Counter:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class SheetContext:
    """One sheet being imported: its rows, the session, and the issue list it appends to."""

    def __init__(self, session: Session, file: str, sheet: str, match: HeaderMatch,
                 rows: list[Row] | Callable[[], list[Row]], issues: list[ImportIssue], username: str,
                 now: datetime, allowed_org_ids: set[int] | None, dry_run: bool,
                 table: tuple[list[list[object]], list[int]] | None = None):
        self.session = session
        self.file = file
        self.sheet = sheet
        self.match = match
        self.template: Template = match.template
        self._rows = rows  # or a function that builds them, called on first use
        # The raw cells and the indices of the data rows, for handlers that read by column.
        self.table = table
        self.issues = issues
        self.username = username
        self.now = now
        self.allowed_org_ids = allowed_org_ids
        self.dry_run = dry_run
        self.counter = Counter()
        self.created_rounds: list[str] = []
        self._start = len(issues)
        self._reported: set[ImportIssue] = set()

    @property
    def rows(self) -> list[Row]:
        if callable(self._rows):
            self._rows = self._rows()
        return self._rows

    # ------------------------------------------------------------------ issues
    @property
    def failed(self) -> bool:
        return len(self.issues) > self._start

    def label(self, key: str) -> str:
        return self.match.labels.get(key) or next(
            (c.label for c in self.template.columns if c.key == key), key)

    def error(self, row: int | None, column: str, value: object, reason: str) -> None:
        shown = text(value)
        if len(shown) > MAX_VALUE_SHOWN:
            shown = shown[:MAX_VALUE_SHOWN] + "…"
        issue = ImportIssue(self.file, self.sheet, row, column, shown, reason)
        if issue not in self._reported:  # several checks may look at the same cell (e.g. a blank key)
            self._reported.add(issue)
            self.issues.append(issue)

    def col_error(self, row: Row, key: str, reason: str) -> None:
        self.error(row.number, self.label(key), row.cells.get(key, ""), reason)

    # ------------------------------------------------------------------ cell access
    def get(self, row: Row, key: str, parser: Callable[[object], object] = text, required: bool = False):
        """Parse one cell, recording an error and returning None when it is bad or a required one is blank."""
        raw = row.cells.get(key, "")
        if required and text(raw) == "":
            self.col_error(row, key, "必填项为空")
            return None
        try:
            value = parser(raw)
            if parser is text and key in NAME_KEYS:
                value = key_text(key, raw)
        except CellError as exc:
            self.col_error(row, key, str(exc))
            return None
        if parser is text and len(value) > MAX_LENGTH.get(key, 10**9):
            self.col_error(row, key, f"过长（最多 {MAX_LENGTH[key]} 个字符）")
            return None
        return value

    def choice(self, row: Row, key: str, options: Iterable[str], required: bool = False) -> str | None:
        """One of options; blank is None (an error too when required)."""
        value = self.get(row, key, required=required)
        if not value:
            return None
        options = tuple(options)
        if value not in options:
            self.col_error(row, key, "应为 " + "/".join(options) + " 之一")
            return None
        return value

    def check_duplicates(self, keyed: dict, key: object, row: Row, columns: str, shown: str | None = None) -> bool:
        """Record a duplicated natural key (naming both rows); True when the key is new."""
        if key in keyed:
            first = keyed[key]
            shown = shown if shown is not None else key
            self.error(row.number, columns, shown, f"与第 {first} 行重复（{columns}相同）")
            return False
        keyed[key] = row.number
        return True

    def not_found(self, row: Row, key: str, reason: str) -> None:
        """A code that names nothing: said as it is to an admin, as OUT_OF_SCOPE to a unit user (who gets the
        same answer for a code of another unit)."""
        self.col_error(row, key, reason if self.allowed_org_ids is None else OUT_OF_SCOPE)

    def in_scope(self, row: Row, key: str, org_id: int | None) -> bool:
        if self.allowed_org_ids is None or org_id is None or org_id in self.allowed_org_ids:
            return True
        self.col_error(row, key, OUT_OF_SCOPE)
        return False


def chunked(values: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def fetch_by(session: Session, columns: list, key_column, keys: Iterable) -> list:
    """Rows whose key_column is in keys, in chunks (bound-parameter limits), never a query per key."""
    keys = list(set(keys))
    found = []
    for part in chunked(keys):
        found.extend(session.execute(select(*columns).where(key_column.in_(part))).all())
    return found


def fetch_by_tuple(session: Session, columns: list, key_columns: list, keys: Iterable[tuple]) -> list:
    keys = list(set(keys))
    found = []
    for part in chunked(keys, 300):
        found.extend(session.execute(select(*columns).where(tuple_(*key_columns).in_(part))).all())
    return found


def upsert(ctx: SheetContext, model, planned: dict[object, dict], existing: dict[object, object],
           compare: Iterable[str]) -> None:
    """Insert new keys, update changed ones (bulk, by primary key), count the unchanged ones."""
    compare = tuple(compare)
    inserts, updates, moved = [], [], set()
    for key, values in planned.items():
        current = existing.get(key)
        if current is None:
            inserts.append(values)
        elif all(getattr(current, f) == values[f] for f in compare):
            ctx.counter.unchanged += 1
        else:
            updates.append({"id": current.id, **values})
            moved.add((getattr(current, "round_id", None), getattr(current, "org_id", None)))
    if model.__tablename__ in LOCKED_TABLES:
        changed = {(v.get("round_id"), v.get("org_id")) for v in inserts + updates} | moved
        if not guard_locks(ctx, {p for p in changed if None not in p}):
            return
    ctx.counter.inserted += len(inserts)
    ctx.counter.updated += len(updates)
    for part in chunked(inserts, 5000):
        ctx.session.execute(insert(model), part)
    for part in chunked(updates, 5000):
        ctx.session.execute(update(model), part)


def guard_locks(ctx: SheetContext, pairs: set[tuple[int, int]]) -> bool:
    """False (each conflict reported, naming the org and who approved it) when the (round id, org id) pairs
    about to change include data that is 已审核 (data.approvals); the pipeline then rolls the file back."""
    conflicts = lock_conflicts(ctx.session, pairs)
    for code, message in conflicts:
        ctx.error(None, ctx.label("org_code"), code, message)
    return not conflicts


def check_keys(ctx: SheetContext, *keys: str, report: bool = True) -> list[tuple[Row, object]]:
    """(row, natural key) of every row whose key cells are all filled, duplicates reported (naming both
    rows) and left out. A single key column gives the bare value, several give a tuple."""
    seen: dict = {}
    out = []
    columns = "+".join(ctx.label(k) for k in keys)
    for row in ctx.rows:
        values = []
        for k in keys:
            value = (ctx.get(row, k, required=True) or "") if report else key_text(k, row.cells.get(k, ""))
            values.append(value)
        if not all(values):
            continue
        key = values[0] if len(values) == 1 else tuple(values)
        if key in seen:
            if report:
                ctx.error(row.number, columns, "/".join(values), f"与第 {seen[key]} 行重复（{columns}相同）")
            continue
        seen[key] = row.number
        out.append((row, key))
    return out
