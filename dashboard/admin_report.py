"""The 导入, 用户 and 设置 · 评议批次 pages' tables (import log, users, round changes) as ReportTables, so the
shared grid pages, sorts, filters and exports them like every other table. Who may read them is checked by
the caller (callbacks.common.table): users and round changes are admin-only; the import log is everyone's
for an admin and a unit user's own imports otherwise (`own`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from domain.scope import ROLE_LABELS
from domain.tables import INT, Column, Filters, ReportTable
from data import admin_queries as aq
from data import users as du

IMPORT_LOG, USERS, ROUND_CHANGES = "导入记录", "用户", "评议批次修改记录"
IMPORT_COLUMNS = [Column("导入时间"), Column("导入人"), Column("文件"), Column("模板"), Column("行数", INT),
                  Column("新增", INT), Column("更新", INT), Column("未变", INT), Column("SHA-256")]
USER_COLUMNS = [Column("用户名"), Column("姓名/单位"), Column("角色"), Column("查看范围"), Column("状态"),
                Column("有效令牌数", INT)]
CHANGE_COLUMNS = [Column("修改时间"), Column("评议批次"), Column("项目"), Column("原值"), Column("新值"),
                  Column("修改人")]


def _stamp(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def import_log_table(session: Session, state: dict, as_of: date, scope_label: str,
                     own: str | None = None) -> ReportTable:
    """Every import, newest first; only `own`'s imports when given (a unit user)."""
    rows = [[_stamp(r.imported_at), r.username, r.file_name, r.template, r.rows, r.inserted, r.updated,
             r.unchanged, r.sha256[:12]] for r in aq.import_log(session, own)]
    extra = (("导入人", own),) if own else ()
    return ReportTable(view="imports", title=IMPORT_LOG, columns=IMPORT_COLUMNS, rows=rows,
                       filters=Filters(extra=extra), as_of=as_of, scope=scope_label)


def users_table(session: Session, state: dict, as_of: date, scope_label: str) -> ReportTable:
    """Every user with role, scope, state and live API tokens (never a password or token hash)."""
    rows = [[u.username, u.display_name, ROLE_LABELS.get(u.role, u.role),
             "全部" if u.role == "admin" else "；".join(u.grants) or "无", "启用" if u.active else "已停用", u.tokens]
            for u in du.list_users(session)]
    return ReportTable(view="users", title=USERS, columns=USER_COLUMNS, rows=rows, filters=Filters(),
                       as_of=as_of, scope=scope_label)


def round_changes_table(session: Session, state: dict, as_of: date, scope_label: str) -> ReportTable:
    """The rule-profile changes of the round in the state (every round without one), newest first."""
    name = state.get("round") or None
    rows = [[_stamp(h.changed_at), h.round, h.field, h.old or "—", h.new or "—", h.changed_by]
            for h in aq.round_changes(session, name)]
    return ReportTable(view="round-changes", title=ROUND_CHANGES, columns=CHANGE_COLUMNS, rows=rows,
                       filters=Filters(round=name), as_of=as_of, scope=scope_label)
