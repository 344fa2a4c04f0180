"""用户 and 设置 · 评议批次 (admins only). Every callback checks the role on the server — a non-admin calling one
directly gets 无权访问 and nothing changes — and every change goes to the audit log."""
from __future__ import annotations

import secrets

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from flask import current_app

from callbacks import common
from domain.scope import ROLE_LABELS
from web.auth import audit_event, db_session, keep_this_session
from data import admin_queries as aq
from data import users as du
from data.lookups import round_names
from layouts import ids
from layouts.admin import access_denied, secret_alert
from layouts.components import error_alert
from layouts.i18n import t

FIELDS = tuple(aq.ROUND_FIELDS)


def _denied(lang: str | None):
    return None if common.role() == "admin" else access_denied(t(lang, "no_access"))


def _write():
    return current_app.extensions["dashboard_sessions"].begin()


def _ok(text: str) -> dbc.Alert:
    return dbc.Alert(text, color="success", className="mt-2 mb-0")


# ---------------------------------------------------------------------------------------- users
def users_store(refresh, lang: str | None) -> dict:
    """The users grid's state: a new refresh count re-reads the list (callbacks.tables renders, pages,
    exports it, and refuses it to non-admins on the server)."""
    return {"table": "users", "state": {"n": str(refresh or 0)}, "lang": lang or "zh"}


def show_users(refresh: int | None, lang: str | None):
    """(users grid state, user options, scope options for the add form, scope options for the edit form).
    Always the store (never no_update): Dash renders the grid once this callback has answered."""
    store = users_store(refresh, lang)
    if _denied(lang):
        return store, [], [], []
    with db_session() as s:
        users = du.list_users(s)
        choices = [{"label": label, "value": value} for value, label in du.grant_choices(s)]
    pick = [{"label": f"{u.username}（{u.display_name}）", "value": u.username} for u in users]
    return store, pick, choices, choices


def add_user(n_clicks, username, display, role, grants, password, password2, refresh, lang):
    """(message, refresh, password, repeat): create a user; a blank password is generated and shown once.
    The password fields are emptied once the user exists."""
    if not n_clicks:
        raise PreventUpdate
    denied = _denied(lang)
    if denied:
        return denied, refresh, "", ""
    typed = (password or "", password2 or "")  # kept in the form when the user cannot be created
    generated = not (password or password2)
    if not generated and password != password2:
        return error_alert("两次输入的密码不一致", lang), refresh, "", ""
    if generated:
        password = secrets.token_urlsafe(12)
    try:
        du.check_role_grants(role or "", list(grants or []))
        with _write() as s:
            du.create_user(s, username or "", password, role or "", list(grants or []),
                           display_name=(display or "").strip() or None)
    except (du.UserError, ValueError) as exc:
        return error_alert(str(exc), lang), refresh, *typed
    audit_event("user", common.username(), f"添加用户 {username.strip()}；角色 {role}；范围 {'、'.join(grants or []) or '无'}")
    if generated:
        return secret_alert(f"已添加用户 {username.strip()}，初始密码：", password, lang), (refresh or 0) + 1, "", ""
    return _ok(f"已添加用户 {username.strip()}"), (refresh or 0) + 1, "", ""


def pick_user(username: str | None):
    """The picked user's role and scope grants into the edit form."""
    if not username or common.role() != "admin":
        raise PreventUpdate
    with db_session() as s:
        try:
            user = du.get_user(s, username)
        except du.UserError:
            raise PreventUpdate from None
        return user.role, [du.grant_text(g.kind, g.value) for g in user.scopes]


ACTIONS = {ids.Users.SAVE: "save", ids.Users.RESET: "reset", ids.Users.DEACTIVATE: "deactivate",
           ids.Users.REACTIVATE: "reactivate", ids.Users.REVOKE: "revoke", ids.Users.TOKEN: "token"}


def user_action(action: str, username: str | None, role: str | None, grants: list[str] | None,
                lang: str | None):
    """One change of an existing user; the message to show (a new password or token shown once)."""
    denied = _denied(lang)
    if denied:
        return denied
    if not username:
        return error_alert("请先选择用户", lang)
    me = common.username()
    if username == me and (action == "deactivate" or (action == "save" and role != "admin")):
        return error_alert("不能停用自己的账号或取消自己的管理员角色（请由另一位管理员操作）", lang)
    try:
        with _write() as s:
            if action == "save":
                du.update_user(s, username, role=role, grants=list(grants or []))
                detail, message = f"修改用户 {username}；角色 {role}；范围 {'、'.join(grants or []) or '无'}", None
            elif action == "reset":
                secret = du.reset_password(s, username)
                keep_this_session(du.get_user(s, username))
                detail, message = f"重置密码 {username}", secret_alert(f"用户 {username} 的新密码：", secret, lang)
            elif action in ("deactivate", "reactivate"):
                du.set_active(s, username, action == "reactivate")
                detail = f"{'启用' if action == 'reactivate' else '停用'}用户 {username}"
                message = None
            elif action == "revoke":
                count = du.revoke_tokens(s, username)
                detail, message = f"撤销用户 {username} 的全部令牌（{count} 个）", None
            elif action == "token":
                secret = du.issue_token(s, du.get_user(s, username))
                detail, message = f"签发令牌 {username}", secret_alert(f"用户 {username} 的 API 令牌：", secret, lang)
            else:
                raise PreventUpdate
    except (du.UserError, ValueError) as exc:
        return error_alert(str(exc), lang)
    audit_event("user", me, detail)
    return message or _ok("已完成：" + detail)


def on_user_action(save, reset, deactivate, reactivate, revoke, token, username, role, grants, refresh, lang):
    action = ACTIONS.get(ctx.triggered_id)
    if action is None:
        raise PreventUpdate
    return user_action(action, username, role, grants, lang), (refresh or 0) + 1


# ---------------------------------------------------------------------------------------- rounds
def show_rounds(_mounted, lang: str | None):
    """The round picker's options, newest first (fires once when the page is mounted)."""
    if common.role() != "admin":
        return [], None
    with db_session() as s:
        names = round_names(s)
    return [{"label": n, "value": n} for n in names], (names[0] if names else None)


def _field_value(name: str, value):
    if value is None:
        return False if name == "working_days" else None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    # 2/3 shows as 0.666667; saving the form unchanged compares equal, so it is not logged as an edit.
    return round(value, 6) if isinstance(value, float) else value


def load_round(name: str | None, lang: str | None):
    """The round's profile into the form, the scale locked once it has tallies, and its change history."""
    denied = _denied(lang)
    if denied:
        return (*[None] * len(FIELDS), True, denied, history_store(None, lang))
    if not name:  # no round yet: the form stays as it is, the history grid still renders (empty)
        return (*[no_update] * len(FIELDS), no_update, no_update, history_store(None, lang))
    with db_session() as s:
        try:
            rnd, tallied = aq.round_profile(s, name)
        except aq.RoundEditError as exc:
            return (*[None] * len(FIELDS), True, error_alert(str(exc), lang), history_store(None, lang))
        values = [_field_value(f, getattr(rnd, f)) for f in FIELDS]
    return (*values, tallied, t(lang, "settings_scale_locked") if tallied else "", history_store(name, lang))


def history_store(name: str | None, lang: str | None, saved: int | None = None) -> dict:
    """The change-history grid's state: the round's changes (a new save count re-reads them)."""
    state = {"round": name, "n": str(saved) if saved else None}
    return {"table": "round-changes", "state": {k: v for k, v in state.items() if v}, "lang": lang or "zh"}


def save_round(n_clicks, name, *values_and_lang):
    """(message, history): save the form's fields; only the changed ones are logged."""
    *values, lang = values_and_lang
    if not n_clicks:
        raise PreventUpdate
    denied = _denied(lang)
    if denied:
        return denied, no_update
    if not name:
        return error_alert("请先选择评议批次", lang), no_update
    try:
        with _write() as s:
            rnd, _ = aq.round_profile(s, name)
            # Send only what differs from what is stored, so an unchanged (e.g. locked) field is no edit.
            given = dict(zip(FIELDS, values))
            current = {f: _field_value(f, getattr(rnd, f)) for f in FIELDS}
            changed = {f: v for f, v in given.items() if v != current[f]}
            changes = aq.update_round(s, name, changed, common.username()) if changed else []
            summary = "；".join(f"{aq.ROUND_FIELDS[c.field]} {c.old_value or '—'} → {c.new_value or '—'}"
                                for c in changes)
    except aq.RoundEditError as exc:
        return error_alert(str(exc), lang), no_update
    history = history_store(name, lang, n_clicks)
    if not changes:
        return dbc.Alert("没有修改", color="secondary", className="mt-2 mb-0"), history
    audit_event("round", common.username(), f"{name}：{summary}")
    return _ok(f"已保存：{summary}"), history


def register(app) -> None:
    U, S = ids.Users, ids.Settings
    lang = State(ids.Shell.LANG, "data")
    app.callback(Output(ids.grid_state("users"), "data"), Output(U.PICK, "options"), Output(U.NEW_SCOPES, "options"),
                 Output(U.SCOPES, "options"), Input(U.REFRESH, "data"), lang)(show_users)
    app.callback(Output(U.ADD_RESULT, "children"), Output(U.REFRESH, "data", allow_duplicate=True),
                 Output(U.NEW_PASSWORD, "value"), Output(U.NEW_PASSWORD2, "value"), Input(U.ADD, "n_clicks"), State(U.NEW_NAME, "value"), State(U.NEW_DISPLAY, "value"),
                 State(U.NEW_ROLE, "value"), State(U.NEW_SCOPES, "value"), State(U.NEW_PASSWORD, "value"),
                 State(U.NEW_PASSWORD2, "value"), State(U.REFRESH, "data"), lang,
                 prevent_initial_call=True)(add_user)
    app.callback(Output(U.ROLE, "value"), Output(U.SCOPES, "value"), Input(U.PICK, "value"),
                 prevent_initial_call=True)(pick_user)
    app.callback(Output(U.ACTION_RESULT, "children"), Output(U.REFRESH, "data", allow_duplicate=True),
                 *[Input(i, "n_clicks") for i in ACTIONS], State(U.PICK, "value"), State(U.ROLE, "value"),
                 State(U.SCOPES, "value"), State(U.REFRESH, "data"), lang,
                 prevent_initial_call=True)(on_user_action)
    app.callback(Output(S.ROUND, "options"), Output(S.ROUND, "value"), Input(S.ROUND, "id"), lang)(show_rounds)
    app.callback(*[Output(S.field(f), "value") for f in FIELDS], Output(S.field("scale"), "disabled"),
                 Output(S.SCALE_NOTE, "children"), Output(ids.grid_state("round-changes"), "data"),
                 Input(S.ROUND, "value"), lang)(load_round)
    app.callback(Output(S.RESULT, "children"),
                 Output(ids.grid_state("round-changes"), "data", allow_duplicate=True),
                 Input(S.SAVE, "n_clicks"), State(S.ROUND, "value"),
                 *[State(S.field(f), "value") for f in FIELDS], lang,
                 prevent_initial_call=True)(save_round)
