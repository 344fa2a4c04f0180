"""`python -m dashboard …` (docs/cli.md): one click group. A command is a function of `args` (its options as
attributes) under the click decorators that declare them; commands of the layers above (the benchmark) are
added by the entry point, dashboard/__main__.py."""
from __future__ import annotations

import functools
import logging
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import click
from sqlalchemy.exc import DBAPIError

from data.db import make_engine, make_session_factory
from data.schema import upgrade
from domain.tables import VIEWS


@click.group(name="python -m dashboard", help="评议督导看板 command line")
def cli() -> None:
    pass


def _with_args(func):
    """Click passes options as keywords; the command bodies read them as `args.name`."""
    @functools.wraps(func)
    def callback(**options):
        return func(SimpleNamespace(**options))
    return callback


def _engine():
    return make_engine()


@cli.command("init-db", help="create or upgrade the schema")
@_with_args
def cmd_init_db(args) -> int:
    upgrade(_engine())
    print("schema is at the newest revision")
    return 0


@cli.command("demo", help="load a deterministic synthetic campaign")
@click.option("--scale", type=click.Choice(["small", "province"]), default="small", show_default=True)
@click.option("--seed", type=int, default=2012, show_default=True)
@click.option("--replace", is_flag=True,
              help="empty every data table first (users are kept); without it a non-empty database is refused")
@_with_args
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


@cli.command("import", help="import data files (all-or-nothing per file)")
@click.argument("paths", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="check every file, write nothing")
@_with_args
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
                     + "；".join(result.summary_lines()) + (f"；错误 {result.error_total} 条" if result.errors else ""))
    return 0 if result.accepted else 1


@cli.command("templates", help="write an example .xlsx per import template (rows that fit the demo)")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="folder")
@_with_args
def cmd_templates(args) -> int:
    from data.importers.examples import write_examples

    for path in write_examples(args.out):
        print(path)
    return 0


def _audit(action: str, detail: str) -> None:
    """The command line's imports and exports go into the same audit trail as the web's (user "cli")."""
    from data import audit

    with make_session_factory(_engine()).begin() as session:
        audit.record(session, action, "cli", detail, "cli")


@cli.command("export", help="export a view as xlsx or csv")
@click.argument("view", type=click.Choice(VIEWS), metavar="VIEW")
@click.option("--out", help="FILE.xlsx / FILE.csv, or a folder; default: the view, its filters and the date in "
                             "the current folder, e.g. 整改台账_教育系统_只看超期_2012-12-10.xlsx")
@click.option("--format", type=click.Choice(["xlsx", "csv"]), default="xlsx", help="when --out is a folder or omitted")
@click.option("--round")
@click.option("--system")
@click.option("--region")
@click.option("--org")
@click.option("--as-of", help="YYYY-MM-DD (default: today while the round runs, its end once it is over)")
# View filters, as the pages and the API take them.
@click.option("--status", help="状态, e.g. 整改中 / 推进中 / 未上报")
@click.option("--light", type=click.Choice(["红", "黄", "绿"]), help="灯 (rectifications)")
@click.option("--source", help="问题来源 (rectifications)")
@click.option("--overdue-only", is_flag=True, help="only 超期 / 逾期未兑现 items")
@click.option("--group", help="督导组 (contact-points, visits)")
@click.option("--limit", help="how many orgs (ranking; default 10)")
@click.option("--level", help="组织类型, e.g. 党支部 (ranking)")
@click.option("--grade", type=click.Choice(["好", "较好", "一般", "差"]), help="点评等次 (comments)")
@_with_args
def cmd_export(args) -> int:
    from dashboard.exports import export_bytes
    from dashboard.reports import ReportError
    from dashboard.views import build, request
    from domain.scope import EVERYTHING

    engine = _engine()
    upgrade(engine)
    params = {**vars(args), "overdue_only": "1" if args.overdue_only else None}
    out = Path(args.out) if args.out else None  # none: named like the web's (exports.export_filename)
    fmt = out.suffix.lower().lstrip(".") if out and not out.is_dir() else args.format
    if fmt not in ("xlsx", "csv"):
        print("--out must end in .xlsx or .csv", file=sys.stderr)
        return 2
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            # checked once, here: a bad value exits 1; no --as-of: the round's default (docs/cli.md)
            asked = request(args.view, params, EVERYTHING, session=session)
            table = build(args.view, session, asked)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if out is None or out.is_dir():
        from dashboard.exports import export_filename
        from domain.tables import VIEW_TITLES

        out = (out or Path.cwd()) / export_filename(VIEW_TITLES.get(args.view, args.view), table, fmt)
    out.write_bytes(export_bytes(table, fmt, exported_by="cli", exported_at=datetime.now()))
    filters = "；".join(f"{k}={v}" for k, v in table.filters.as_dict().items()) or "无"
    _audit("export", f"{table.title}；{fmt}；{len(table.rows)} 行；筛选 {filters}；截止 {table.as_of.isoformat()}；"
                     f"文件 {out.name}")
    print(f"{len(table.rows)} rows -> {out}")
    return 0


@cli.command("brief", help="write the 情况通报 (.docx) of a round")
@click.option("--out", required=True, help="FILE.docx")
@click.option("--round")
@click.option("--as-of", help="YYYY-MM-DD (default: today while the round runs, its end once it is over)")
@click.option("--group", help="督导组 (one of --group, --system, --region, --org at most)")
@click.option("--system")
@click.option("--region")
@click.option("--org", help="组织编码 (the org and its subtree)")
@_with_args
def cmd_brief(args) -> int:
    """The 情况通报 (.docx) of a round, as the whole campaign or narrowed to one group, system, region or org."""
    from dashboard import brief
    from dashboard.reports import ReportError
    from domain.scope import EVERYTHING

    engine = _engine()
    upgrade(engine)
    out = Path(args.out)
    if out.suffix.lower() != ".docx":
        print("--out must end in .docx", file=sys.stderr)
        return 2
    try:
        with make_session_factory(engine)() as session:
            req = brief.brief_request(vars(args), EVERYTHING, session=session)
            made = brief.make(session, req, EVERYTHING, "cli", datetime.now())
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out.write_bytes(made.data)
    _audit("export", made.summary.replace(made.filename, out.name))
    print(f"{made.title}（{made.scope_label}）-> {out}")
    return 0


def _as_user(args, verb: str, said, **options) -> int:
    """data.approvals.<verb> on the --org of the --round as the named active user, in one transaction; print
    said(state), or exit 1 with the message when it is refused (docs/roles.md: who may approve, unlock)."""
    from data import approvals
    from data.users import UserError, get_user, user_scope

    engine = _engine()
    upgrade(engine)
    try:
        with make_session_factory(engine).begin() as session:
            user = get_user(session, args.user)
            if not user.active:
                raise UserError(f"用户已停用：{args.user}")
            state = getattr(approvals, verb)(session, round_name=args.round, org_code=args.org,
                                             username=user.username, role=user.role, scope=user_scope(user),
                                             address="cli", **options)
    except (approvals.ApprovalError, UserError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.org}：{said(state)}")
    return 0


@cli.command("approve", help="逐级审核: approve (or --return with a reason) an org's round data as USER")
@click.option("--round", required=True)
@click.option("--org", required=True, help="组织编码")
@click.option("--return", "return_reason", help="退回 with this reason instead of approving")
@click.option("--user", required=True, help="the user acting (the level above, its 督导组 or an admin)")
@_with_args
def cmd_approve(args) -> int:
    return _as_user(args, "act", str, return_reason=args.return_reason)


@cli.command("unlock", help="逐级审核: reopen approved data (admins only), with a reason")
@click.option("--round", required=True)
@click.option("--org", required=True, help="组织编码")
@click.option("--user", required=True, help="an admin")
@click.option("--reason", required=True, help="why the approved data is reopened")
@_with_args
def cmd_unlock(args) -> int:
    return _as_user(args, "unlock", lambda state: f"已解锁（{state}）", reason=args.reason)


@cli.group("users", help="manage users")
def users() -> None:
    pass


_ROLES = click.Choice(["admin", "leader", "supervisor", "unit"])


@users.command("add", help="add a user; the password is read from standard input")
@click.argument("name")
@click.option("--role", required=True, type=_ROLES)
@click.option("--scope", multiple=True, help="org code, system:NAME, group:督导组名 or all (repeatable)")
def users_add(**options) -> int:
    return cmd_users(SimpleNamespace(users_cmd="add", **options))


@users.command("token", help="print a new API token for a user")
@click.argument("name")
def users_token(name: str) -> int:
    return cmd_users(SimpleNamespace(users_cmd="token", name=name))


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
                create_user(session, args.name, password, args.role, list(args.scope))
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


class _OneLine(logging.Formatter):
    """Log records as one line each: the user of the command line never sees a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().strip().splitlines()
        error = record.exc_info[1] if record.exc_info else None
        return (message[0] if message else "") + (f" ({error.__class__.__name__})" if error else "")


def main(argv: list[str] | None = None, commands=()) -> int:
    """Run the command line; returns the exit code. `commands`: click commands of the layers above."""
    for command in commands:
        cli.add_command(command)
    # Errors only (on the handler: psycopg sets its own logger to WARNING): a driver's warning about a
    # connection the server dropped is noise next to our message.
    handler = logging.StreamHandler()
    handler.setLevel(logging.ERROR)
    handler.setFormatter(_OneLine())
    logging.basicConfig(level=logging.ERROR, handlers=[handler])
    try:
        return cli.main(args=argv, prog_name="python -m dashboard", standalone_mode=False)
    except click.ClickException as exc:  # a usage error: the message and exit code 2, as argparse gave
        exc.show()
        return exc.exit_code
    except click.Abort:
        print("aborted", file=sys.stderr)
        return 1
    except DBAPIError as exc:  # the server is down, unreachable or dropped the connection
        cause = exc.orig or exc
        detail = (str(cause).strip().splitlines() or [""])[0]
        print(f"错误：数据库连接失败或中断，操作未完成（database error: {type(cause).__name__}: {detail}）",
              file=sys.stderr)
        return 1
