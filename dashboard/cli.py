"""`python -m dashboard …` (SPEC §7)."""
from __future__ import annotations

import argparse
import logging
import sys
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from data.db import make_engine, make_session_factory
from data.schema import upgrade


def _engine():
    return make_engine()


def cmd_init_db(args) -> int:
    upgrade(_engine())
    print("schema is at the newest revision")
    return 0


def cmd_demo(args) -> int:
    from data.demo import load_demo

    engine = _engine()
    upgrade(engine)
    try:
        summary = load_demo(make_session_factory(engine), scale=args.scale, seed=args.seed,
                            replace=args.replace)
    except ValueError as exc:  # a database that already holds data: refuse with a message, not a trace
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def cmd_import(args) -> int:
    from data.importers import import_files

    engine = _engine()
    upgrade(engine)
    result = import_files(make_session_factory(engine), [Path(p) for p in args.paths],
                          username="cli", dry_run=args.dry_run)
    for line in result.summary_lines():
        print(line)
    for err in result.errors:
        print(err.cli_line(), file=sys.stderr)
    outcome = "试导入" if args.dry_run else ("已导入" if result.accepted else "已拒绝")
    _audit("import", f"{outcome}；文件 {', '.join(Path(p).name for p in args.paths)}；"
                     + "；".join(result.summary_lines()) + (f"；错误 {len(result.errors)} 条" if result.errors else ""))
    return 0 if result.accepted else 1


def _audit(action: str, detail: str) -> None:
    """The command line's imports and exports go into the same audit trail as the web's (user "cli")."""
    from data import audit

    with make_session_factory(_engine()).begin() as session:
        audit.record(session, action, "cli", detail, "cli")


def parse_date(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"--as-of: not a date (YYYY-MM-DD): {text}")


def cmd_export(args) -> int:
    from dashboard.exports import export_bytes
    from dashboard.reports import ReportError, build
    from domain.scope import EVERYTHING
    from domain.tables import Filters

    engine = _engine()
    upgrade(engine)
    extra = tuple((k, v) for k, v in (("status", args.status), ("light", args.light), ("source", args.source),
                                      ("overdue_only", "1" if args.overdue_only else None),
                                      ("group", args.group)) if v)
    filters = Filters(round=args.round, system=args.system, region=args.region, org=args.org, extra=extra)
    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        print("--out must end in .xlsx or .csv", file=sys.stderr)
        return 2
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            table = build(args.view, session, filters, parse_date(args.as_of), EVERYTHING)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out.write_bytes(export_bytes(table, fmt, exported_by="cli", exported_at=datetime.now()))
    filters = "；".join(f"{k}={v}" for k, v in table.filters.as_dict().items()) or "无"
    _audit("export", f"{table.title}；{fmt}；{len(table.rows)} 行；筛选 {filters}；截止 {table.as_of.isoformat()}；"
                     f"文件 {out.name}")
    print(f"{len(table.rows)} rows -> {out}")
    return 0


def cmd_users(args) -> int:
    from data import audit
    from data.users import UserError, create_user, issue_token
    from data.models import User
    from sqlalchemy import select

    engine = _engine()
    upgrade(engine)
    factory = make_session_factory(engine)
    try:
        with factory.begin() as session:
            if args.users_cmd == "add":
                password = sys.stdin.readline().rstrip("\r\n")
                create_user(session, args.name, password, args.role, args.scope or [])
                audit.record(session, "user", "cli", f"新增用户 {args.name}；角色 {args.role}；"
                                                     f"范围 {', '.join(args.scope or []) or '无'}", "cli")
                print(f"user {args.name} ({args.role}) created")
            else:
                user = session.scalar(select(User).where(User.username == args.name))
                if user is None:
                    raise UserError(f"no such user: {args.name}")
                token = issue_token(session, user)
                audit.record(session, "user", "cli", f"签发 API 令牌 {args.name}", "cli")
                print(token)
    except (UserError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser(commands=()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="评议督导看板 command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="create or upgrade the schema").set_defaults(func=cmd_init_db)

    p = sub.add_parser("demo", help="load a deterministic synthetic campaign")
    p.add_argument("--scale", choices=["small", "province"], default="small")
    p.add_argument("--seed", type=int, default=2012)
    p.add_argument("--replace", action="store_true",
                   help="empty every data table first (users are kept); without it a non-empty database is refused")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help="import data files (all-or-nothing per file)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(func=cmd_import)

    from domain.tables import VIEWS

    p = sub.add_parser("export", help="export a view as xlsx or csv")
    p.add_argument("view", choices=VIEWS)
    p.add_argument("--out", required=True)
    p.add_argument("--round")
    p.add_argument("--system")
    p.add_argument("--region")
    p.add_argument("--org")
    p.add_argument("--as-of")
    # View filters, as the pages and the API take them.
    p.add_argument("--status", help="状态, e.g. 整改中 / 推进中 / 未上报")
    p.add_argument("--light", choices=["红", "黄", "绿"], help="灯 (rectifications)")
    p.add_argument("--source", help="问题来源 (rectifications)")
    p.add_argument("--overdue-only", action="store_true", help="only 超期 / 逾期未兑现 items")
    p.add_argument("--group", help="督导组 (contact-points, visits)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("users", help="manage users")
    usub = p.add_subparsers(dest="users_cmd", required=True)
    a = usub.add_parser("add", help="add a user; the password is read from standard input")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["admin", "leader", "supervisor", "unit"])
    a.add_argument("--scope", action="append", help="org code, system:NAME, group:督导组名 or all")
    t = usub.add_parser("token", help="print a new API token for a user")
    t.add_argument("name")
    p.set_defaults(func=cmd_users)

    for add_command in commands:  # commands of the layers above, e.g. the benchmark (dashboard/__main__.py)
        add_command(sub)
    return parser


class _OneLine(logging.Formatter):
    """Log records as one line each: the user of the command line never sees a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().strip().splitlines()
        error = record.exc_info[1] if record.exc_info else None
        return (message[0] if message else "") + (f" ({error.__class__.__name__})" if error else "")


def main(argv: list[str] | None = None, commands=()) -> int:
    args = build_parser(commands).parse_args(argv)
    # Errors only (on the handler: psycopg sets its own logger to WARNING): a driver's warning about a
    # connection the server dropped is noise next to our message.
    handler = logging.StreamHandler()
    handler.setLevel(logging.ERROR)
    handler.setFormatter(_OneLine())
    logging.basicConfig(level=logging.ERROR, handlers=[handler])
    try:
        return args.func(args)
    except DBAPIError as exc:  # the server is down, unreachable or dropped the connection
        cause = exc.orig or exc
        detail = (str(cause).strip().splitlines() or [""])[0]
        print(f"错误：数据库连接失败或中断，操作未完成（database error: {type(cause).__name__}: {detail}）",
              file=sys.stderr)
        return 1
