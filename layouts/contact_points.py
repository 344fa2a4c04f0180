"""督导联系点 (docs/views.md): per supervision group its units and contact points, each contact point against the
rest of its unit, and the visits of the group (a form records one). Callbacks fill the choices."""
from __future__ import annotations

import json

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.components import titled_card, dropdown, page, select_col, table_card
from layouts.i18n import t

PATH = "/contact-points"  # the page's address (callbacks.shell.PAGES)


def layout(state: dict, lang: str) -> html.Div:
    return page(PATH, state, lang, "nav_contact_points", [
        html.Div(id=ids.ContactPoints.FILTERS, className="mb-3"),
        table_card("contact-points", t(lang, "cp_units"), state, lang, ids.ContactPoints.UNITS_TITLE),
    ], later=[
        table_card("contact-point-detail", t(lang, "cp_detail"), state, lang),
        html.Div(id=ids.ContactPoints.FORM),
        table_card("visits", t(lang, "cp_visits"), state, lang),
    ])


def group_filter(groups: list[str], state: dict, lang: str) -> dbc.Row:
    """The group choice: only the groups the user's scope reaches."""
    return dbc.Row(select_col(ids.ContactPoints.GROUP, t(lang, "group"), groups, state.get("group"),
                              t(lang, "all_groups"), lang), className="g-2")


def units_title(lang: str, low: int, high: int) -> str:
    """The units card's title with the round's 联系点下限 and 上限 (the rows flagged red)."""
    return t(lang, "cp_units_limits").format(low=low, high=high)


def point_value(group: str, code: str) -> str:
    return json.dumps([group, code], ensure_ascii=False)


def parse_point(value: str | None) -> tuple[str | None, str | None]:
    """The (group, org code) a choice names; anything malformed is (None, None), refused downstream."""
    try:
        group, code = json.loads(value or "")
        return str(group), str(code)
    except (ValueError, TypeError):
        return None, None


def visit_form(points: list[tuple[str, str, str]], today: str, lang: str) -> dbc.Card:
    """points: (group, code, name) of the contact points the user may record a visit for."""
    options = [{"label": f"{g} · {code} {name}", "value": point_value(g, code)} for g, code, name in points]
    return titled_card(t(lang, "visit_form"), dbc.CardBody([
        dbc.Row([
            dbc.Col([dbc.Label(t(lang, "visit_point"), html_for=ids.ContactPoints.POINT, className="small mb-0"),
                     dropdown(lang, id=ids.ContactPoints.POINT, options=options,
                              placeholder=t(lang, "visit_point_pick"), clearable=True)], md=8),
            dbc.Col([dbc.Label(t(lang, "visit_date"), html_for=ids.ContactPoints.DATE, className="small mb-0 d-block"),
                     dcc.DatePickerSingle(id=ids.ContactPoints.DATE, date=today, max_date_allowed=today,
                                          display_format="YYYY-MM-DD", first_day_of_week=1)], md=4),
        ], className="g-2 mb-2"),
        dbc.Row([
            dbc.Col([dbc.Label(t(lang, "visit_findings"), html_for=ids.ContactPoints.FINDINGS, className="small mb-0"),
                     dbc.Textarea(id=ids.ContactPoints.FINDINGS, rows=3, maxLength=2000)], md=6),
            dbc.Col([dbc.Label(t(lang, "visit_follow_up"), html_for=ids.ContactPoints.FOLLOW_UP,
                               className="small mb-0"),
                     dbc.Textarea(id=ids.ContactPoints.FOLLOW_UP, rows=3, maxLength=2000)], md=6),
        ], className="g-2 mb-2"),
        html.Div([dbc.Button(t(lang, "visit_save"), id=ids.ContactPoints.SAVE, color="primary", size="sm",
                             className="me-3"),
                  html.Span(id=ids.ContactPoints.MESSAGE, role="status")], className="d-flex align-items-center"),
    ]), "card-visit-form")
