"""上报进度 (docs/views.md): which orgs reported for the round, late or not at all, and 上报完整率 by system and
by 市/州 as a bar chart and a table. The status filter lives in the URL."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html
from plotly.subplots import make_subplots

from domain.tables import ReportTable
from layouts import ids
from layouts.components import LOADING_BOX_CLASS, titled_card, page, select_col, table_card
from layouts.i18n import phrase, t
from layouts.plotly_text import plain_all

PATH = "/reporting"  # the page's address (callbacks.shell.PAGES)

STATUSES = ("已上报", "逾期上报", "未上报")  # dashboard.ledger_reports.REPORTING_STATUSES
DIMENSIONS = ("系统", "市/州")


def layout(state: dict, lang: str) -> html.Div:
    return page(PATH, state, lang, "nav_reporting", [
        dbc.Row(select_col(ids.Reporting.STATUS, t(lang, "rep_status"), STATUSES, state.get("status"),
                           t(lang, "all_statuses"), lang), className="g-2 mb-3"),
        titled_card(t(lang, "rep_chart"), dbc.CardBody(html.Div(id=ids.Reporting.CHART_BOX,
                                                                  style={"minHeight": "340px"},
                                                                  className=LOADING_BOX_CLASS))),
        approval_tools(lang),
        table_card("reporting", t(lang, "rep_orgs"), state, lang),
    ], later=[
        table_card("reporting-completeness", t(lang, "rep_completeness"), state, lang),
    ])


def approval_tools(lang: str) -> dbc.Card:
    """逐级审核 of the rows ticked in the grid below: approve, or return with a reason."""
    return dbc.Card(dbc.CardBody([
        html.H2(t(lang, "appr_title"), className="h6"),
        html.P(t(lang, "appr_hint"), className="text-muted small mb-2"),
        dbc.Row([
            dbc.Col(dbc.Button(t(lang, "appr_approve"), id=ids.Reporting.APPROVE, color="success", size="sm"),
                    width="auto"),
            dbc.Col([dbc.Label(t(lang, "appr_reason"), html_for=ids.Reporting.REASON, className="visually-hidden"),
                     dbc.Input(id=ids.Reporting.REASON, placeholder=t(lang, "appr_reason"), maxLength=500,
                               size="sm")], md=5),
            dbc.Col(dbc.Button(t(lang, "appr_return"), id=ids.Reporting.RETURN, color="danger", outline=True,
                               size="sm"), width="auto"),
        ], className="g-2 align-items-center"),
        html.Div(id=ids.Reporting.APPROVAL_MESSAGE, className="small mt-2", role="status"),
    ]), className="mb-3 shadow-sm", id="reporting-approval")


def approval_message(done: list[str], refused: list[str], lang: str) -> html.Div:
    """What an approval click did: the orgs done, and each refusal with its reason."""
    parts = []
    if done:
        parts.append(html.Div(t(lang, "appr_done").format(n=len(done)) + t(lang, "colon") + t(lang, "list_sep").join(done),
                              className="text-success"))
    if refused:
        parts.append(html.Div([t(lang, "appr_refused").format(n=len(refused)),
                               html.Ul([html.Li(phrase(lang, r)) for r in refused], className="mb-0")], className="text-danger"))
    return html.Div(parts)


def completeness_figure(table: ReportTable, lang: str = "zh") -> go.Figure:
    """One bar per system and per 市/州 (rows of reports' 完整率 table: 维度, 名称, …, 上报完整率 last);
    the hover tells how many of how many reported."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=[phrase(lang, f"按{d}") for d in DIMENSIONS], horizontal_spacing=0.12)
    for col, dim in enumerate(DIMENSIONS, start=1):
        rows = [r for r in table.rows if r[0] == dim]
        fig.add_trace(go.Bar(
            x=plain_all(r[1] for r in rows), y=[r[6] for r in rows],
            marker_color=["#fd7e14" if r[5] else "#198754" for r in rows],  # amber: someone is missing
            customdata=[[r[2], r[3], r[4], r[5]] for r in rows],
            text=[f"{r[6]:.0%}" if r[6] is not None else "—" for r in rows], textposition="outside",
            hovertemplate="%{x}<br>" + t(lang, "rep_hover") + "<extra></extra>"), row=1, col=col)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.12], gridcolor="#eee")
    fig.update_xaxes(automargin=True, tickangle=-30)
    fig.update_layout(height=380, margin={"l": 50, "r": 20, "t": 40, "b": 90}, plot_bgcolor="#fff",
                      showlegend=False, font={"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"})
    return fig
