"""设置 (docs/views.md, admins only): 用户 (users, roles, scopes, passwords, tokens) and 评议批次 (rounds and their
rule profiles, each change logged). No data access: callbacks.admin fills the options and tables."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.rules import REDLINE_METRICS, SCALES
from domain.scope import ROLE_LABELS, ROLES
from layouts import ids
from layouts.components import titled_card, dropdown, table_card
from layouts.i18n import t, value


def role_options(lang: str) -> list[dict]:
    return [{"label": f"{value(lang, ROLE_LABELS[r])} ({r})" if lang == "en" else f"{ROLE_LABELS[r]}（{r}）",
             "value": r} for r in ROLES]


def _options(lang: str, values) -> list[dict]:
    return [{"label": value(lang, v), "value": v} for v in values]


def _field(label: str, control, width: int = 4) -> dbc.Col:
    return dbc.Col(html.Div([dbc.Label(label, html_for=getattr(control, "id", None), className="small mb-1"),
                             control], className="mb-2"), md=width)


def users_layout(state: dict, lang: str) -> html.Div:
    U = ids.Users
    add = titled_card(t(lang, "users_add"), dbc.CardBody([
        dbc.Row([
            _field(t(lang, "username"), dbc.Input(id=U.NEW_NAME, autoComplete="off", maxLength=80), 3),
            _field(t(lang, "display_name"), dbc.Input(id=U.NEW_DISPLAY, maxLength=100), 3),
            _field(t(lang, "role"), dropdown(lang, id=U.NEW_ROLE, options=role_options(lang), value="unit",
                                             clearable=False), 2),
            _field(t(lang, "scopes"), dropdown(lang, id=U.NEW_SCOPES, multi=True, options=[]), 4),
        ]),
        dbc.Row([
            _field(t(lang, "password"), dbc.Input(id=U.NEW_PASSWORD, type="password",
                                                  autoComplete="new-password"), 3),
            _field(t(lang, "password2"), dbc.Input(id=U.NEW_PASSWORD2, type="password",
                                                   autoComplete="new-password"), 3),
            dbc.Col(dbc.Button(t(lang, "users_add_button"), id=U.ADD, color="primary", className="mt-4"), md=2),
        ]),
        html.Div(id=U.ADD_RESULT, role="status"),
    ]))
    edit = titled_card(t(lang, "users_edit"), dbc.CardBody([
        dbc.Row([
            _field(t(lang, "users_pick"), dropdown(lang, id=U.PICK, options=[], clearable=False), 3),
            _field(t(lang, "role"), dropdown(lang, id=U.ROLE, options=role_options(lang), clearable=False), 2),
            _field(t(lang, "scopes"), dropdown(lang, id=U.SCOPES, multi=True, options=[]), 7),
        ]),
        html.Div([
            dbc.Button(t(lang, "users_save"), id=U.SAVE, color="primary", className="me-2 mb-1"),
            dbc.Button(t(lang, "users_reset"), id=U.RESET, color="warning", outline=True, className="me-2 mb-1"),
            dbc.Button(t(lang, "users_deactivate"), id=U.DEACTIVATE, color="danger", outline=True,
                       className="me-2 mb-1"),
            dbc.Button(t(lang, "users_reactivate"), id=U.REACTIVATE, color="success", outline=True,
                       className="me-2 mb-1"),
            dbc.Button(t(lang, "users_revoke"), id=U.REVOKE, color="danger", outline=True, className="me-2 mb-1"),
            dbc.Button(t(lang, "users_token"), id=U.TOKEN, color="secondary", outline=True, className="mb-1"),
        ]),
        html.Div(id=U.ACTION_RESULT, role="status", className="mt-2"),
    ]))
    return html.Div([
        html.H1(t(lang, "users_title"), className="h4 mb-3"),
        dcc.Store(id=U.REFRESH, data=0),
        # The shared server-side grid (paged, sorted, filtered, exported); callbacks.admin refreshes its state.
        html.Div(table_card("users", t(lang, "users_list"), {"n": "0"}, lang), id=U.LIST),
        add, edit,
    ])


def secret_alert(text: str, secret: str, lang: str) -> dbc.Alert:
    """A new password or token, shown this once."""
    return dbc.Alert([html.Div(text), html.Code(secret, className="fs-6 user-select-all", id="shown-secret"),
                      html.Div(t(lang, "shown_once"), className="small text-muted mt-1")],
                     color="warning", className="mt-2 mb-0")


def _number(name: str, step: str = "any") -> dbc.Input:
    return dbc.Input(id=ids.Settings.field(name), type="number", step=step)


def settings_layout(state: dict, lang: str) -> html.Div:
    S = ids.Settings
    f = S.field
    form = dbc.CardBody([
        html.P(t(lang, "settings_hint"), className="text-muted small"),
        dbc.Row([
            _field(t(lang, "f_round"), dropdown(lang, id=S.ROUND, options=[], clearable=False), 6),
            _field(t(lang, "f_doc_no"), dbc.Input(id=f("doc_no"), maxLength=100), 6),
        ]),
        dbc.Row([
            _field(t(lang, "f_start_date"), dbc.Input(id=f("start_date"), type="date"), 4),
            _field(t(lang, "f_end_date"), dbc.Input(id=f("end_date"), type="date"), 4),
            _field(t(lang, "f_report_deadline"), dbc.Input(id=f("report_deadline"), type="date"), 4),
        ]),
        dbc.Row([
            _field(t(lang, "f_scale"), dropdown(lang, id=f("scale"), options=_options(lang, SCALES),
                                                clearable=False), 3),
            _field(t(lang, "f_redline_metric"), dropdown(lang, id=f("redline_metric"),
                                                         options=_options(lang, REDLINE_METRICS), clearable=False), 3),
            _field(t(lang, "f_redline"), _number("redline"), 3),
            _field(t(lang, "f_confidence"), _number("confidence"), 3),
        ]),
        html.Div(id=S.SCALE_NOTE, className="text-muted small mb-2"),
        dbc.Row([
            _field(t(lang, "f_min_sample"), _number("min_sample", "1"), 3),
            _field(t(lang, "f_warn_days"), _number("warn_days", "1"), 3),
            _field(t(lang, "f_anonymity_threshold"), _number("anonymity_threshold", "1"), 3),
            dbc.Col(dbc.Checkbox(id=f("working_days"), label=t(lang, "f_working_days"), value=False, className="mt-4"), md=3),
        ]),
        dbc.Row([
            _field(t(lang, "f_weight_s"), _number("weight_s"), 3),
            _field(t(lang, "f_weight_b"), _number("weight_b"), 3),
            _field(t(lang, "f_weight_u"), _number("weight_u"), 3),
            dbc.Col(dbc.Button(t(lang, "settings_save"), id=S.SAVE, color="primary", className="mt-4"), md=3),
        ]),
        html.Div(id=S.RESULT, role="status"),
    ])
    return html.Div([
        html.H1(t(lang, "settings_title"), className="h4 mb-3"),
        titled_card(t(lang, "settings_profile"), form),
        html.Div(table_card("round-changes", t(lang, "settings_history"), {}, lang), id=S.HISTORY),
    ])


def access_denied(message: str) -> dbc.Alert:
    """What a user without the role sees instead of an admin page (not an error of theirs)."""
    return dbc.Alert(message, color="warning", className="mt-4", id="access-denied")
