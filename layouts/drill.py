"""下钻 (docs/views.md): breadcrumb, the children of the current node, its item and evaluator-category
breakdowns. The node comes from the URL; callbacks fill the breadcrumb and the grids."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids, urlstate
from layouts.components import Later, region_options, select_col, table_card
from layouts.i18n import t, value

PATH = "/drill"  # the page's address (callbacks.shell.PAGES)

NODE_KEYS = ("system", "region", "org")


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        dcc.Store(id=ids.page(PATH).STATE, data=state),
        dcc.Location(id=ids.Drill.URL, refresh=False),
        dcc.Store(id=ids.Drill.MOVE), dcc.Store(id=ids.Drill.ASK),
        html.H1(t(lang, "nav_drill"), className="h4 mb-3"),
        html.Div(id=ids.Drill.PICKERS, className="mb-2"),
        html.Nav(html.Ol([], className="breadcrumb mb-0"), id=ids.Drill.BREADCRUMB,
                 **{"aria-label": "breadcrumb"}),
        html.Div(id=ids.Drill.REWORK_BOX),
        table_card("drilldown", t(lang, "children"), state, lang),
        Later(PATH, [table_card("items", t(lang, "items"), state, lang),
                     table_card("categories", t(lang, "categories"), state, lang)]),
    ])


def breadcrumb(path: list[tuple[str, dict]], state: dict, lang: str) -> html.Ol:
    """path: [(label, node keys of that level)]; the round, date and grid filters are kept on the way up."""
    keep = {k: v for k, v in state.items() if k not in NODE_KEYS and k != "filter"}  # the sort goes along
    items = []
    for i, (label, node) in enumerate(path):
        text = t(lang, "breadcrumb_all") if i == 0 else value(lang, label)
        if i == len(path) - 1:
            profile = ([" ", dcc.Link(f"› {t(lang, 'profile_open')}", id="drill-profile-link", className="small",
                                      href="/org" + urlstate.encode({**urlstate.shared(state), "org": node["org"]}))]
                       if node.get("org") else [])
            items.append(html.Li([text, *profile], className="breadcrumb-item active", **{"aria-current": "page"}))
        else:
            href = "/drill" + urlstate.encode({**keep, **node})
            items.append(html.Li(dcc.Link(text, href=href), className="breadcrumb-item"))
    return html.Ol(items, className="breadcrumb mb-0")


def pickers(systems: list[str], regions: list[tuple[str, str]], state: dict, lang: str) -> dbc.Row:
    """Jump straight to a system and/or region; the choices are what the user's scope may see."""
    return dbc.Row([
        select_col(ids.Drill.SYSTEM, t(lang, "system"), systems, state.get("system"), t(lang, "all_systems"), lang),
        select_col(ids.Drill.REGION, t(lang, "region"), region_options(regions), state.get("region"),
                   t(lang, "all_regions"), lang, md=5, lg=4),
    ], className="g-2")


def rework_form(org_label: str, order: dict | None, lang: str, at=ids.Drill) -> dbc.Card:
    """认定返工补课 for the org on screen: date of the 认定, the office, its 文件号, the 复评 deadline, a note.
    `at`: the page's ids (ids.Drill, ids.Profile), each page having the form under ids of its own."""
    order = order or {}

    def field(label_key: str, id_: str, value, kind: str = "text", width: int = 2):
        return dbc.Col([dbc.Label(t(lang, label_key), html_for=id_, className="small mb-0"),
                        dbc.Input(id=id_, type=kind, value=value or "", size="sm")], md=4, lg=width)

    return dbc.Card(dbc.CardBody([
        html.H2(f"{t(lang, 'rework_title')}{t(lang, 'colon')}{org_label}", className="h6"),
        dbc.Row([field("rework_date", at.REWORK_DATE, order.get("ordered_on"), "date"),
                 field("rework_due", at.REWORK_DUE, order.get("recheck_due"), "date"),
                 field("rework_office", at.REWORK_OFFICE, order.get("office")),
                 field("rework_doc", at.REWORK_DOC, order.get("doc_no")),
                 field("rework_note", at.REWORK_NOTE, order.get("note"), width=3),
                 dbc.Col(dbc.Button(t(lang, "rework_save"), id=at.REWORK_SAVE, size="sm", className="mt-4"),
                         md=2, lg=1)], className="g-2"),
        html.Div(id=at.REWORK_MESSAGE, className="small mt-2"),
    ]), className="shadow-sm my-3")
