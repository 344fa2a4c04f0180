"""总览 (docs/views.md): KPI cards, charts by system and by region, the trend over rounds."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.tables import INT, PERCENT, ReportTable
from layouts import ids
from layouts.components import LOADING_BOX_CLASS, brief_button, empty_state, kpi_card, nav
from layouts.i18n import definition, header, scope_text, t, value
from layouts.plotly_text import plain_all

PATH = "/"  # the page's address (callbacks.shell.PAGES)

KPIS = (("参评人次", "kpi_participants", INT), ("满意率", "kpi_satisfied", PERCENT),
        ("综合满意率", "kpi_combined", PERCENT), ("返工/补课", "kpi_candidates", INT),
        ("承诺兑现率", "kpi_pledges", PERCENT), ("整改完成率", "kpi_rectified", PERCENT),
        ("超期整改", "kpi_overdue", INT))
BAD_WHEN_POSITIVE = ("返工/补课", "超期整改")
BY_SYSTEM, BY_REGION, TREND = ids.Overview.BY_SYSTEM, ids.Overview.BY_REGION, ids.Overview.TREND
GRAPH_CONFIG = {"displaylogo": False, "responsive": True}


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        dcc.Store(id=ids.page(PATH).STATE, data=state),
        nav(PATH),
        html.Div([html.H1(t(lang, "nav_overview"), className="h4 mb-0"), brief_button(PATH, state, lang)],
                 className="d-flex justify-content-between align-items-center mb-3"),
        html.Div(id=ids.Overview.BODY, style={"minHeight": "320px"}, className=LOADING_BOX_CLASS),
    ])


# Figures are plain dicts, which dcc.Graph takes as they are: building plotly.graph_objects figures
# validates every property and cost more than the whole overview query.
def _figure(trace: dict, title: str, shapes: list | None = None, annotations: list | None = None) -> dict:
    return {"data": [trace], "layout": {
        "title": {"text": title, "x": 0.01, "font": {"size": 15}}, "margin": {"l": 50, "r": 20, "t": 50, "b": 70},
        "height": 340, "plot_bgcolor": "#fff", "paper_bgcolor": "#fff", "showlegend": False,
        "font": {"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
        "yaxis": {"tickformat": ".0%", "range": [0, 1.05], "gridcolor": "#eee"},
        "xaxis": {"automargin": True, "ticklabelstandoff": 6},
        "shapes": shapes or [], "annotations": annotations or []}}


def _hover(lang: str, n_field: str) -> str:
    """The hover of a bar or a point: the name, 综合满意率 with its N."""
    return ("%{x}<br>" + header(lang, "综合满意率") + " %{y:.1%}"
            + t(lang, "with_n").format(n="%{" + n_field + "}") + "<extra></extra>")


def bar_figure(table: ReportTable, title: str, redline: float | None, lang: str = "zh") -> dict:
    """综合满意率 per group (last two columns of reports.overview's group tables: 测评数, 综合满意率)."""
    names = plain_all(row[1] for row in table.rows)  # system and region names come from imports
    ns = [row[-2] for row in table.rows]
    rates = [row[-1] for row in table.rows]
    keys = [row[0] for row in table.rows]  # system name / region code: where a click on the bar leads
    colors = ["#adb5bd" if r is None else "#dc3545" if redline is not None and r < redline else "#0d6efd"
              for r in rates]
    trace = {"type": "bar", "x": names, "y": rates, "marker": {"color": colors},
             "customdata": [list(pair) for pair in zip(keys, ns)],
             "text": [("—" if r is None else f"{r:.1%}") for r in rates], "textposition": "outside",
             "hovertemplate": _hover(lang, "customdata[1]")}
    shapes, notes = [], []
    if redline is not None:
        shapes.append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": redline,
                       "y1": redline, "line": {"dash": "dash", "color": "#dc3545"}})
        # On a white label, so it stays readable where it crosses a bar.
        notes.append({"text": f"{t(lang, 'redline_label')} {redline:.1%}", "xref": "x domain", "x": 1, "xanchor": "right",
                      "yref": "y", "y": redline, "yanchor": "middle", "showarrow": False,
                      "bgcolor": "rgba(255,255,255,0.9)", "font": {"color": "#dc3545", "size": 11}})
    return _figure(trace, title, shapes, notes)


def trend_figure(trend: list[dict], title: str, lang: str = "zh") -> dict:
    rates = [p["综合满意率"] for p in trend]
    trace = {"type": "scatter", "x": plain_all(p["round"] for p in trend), "y": rates, "mode": "lines+markers+text",
             "connectgaps": False, "cliponaxis": False, "text": [("—" if r is None else f"{r:.1%}") for r in rates],
             "textposition": "top center", "customdata": [p["测评数"] for p in trend],
             "hovertemplate": _hover(lang, "customdata")}
    return _figure(trace, title)


def body(data: dict, lang: str) -> html.Div:
    kpis, redline = data["kpis"], data.get("redline")
    ns = data.get("kpi_n") or {}
    cards = dbc.Row([kpi_card(t(lang, key), kpis.get(name), fmt,
                              "bad" if name in BAD_WHEN_POSITIVE and (kpis.get(name) or 0) > 0 else "",
                              ns.get(name), definition(lang, name))
                     for name, key, fmt in KPIS], className="g-3 mb-2", id="overview-kpis")
    if not kpis.get("参评人次") and not data["by_system"].rows:
        return html.Div([cards, empty_state(lang)])

    def graph(fig, gid, width=6):
        return dbc.Col(dbc.Card(dbc.CardBody(dcc.Graph(figure=fig, config=GRAPH_CONFIG, id=gid)),
                                className="shadow-sm h-100"), lg=width, className="mb-3")

    rework = data.get("返工状态") or {}
    rework_line = html.P(f"{header(lang, '返工状态')}{t(lang, 'colon')}" + " · ".join(
                             f"{value(lang, status)} {n}" for status, n in rework.items()),
                         className="small mb-2", id="overview-rework") if any(rework.values()) else None
    rect_line = html.P(t(lang, "rect_counts").format(problems=kpis.get("整改问题数") or 0,
                                                      measures=kpis.get("整改措施数") or 0),
                       className="small mb-2", id="overview-rect-counts") if kpis.get("整改措施数") else None
    return html.Div([
        cards, rect_line, rework_line,
        html.P(f"{t(lang, 'nav_overview')} · {t(lang, 'scope')}{t(lang, 'colon')}{scope_text(lang, data['scope'])} · "
               f"{t(lang, 'as_of')}{t(lang, 'colon')}{data['as_of']} · {definition(lang, '参评人次')}",
               className="text-muted small"),
        dbc.Row([graph(bar_figure(data["by_system"], t(lang, "by_system"), redline, lang), BY_SYSTEM),
                 graph(bar_figure(data["by_region"], t(lang, "by_region"), redline, lang), BY_REGION)]),
        html.P(t(lang, "bar_hint"), className="text-muted small"),
        dbc.Row([graph(trend_figure(data["trend"], t(lang, "trend"), lang), TREND, 12)]),
    ])
