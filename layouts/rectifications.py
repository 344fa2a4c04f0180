"""整改台账 (docs/views.md): the filterable ledger with lights and 超期天数, the 超期 ageing chart and the
per-org summary. Filters live in the URL; callbacks.rectifications fills the filter bar and the chart."""
from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from domain import metrics
from layouts import ids
from layouts.components import LOADING_BOX_CLASS, titled_card, cover, page, region_options, select_col, table_card
from layouts.i18n import t, value

PATH = "/rectifications"  # the page's address (callbacks.shell.PAGES)


# Older bands are darker red: the longer an item is overdue, the more it needs attention.
BAND_COLOURS = dict(zip(metrics.AGEING_BANDS, ("#f1aeb5", "#e35d6a", "#b02a37", "#6a1a21")))


def layout(state: dict, lang: str) -> html.Div:
    return page(PATH, state, lang, "nav_rectifications", [
        html.Div(id=ids.Rectifications.FILTERS, className="mb-2"),
        dcc.Store(id=ids.Rectifications.MOVE), dcc.Store(id=ids.Rectifications.ASK),
        dcc.Store(id=ids.Rectifications.SHOWN),
        dcc.Location(id=ids.Rectifications.URL, refresh=False),
        html.P(t(lang, "light_legend"), className="text-muted small mb-2"),
        table_card("rectifications", t(lang, "rect_ledger"), state, lang),
    ], later=[
        dbc.Row([
            dbc.Col(titled_card(t(lang, "ageing"), dbc.CardBody([
                cover(),
                html.Div(id=ids.Rectifications.AGEING_BOX, className=LOADING_BOX_CLASS, style={"minHeight": "300px"}),
            ], className="position-relative")), lg=4),
            dbc.Col(table_card("rectification-summary", t(lang, "rect_summary"), state, lang), lg=8),
        ]),
    ])


def _select(id_, label: str, options, selected, placeholder: str, lang: str, width: int = 2) -> dbc.Col:
    return select_col(id_, label, options, selected, placeholder, lang, md=4, lg=width)


def filter_bar(page, systems: list[str], regions: list[tuple[str, str]], state: dict, lang: str,
               statuses: tuple[str, ...], lights: tuple[str, ...] = (), sources: tuple[str, ...] = ()) -> dbc.Row:
    """The ledger filters: system and region (choices limited to the scope), org subtree by code, status,
    light and source (when given: rectifications) and overdue-only. `page` is ids.Rectifications or
    ids.Pledges; the choice lists come from dashboard.ledger_reports through the callback."""
    cols = [
        _select(page.SYSTEM, t(lang, "system"), systems, state.get("system"), t(lang, "all_systems"), lang),
        _select(page.REGION, t(lang, "region"), region_options(regions),
                state.get("region"), t(lang, "all_regions"), lang),
        dbc.Col([dbc.Label(t(lang, "org_code"), html_for=page.ORG, className="small mb-0"),
                 dbc.Input(id=page.ORG, value=state.get("org") or "", debounce=True, size="sm",
                           placeholder=t(lang, "org_code_hint"), className="org-code-input")], md=4, lg=2),
        _select(page.STATUS, t(lang, "status"), statuses, state.get("status"), t(lang, "all_statuses"), lang),
    ]
    if lights:
        cols += [_select(page.LIGHT, t(lang, "light"), lights, state.get("light"), t(lang, "all_lights"), lang, 1),
                 _select(page.SOURCE, t(lang, "source"), sources, state.get("source"),
                         t(lang, "all_sources"), lang)]
    label = t(lang, "overdue_only" if lights else "overdue_pledges_only")
    cols.append(dbc.Col(dbc.Checklist(id=page.OVERDUE, options=[{"label": label, "value": "1"}],
                                      value=["1"] if state.get("overdue_only") else [], switch=True,
                                      className="mt-4"), md=4, lg=True))
    return dbc.Row(cols, className="g-2 align-items-start")


def ageing_figure(rows: list[list], lang: str) -> go.Figure:
    """Bars of 超期 rectifications per ageing band (rows of ledger_reports.rectification_ageing: all four
    bands in order, an empty one as a zero bar)."""
    colours = [BAND_COLOURS.get(r[0], "#dc3545") for r in rows]
    bands, counts = [value(lang, r[0]) for r in rows], [r[1] for r in rows]
    top = max([1, *counts])
    fig = go.Figure(go.Bar(x=bands, y=counts, marker_color=colours, text=counts, textposition="outside",
                           hovertemplate=t(lang, "ageing_hover") + "<extra></extra>"))
    fig.update_layout(height=300, margin={"l": 40, "r": 10, "t": 20, "b": 40}, plot_bgcolor="#fff",
                      font={"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"})
    # Whole items on the axis, room above the tallest bar for its label, and a visible axis when all are 0.
    fig.update_yaxes(title_text=t(lang, "kpi_overdue"), gridcolor="#eee", range=[0, top * 1.2],
                     dtick=max(1, math.ceil(top / 5)))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=bands)
    return fig
