"""The import run: read every file, recognise its sheets, process files in dependency order, each file in
one transaction that commits only when all of its sheets are free of errors."""
from __future__ import annotations

import collections
import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from data.importers import (ballots, eval_sessions, ledgers, members, orgs, record, rework, rounds, supervision,
                            tallies)
from data.importers.fast_tallies import no_gc
from data.importers.base import MAX_ERRORS_SHOWN, FileReport, ImportIssue, ImportResult, Row, SheetContext
from data.importers.normalise import key_text, text
from data.importers.reading import FileError, read_sheets
from data.importers.templates import KEY_DEFAULTS, NATURAL_KEYS, ORDER, HeaderMatch, find_header
from data.models import ImportLog

log = logging.getLogger(__name__)
# One import at a time per process: each holds a whole file's cells in memory, so two large uploads at once
# could take the worker down with everyone's requests. A second one waits this long, then is told to retry.
IMPORT_WAIT_SECONDS = 15.0
BUSY = "服务器正在处理另一个导入，请稍后再试（未写入任何数据）"
_one_import = threading.Lock()
NOTE_SHEETS = ("说明", "instructions", "readme")

HANDLERS = {
    "评议批次": rounds.import_sheet,
    "组织架构": orgs.import_sheet,
    "党员名册": members.import_sheet,
    "督导分组": supervision.import_sheet,
    "测评场次": eval_sessions.import_sheet,
    "测评汇总": tallies.import_sheet,
    "原始测评表": ballots.import_sheet,
    "返工补课": rework.import_sheet,
    "承诺台账": ledgers.import_pledges,
    "整改台账": ledgers.import_rectifications,
    "领导点评": record.import_comments,
    "公示反馈": record.import_publications,
}


@dataclass
class ParsedSheet:
    """One recognised sheet: its raw cells and the indices of its non-blank rows below the header. The
    Row objects the per-row handlers read are built on first use only: the fast tally path reads the raw
    cells by column and never needs them."""
    name: str
    match: HeaderMatch
    raw: list[list[object]]
    numbers: list[int]  # 0-based indices into raw of the data rows (spreadsheet row = index + 1)
    _rows: list[Row] | None = None

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            columns, extras, raw = self.match.columns, self.match.extras, self.raw
            rows = []
            for index in self.numbers:
                cells = raw[index]
                get = lambda i: cells[i] if i < len(cells) else ""  # noqa: E731 - rows may be ragged
                rows.append(Row(index + 1, {key: get(i) for i, key in columns.items()},
                                {extra: get(i) for i, extra in extras.items()}))
            self._rows = rows
        return self._rows


@dataclass
class ParsedFile:
    report: FileReport
    sheets: list[ParsedSheet] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)  # problems found while reading

    @property
    def rank(self) -> int:
        return min((ORDER[s.match.template.name] for s in self.sheets), default=len(ORDER))


def _blank(cells: list[object]) -> bool:
    return all(text(c) == "" for c in cells)


def _data_rows(rows: list[list[object]], start: int) -> list[int]:
    """Indices of the rows from start on that are not blank. A row whose first cell is plain text with
    something in it is not blank; text() of any other first cell is remembered (a column repeats few
    distinct values), so a large sheet costs about one dict look-up per row."""
    seen: dict[object, bool] = {}
    out = []
    for index in range(start, len(rows)):
        cells = rows[index]
        if cells:
            first = cells[0]
            if type(first) is str:
                filled = seen.get(first)
                if filled is None:
                    filled = seen[first] = text(first) != ""
                if filled:
                    out.append(index)
                    continue
        if not _blank(cells):
            out.append(index)
    return out


def _clean_name(name: str) -> str:
    """An uploaded file's name as the import log can store it: no NUL, no lone surrogate."""
    return re.sub("[\ud800-\udfff]", "\ufffd", name.replace("\x00", ""))


def parse_file(name: str, data: bytes) -> ParsedFile:
    parsed = ParsedFile(FileReport(name=name, sha256=hashlib.sha256(data).hexdigest()))
    try:
        raw_sheets = read_sheets(name, data)
    except FileError as exc:
        parsed.issues.append(ImportIssue(name, "", None, "", "", str(exc)))
        return parsed
    except Exception as exc:  # noqa: BLE001 - a reader failing in a way nobody foresaw: still one clear issue
        log.exception("reading %s failed", name)
        parsed.issues.append(ImportIssue(name, "", None, "", "", f"无法读取文件：{exc.__class__.__name__}（详见服务器日志）"))
        return parsed
    unknown = []
    for raw in raw_sheets:
        if any(word in raw.name.lower() for word in NOTE_SHEETS):
            continue  # the instructions sheet of a template (it lists the headers, so it would match)
        match = find_header(raw.rows)
        if match is None:
            if not all(_blank(r) for r in raw.rows):
                unknown.append(raw.name)
            continue
        header_row = match.row_index + 1
        for dup in match.duplicates:
            parsed.issues.append(ImportIssue(name, raw.name, header_row, dup, dup, "表头列重复"))
        for odd in match.unknown:
            parsed.issues.append(ImportIssue(name, raw.name, header_row, odd, odd,
                                             "无法识别的计数列（可用：满意、基本满意、不满意、好、一般、差、比较满意、"
                                             "非常满意、非常不满意、优秀、合格、基本合格、不合格、不了解、弃权）"))
        if match.template.extra == "options" and not match.extras:
            parsed.issues.append(ImportIssue(name, raw.name, header_row, "", "", "测评汇总没有任何计数列"))
        parsed.sheets.append(ParsedSheet(raw.name, match, raw.rows, _data_rows(raw.rows, match.row_index + 1)))
    if not parsed.sheets and not parsed.issues:
        parsed.issues.append(ImportIssue(name, unknown[0] if unknown else "", None, "", "",
                                         "未识别出任何导入模板：表头须包含某一模板的全部必填列"))
    parsed.report.ignored_sheets = unknown if parsed.sheets else []
    parsed.sheets.sort(key=lambda s: ORDER[s.match.template.name])
    parsed.report.templates = list(dict.fromkeys(s.match.template.name for s in parsed.sheets))
    parsed.report.rows = sum(len(s.numbers) for s in parsed.sheets)
    return parsed


def _cross_sheet_duplicates(parsed: ParsedFile) -> list[ImportIssue]:
    """Rows of two sheets of the same template with the same natural key: each sheet checks its own
    rows, but across sheets the later one would silently overwrite the earlier (and flip back and forth
    on every re-import)."""
    issues = []
    seen: dict[tuple, tuple[str, int]] = {}
    per_template = collections.Counter(sheet.match.template.name for sheet in parsed.sheets)
    for sheet in parsed.sheets:
        if per_template[sheet.match.template.name] < 2:
            continue  # a sheet's own duplicates are its handler's to report
        template = sheet.match.template
        keys = NATURAL_KEYS[template.name]
        required = {c.key for c in template.required}
        columns = "+".join(sheet.match.labels.get(k) or next(c.label for c in template.columns if c.key == k)
                           for k in keys)
        for row in sheet.rows:
            values = tuple(key_text(k, row.cells.get(k, "")) or KEY_DEFAULTS.get(k, "") for k in keys)
            if any(not v for k, v in zip(keys, values) if k in required):
                continue  # the sheet's own check names the blank cell
            first = seen.setdefault((template.name, values), (sheet.name, row.number))
            if first[0] != sheet.name:
                issues.append(ImportIssue(parsed.report.name, sheet.name, row.number, columns, "/".join(values),
                                          f"与工作表“{first[0]}”第 {first[1]} 行重复（{columns}相同）"))
    return issues


def _process(session: Session, parsed: ParsedFile, username: str, now: datetime,
             allowed_org_ids: set[int] | None, dry_run: bool) -> list[ImportIssue]:
    """Run every sheet of one file in the session (no commit); the file's issues, empty when accepted."""
    issues = list(parsed.issues)
    report = parsed.report
    report.inserted = report.updated = report.unchanged = 0
    report.would_create_rounds = []
    if issues:
        return issues
    issues += _cross_sheet_duplicates(parsed)
    for sheet in parsed.sheets:
        ctx = SheetContext(session, report.name, sheet.name, sheet.match, lambda sheet=sheet: sheet.rows, issues,
                           username, now, allowed_org_ids, dry_run, table=(sheet.raw, sheet.numbers))
        try:
            HANDLERS[sheet.match.template.name](ctx)
        except SQLAlchemyError as exc:
            session.rollback()
            issues.append(ImportIssue(report.name, sheet.name, None, "", "",
                                      f"数据库写入失败，整个文件未导入：{exc.__class__.__name__}"))
            return issues
        report.inserted += ctx.counter.inserted
        report.updated += ctx.counter.updated
        report.unchanged += ctx.counter.unchanged
        report.would_create_rounds += [r for r in ctx.created_rounds if r not in report.would_create_rounds]
    # The user reads errors sheet by sheet, top to bottom (stable: a row's columns keep their order).
    rank = {sheet.name: i for i, sheet in enumerate(parsed.sheets)}
    issues.sort(key=lambda e: (rank.get(e.sheet, -1), e.row or 0))
    if not issues:
        templates = ",".join(report.templates)
        session.add(ImportLog(username=username[:80], imported_at=now, file_name=report.name[-300:],
                              sha256=report.sha256,
                              template=templates,
                              rows=report.rows, inserted=report.inserted, updated=report.updated,
                              unchanged=report.unchanged))
        session.flush()
    return issues


def import_uploads(session_factory: sessionmaker, files: list[tuple[str, bytes]], username: str,
                   dry_run: bool = False, allowed_org_ids: set[int] | None = None,
                   now: datetime | None = None) -> ImportResult:
    """Import uploaded files (name, bytes). Each file is all-or-nothing; files run in dependency order so a
    file may refer to what an earlier one of the same call creates. A dry run writes nothing at all. While
    another import runs in this process, waits up to IMPORT_WAIT_SECONDS, then rejects every file (BUSY)."""
    if not _one_import.acquire(timeout=IMPORT_WAIT_SECONDS):
        names = [_clean_name(name) for name, _ in files]
        return ImportResult([FileReport(name=n, sha256="", error_count=1) for n in names],
                            [ImportIssue(n, "", None, "", "", BUSY) for n in names], dry_run=dry_run, busy=True)
    try:
        return _import_uploads(session_factory, files, username, dry_run, allowed_org_ids, now)
    finally:
        _one_import.release()


def _import_uploads(session_factory: sessionmaker, files: list[tuple[str, bytes]], username: str,
                    dry_run: bool, allowed_org_ids: set[int] | None, now: datetime | None) -> ImportResult:
    now = now or datetime.now().replace(microsecond=0)
    # Our own copy: orgs a unit creates under its own are in its scope for the later files of this call.
    allowed_org_ids = set(allowed_org_ids) if allowed_org_ids is not None else None
    with no_gc():
        parsed = [parse_file(_clean_name(name), data) for name, data in files]
    order = sorted(range(len(parsed)), key=lambda i: (parsed[i].rank, i))
    errors: list[ImportIssue] = []
    accepted: list[ParsedFile] = []
    for i in order:
        current = parsed[i]
        session = session_factory()
        try:
            if dry_run:
                # Replay the files accepted so far (never committed) so this one sees what they would add.
                for earlier in accepted:
                    _process(session, earlier, username, now, allowed_org_ids, dry_run)
            issues = _process(session, current, username, now, allowed_org_ids, dry_run)
            if issues or dry_run:
                session.rollback()
            else:
                session.commit()
        except Exception as exc:  # noqa: BLE001 - whatever happens, the file is rejected cleanly
            session.rollback()
            log.exception("import of %s failed", current.report.name)
            issues = [ImportIssue(current.report.name, "", None, "", "",
                                  f"导入失败，整个文件未写入：{exc.__class__.__name__}（详见服务器日志）")]
        finally:
            session.close()
        current.report.accepted = not issues
        current.report.error_count = len(issues)
        if issues:
            errors.extend(issues)
        else:
            accepted.append(current)
    # _process recounted the replayed files; their own run's numbers are what the report shows.
    return ImportResult([p.report for p in parsed], errors[:MAX_ERRORS_SHOWN], dry_run=dry_run,
                        error_total=len(errors))


def import_files(session_factory: sessionmaker, paths: list[Path], username: str, dry_run: bool = False,
                 allowed_org_ids: set[int] | None = None, now: datetime | None = None) -> ImportResult:
    files, unreadable = [], []
    for path in paths:
        path = Path(path)
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            unreadable.append(ImportIssue(path.name, "", None, "", "", f"无法读取文件：{exc.strerror or exc}"))
    result = import_uploads(session_factory, files, username, dry_run, allowed_org_ids, now)
    for issue in unreadable:
        result.files.append(FileReport(name=issue.file, sha256="", accepted=False, error_count=1))
        result.errors.append(issue)
        result.error_total += 1
    return result
