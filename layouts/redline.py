"""红线/薄弱组织 (docs/views.md): 返工/补课 candidates with their reasons, and the funnel plot."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids, ranking
from layouts.components import LOADING_BOX_CLASS, Later, brief_button, titled_card, print_button, table_card
from layouts.i18n import header, t
from layouts.plotly_text import plain

PATH = "/redline"  # the page's address (callbacks.shell.PAGES)


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        dcc.Store(id=ids.page(PATH).STATE, data=state),
        html.Div([html.H1(t(lang, "nav_redline"), className="h4 mb-0"),
                  html.Div([brief_button(PATH, state, lang), print_button(lang, "redline-print")], className="d-flex")],
                 className="d-flex justify-content-between align-items-center mb-3"),
        table_card("redline", t(lang, "candidates"), state, lang),
        Later(PATH, [
            ranking.card(state, lang),
            titled_card(t(lang, "funnel"), dbc.CardBody([
                html.P(t(lang, "funnel_hint"), className="text-muted small mb-1"),
                html.Div(id=ids.Redline.FUNNEL_BOX, style={"minHeight": "420px"}, className=LOADING_BOX_CLASS),
            ])),
        ]),
    ])


def log_ticks(largest: float) -> dict:
    """Ticks of a log axis as plain numbers, 1, 2, 5, 10, 20, 50, 100, … up to the largest N (Plotly's own
    read 2, 5 and exponents, which nobody reads as 20 or 500)."""
    values, step = [], 1
    while step <= largest * 2:
        values += [step * f for f in (1, 2, 5) if step * f <= largest * 2]
        step *= 10
    return {"tickmode": "array", "tickvals": values, "ticktext": [f"{v:,}" for v in values]}


BAND_COLOURS = {"low998": "#dc3545", "low95": "#fd7e14", "ok": "#198754"}


def funnel_figure(data: dict, lang: str) -> dict:
    """Each org's rate against its N, with 95% and 99.8% limits around the pooled rate (reports.funnel),
    as a plain figure dict (see layouts.overview). customdata carries the org code, so a click opens that
    org's drill-down."""
    limits, points, pooled = data["limits"], data["points"], data["pooled"]
    traces = []
    for key, name, dash_style in (("95", t(lang, "limit95"), "dash"), ("998", t(lang, "limit998"), "dot")):
        for side in ("lower", "upper"):
            traces.append({"type": "scatter", "x": limits["n"], "y": limits[f"{side}{key}"], "mode": "lines",
                           "name": name, "line": {"color": "#6c757d", "dash": dash_style, "width": 1},
                           "hoverinfo": "skip", "showlegend": side == "lower"})
    if pooled is not None and limits["n"]:
        traces.append({"type": "scatter", "x": [limits["n"][0], limits["n"][-1]], "y": [pooled, pooled],
                       "mode": "lines", "name": f"{t(lang, 'pooled')} {pooled:.1%}", "hoverinfo": "skip",
                       "line": {"color": "#0d6efd", "width": 1.5}})
    traces.append({
        # SVG, not WebGL: office PCs and remote desktops often have no WebGL, and the points are capped
        # (reports.FUNNEL_MAX_POINTS) so SVG stays quick.
        "type": "scatter",
        "x": [p["n"] for p in points], "y": [p["rate"] for p in points], "mode": "markers",
        "name": t(lang, "orgs"),
        "marker": {"color": [BAND_COLOURS[p["band"]] for p in points], "size": 9 if len(points) <= 500 else 6,
                   "line": {"width": 0.5, "color": "#333"}},
        # The hover shows text, escaped; customdata keeps the raw code a click opens, and only it: with the name
        # too it was 185 KB of 红线's 445 KB at province (Dash's JSON writes a Han character in six bytes).
        "customdata": [[p["code"]] for p in points],
        "text": [plain(f"{p['name']}（{p['code']}）") for p in points],
        "hovertemplate": "%{text}<br>" + header(lang, data["metric"])
                         + f" %{{y:.1%}}{t(lang, 'with_n').format(n='%{x}')}<extra></extra>"})
    shapes, notes = [], []
    if data.get("redline") is not None:
        shapes.append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": data["redline"],
                       "y1": data["redline"], "line": {"dash": "dash", "color": "#dc3545", "width": 1}})
        notes.append({"text": f"{t(lang, 'redline_label')} {data['redline']:.1%}", "xref": "x domain", "x": 1, "xanchor": "right",
                      "yref": "y", "y": data["redline"], "yanchor": "top", "showarrow": False,
                      "font": {"color": "#dc3545", "size": 11}})
    return {"data": traces, "layout": {
        "height": 460, "margin": {"l": 60, "r": 20, "t": 20, "b": 50}, "plot_bgcolor": "#fff",
        "paper_bgcolor": "#fff", "legend": {"orientation": "h", "y": -0.15}, "hovermode": "closest",
        "clickmode": "event", "font": {"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
        "xaxis": {"title": {"text": t(lang, "n")}, "type": "log", "gridcolor": "#eee",
                  **log_ticks(max([p["n"] for p in points] + list(limits["n"]) + [10]))},
        "yaxis": {"title": {"text": header(lang, data["metric"])}, "tickformat": ".0%", "gridcolor": "#eee"},
        "shapes": shapes, "annotations": notes}}
