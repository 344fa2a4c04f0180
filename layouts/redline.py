"""红线/薄弱组织 (SPEC §5.3): 返工/补课 candidates with their reasons, and the funnel plot."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import metrics
from layouts import ids
from layouts.components import table_card
from layouts.i18n import t


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        dcc.Store(id=ids.Shell.STATE, data=state),
        html.H1(t(lang, "nav_redline"), className="h4 mb-3"),
        table_card("redline", t(lang, "candidates"), state, lang),
        dbc.Card([
            dbc.CardHeader(html.H2(t(lang, "funnel"), className="h6 mb-0")),
            dbc.CardBody([html.P(t(lang, "funnel_hint"), className="text-muted small mb-1"),
                          dcc.Loading(html.Div(id=ids.Redline.FUNNEL_BOX, style={"minHeight": "420px"}),
                                      type="circle", delay_show=150)]),
        ], className="mb-3 shadow-sm"),
    ])


def funnel_figure(data: dict, lang: str) -> go.Figure:
    """Each org's rate against its N, with 95% and 99.8% limits around the pooled rate (reports.funnel).
    customdata carries the org code, so a click opens that org's drill-down."""
    limits, points, pooled = data["limits"], data["points"], data["pooled"]
    fig = go.Figure()
    for key, name, dash_style in (("95", t(lang, "limit95"), "dash"), ("998", t(lang, "limit998"), "dot")):
        for side in ("lower", "upper"):
            fig.add_trace(go.Scatter(x=limits["n"], y=limits[f"{side}{key}"], mode="lines", name=name,
                                     line={"color": "#6c757d", "dash": dash_style, "width": 1},
                                     hoverinfo="skip", showlegend=side == "lower"))
    if pooled is not None and limits["n"]:
        fig.add_trace(go.Scatter(x=[limits["n"][0], limits["n"][-1]], y=[pooled, pooled], mode="lines",
                                 name=f"{t(lang, 'pooled')} {pooled:.1%}", hoverinfo="skip",
                                 line={"color": "#0d6efd", "width": 1.5}))
    if data.get("redline") is not None:
        fig.add_hline(y=data["redline"], line_dash="dash", line_color="#dc3545", line_width=1,
                      annotation_text=f"红线 {data['redline']:.1%}", annotation_position="bottom right")

    def colour(p):  # outside the lower 99.8% limit red, outside 95% amber (limits from dashboard.metrics)
        if pooled is None:
            return "#198754"
        if p["rate"] < metrics.funnel_limits(pooled, p["n"], 0.998)[0]:
            return "#dc3545"
        if p["rate"] < metrics.funnel_limits(pooled, p["n"], 0.95)[0]:
            return "#fd7e14"
        return "#198754"

    fig.add_trace(go.Scatter(
        x=[p["n"] for p in points], y=[p["rate"] for p in points], mode="markers", name=t(lang, "orgs"),
        marker={"color": [colour(p) for p in points], "size": 9, "line": {"width": 0.5, "color": "#333"}},
        customdata=[[p["code"], p["name"]] for p in points],
        hovertemplate="%{customdata[1]}（%{customdata[0]}）<br>" + data["metric"]
                      + " %{y:.1%}<br>测评数 %{x}<extra></extra>"))
    fig.update_layout(height=460, margin={"l": 60, "r": 20, "t": 20, "b": 50}, plot_bgcolor="#fff",
                      legend={"orientation": "h", "y": -0.15}, hovermode="closest", clickmode="event",
                      font={"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"})
    fig.update_xaxes(title_text=t(lang, "n"), type="log", gridcolor="#eee")
    fig.update_yaxes(title_text=data["metric"], tickformat=".0%", gridcolor="#eee")
    return fig

