"""导入: a check (dry run) of the uploaded bytes, then an explicit 确认导入 that imports those same bytes, kept
on the server under a random token held in the user's session (bytes re-sent by a browser are never taken
as already checked; import_uploads validates again anyway). Admins import anything, unit users only what
touches their own subtree, leaders and supervisors nothing — checked here on the server."""
from __future__ import annotations

import base64
import binascii
import json
import secrets
import shutil
import time
from pathlib import Path

from dash import Input, Output, State, dcc
from dash.exceptions import PreventUpdate
from flask import current_app, session
from flask_login import current_user
from werkzeug.utils import secure_filename

from callbacks import common
from dashboard import warmup
from web.auth import audit_event, db_session
from data.importers import TEMPLATES, ImportIssue, ImportResult, import_uploads, template_xlsx
from data.queries import visible_org_ids
from layouts import ids
from layouts.components import error_alert
from layouts.i18n import TEMPLATES_EN, t
from layouts.admin import access_denied
from layouts.imports import MAX_UPLOAD_MB, file_list, result_view

IMPORT_ROLES = ("admin", "unit")
MAX_BYTES = MAX_UPLOAD_MB * 1024 * 1024
PENDING_HOURS = 2  # an unconfirmed upload is dropped after this long
SESSION_KEY = "import_token"


def _refused(lang: str | None) -> str | None:
    """The reason the caller may not import, or None."""
    return None if common.role() in IMPORT_ROLES else t(lang, "import_refused")


def _allowed_org_ids() -> set[int] | None:
    """None (anything) for an admin; the org ids of a unit user's scope otherwise."""
    if common.role() == "admin":
        return None
    with db_session() as s:
        return set(s.scalars(visible_org_ids(common.scope())))


def _pending_root() -> Path:
    configured = current_app.config.get("PENDING_IMPORT_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "pending-imports"


def _pending_dir(token: str) -> Path:
    # Both parts are ours (a numeric user id, a hex token): no user text reaches the path. The user id
    # ties an upload to the user who checked it.
    return _pending_root() / f"u{int(current_user.get_id())}-{token}"


def _drop_stale() -> None:
    root = _pending_root()
    if root.is_dir():
        limit = time.time() - PENDING_HOURS * 3600
        for entry in root.iterdir():
            if entry.stat().st_mtime < limit:
                shutil.rmtree(entry, ignore_errors=True)


def _drop_pending() -> None:
    token = session.pop(SESSION_KEY, None)
    if token:
        shutil.rmtree(_pending_dir(token), ignore_errors=True)


def _keep(files: list[tuple[str, bytes]]) -> None:
    _drop_pending()
    _drop_stale()
    token = secrets.token_hex(16)
    folder = _pending_dir(token)
    folder.mkdir(parents=True)
    names = []
    for i, (name, data) in enumerate(files):
        (folder / f"{i}.bin").write_bytes(data)
        names.append(name)
    (folder / "names.json").write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    session[SESSION_KEY] = token


def _kept() -> list[tuple[str, bytes]] | None:
    token = session.get(SESSION_KEY)
    folder = _pending_dir(token) if token else None
    if folder is None or not folder.is_dir():
        return None
    names = json.loads((folder / "names.json").read_text(encoding="utf-8"))
    return [(name, (folder / f"{i}.bin").read_bytes()) for i, name in enumerate(names)]


MAX_FILES = 20  # per upload; more is refused, never processed


def _decode(contents: list[str], filenames: list[str]) -> list[tuple[str, bytes]]:
    # What the browser sends is checked, not trusted: a list of data URLs and a list of names, one each.
    if (not isinstance(contents, list) or not isinstance(filenames, list) or len(contents) != len(filenames)
            or not all(isinstance(x, str) for x in contents + filenames)):
        raise ValueError("上传内容无效，请重新选择文件")
    if len(contents) > MAX_FILES:
        raise ValueError(f"一次最多上传 {MAX_FILES} 个文件，请分批上传")
    files = []
    for content, name in zip(contents, filenames):
        _, _, payload = (content or "").partition(",")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"文件无法读取：{name}") from None
        # Only the base name is kept (it shows in the log); the path a browser sends means nothing here.
        files.append((Path(name or "").name or secure_filename(name or "") or "未命名文件", data))
    return files


def _errors(result: ImportResult) -> list[list]:
    """The listed errors as table rows; when there were more, a last row saying how many (the sheet
    downloaded from these rows then says it too)."""
    rows = [[e.file, e.sheet, e.row if e.row is not None else "", e.column, e.value, e.reason] for e in result.errors]
    if result.cut_note:
        rows.append(["", "", "", "", "", result.cut_note])
    return rows


def _import(files, dry_run: bool) -> ImportResult:
    return import_uploads(current_app.extensions["dashboard_sessions"], files, common.username(),
                          dry_run=dry_run, allowed_org_ids=_allowed_org_ids())


def check_upload(contents: list[str] | None, filenames: list[str] | None, lang: str | None):
    """(file list, result, confirm disabled, errors store, errors button style): the dry run of the upload."""
    if not contents:
        raise PreventUpdate
    hidden = {"display": "none"}
    refused = _refused(lang)
    if refused:
        return None, access_denied(refused), True, None, hidden
    try:
        files = _decode(contents, filenames if filenames is not None else [])
    except ValueError as exc:
        return None, error_alert(str(exc), lang), True, None, hidden
    listing = file_list([(name, len(data)) for name, data in files])
    total = sum(len(data) for _, data in files)
    if total > MAX_BYTES:
        _drop_pending()
        return listing, error_alert(f"文件过大：合计 {total / 1024 / 1024:.1f} MB，单次上传不能超过 "
                                    f"{MAX_UPLOAD_MB} MB，请分批上传。", lang), True, None, hidden
    result = _import(files, dry_run=True)
    if result.busy:
        _drop_pending()
        return listing, error_alert(result.errors[0].reason, lang), True, None, hidden
    audit_event("import_check", common.username(),
                f"{'、'.join(n for n, _ in files)}；{'通过' if result.accepted else f'{result.error_total} 处错误'}")
    if result.accepted:
        _keep(files)
    else:
        _drop_pending()
    errors = _errors(result)
    view = result_view(t(lang, "import_checking"), result.summary_lines(), result.accepted, errors, lang)
    return (listing, view, not result.accepted, errors or None,
            {} if errors else hidden)


def confirm_import(n_clicks: int | None, done: int | None, lang: str | None):
    """(result, confirm disabled, errors store, errors button style, done): import the checked bytes."""
    if not n_clicks:
        raise PreventUpdate
    hidden = {"display": "none"}
    refused = _refused(lang)
    if refused:
        return access_denied(refused), True, None, hidden, done or 0
    files = _kept()
    if not files:
        return error_alert("没有待导入的文件（可能已导入或已过期），请重新上传并校验。", lang), True, None, hidden, done or 0
    result = _import(files, dry_run=False)
    if result.busy:  # the checked bytes stay kept: the user clicks again a little later
        return error_alert(result.errors[0].reason, lang), False, None, hidden, done or 0
    _drop_pending()
    if result.accepted:  # the next click must not pay the index build (tables follow the data version)
        warmup.start(current_app.extensions["dashboard_read_sessions"])
    names = "、".join(n for n, _ in files)
    rows = sum(f.rows for f in result.files if f.accepted)
    audit_event("import", common.username(),
                f"{names}；{'已导入' if result.accepted else '已拒绝'}；{rows} 行；"
                + "；".join(f"{f.name} sha256={f.sha256[:12]}" for f in result.files))
    errors = _errors(result)
    title = "导入完成" if result.accepted else "导入被拒绝（数据在校验后发生了变化），未写入任何数据"
    return (result_view(title, result.summary_lines(), result.accepted, errors, lang), True, errors or None,
            {} if errors else hidden, (done or 0) + 1)


def errors_sheet(n_clicks: int | None, errors: list[list] | None):
    if not n_clicks or not errors:
        raise PreventUpdate
    issues = [ImportIssue(str(f), str(s), int(r) if str(r).isdigit() else None, str(c), str(v), str(why))
              for f, s, r, c, v, why in errors]
    return dcc.send_bytes(ImportResult([], issues).errors_xlsx(), "导入错误清单.xlsx")


def template_file(n_clicks: int | None, name: str | None):
    if not n_clicks or name not in TEMPLATES:
        raise PreventUpdate
    return dcc.send_bytes(template_xlsx(name), f"{name}_导入模板.xlsx")


def show_log(done: int | None, lang: str | None):
    """(log grid state, template options, default template). The log is a shared grid: admins see every
    import, unit users their own, the others nothing (callbacks.common.table decides on the server)."""
    options = [{"label": TEMPLATES_EN.get(n, n) if lang == "en" else n, "value": n} for n in TEMPLATES]
    store = {"table": "imports", "state": {"n": str(done or 0)}, "lang": lang or "zh"}
    # Always the store (never no_update): Dash renders the grid once this callback has answered.
    return store, options, next(iter(TEMPLATES), None)


def register(app) -> None:
    I = ids.Imports
    app.callback(Output(I.FILES, "children"), Output(I.RESULT, "children"), Output(I.CONFIRM, "disabled"),
                 Output(I.ERRORS, "data"), Output(I.ERRORS_BUTTON, "style"),
                 Input(I.UPLOAD, "contents"), State(I.UPLOAD, "filename"), State(ids.Shell.LANG, "data"),
                 prevent_initial_call=True)(check_upload)
    app.callback(Output(I.RESULT, "children", allow_duplicate=True),
                 Output(I.CONFIRM, "disabled", allow_duplicate=True),
                 Output(I.ERRORS, "data", allow_duplicate=True),
                 Output(I.ERRORS_BUTTON, "style", allow_duplicate=True), Output(I.DONE, "data"),
                 Input(I.CONFIRM, "n_clicks"), State(I.DONE, "data"), State(ids.Shell.LANG, "data"),
                 prevent_initial_call=True)(confirm_import)
    app.callback(Output(I.ERRORS_DOWNLOAD, "data"), Input(I.ERRORS_BUTTON, "n_clicks"), State(I.ERRORS, "data"),
                 prevent_initial_call=True)(errors_sheet)
    app.callback(Output(I.TEMPLATE_DOWNLOAD, "data"), Input(I.TEMPLATE_BUTTON, "n_clicks"),
                 State(I.TEMPLATE, "value"), prevent_initial_call=True)(template_file)
    app.callback(Output(ids.grid_state("imports"), "data"), Output(I.TEMPLATE, "options"), Output(I.TEMPLATE, "value"),
                 Input(I.DONE, "data"), State(ids.Shell.LANG, "data"))(show_log)
