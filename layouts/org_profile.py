"""单位画像 (docs/views.md): one org's figures, each with its N and a definition on hover, its trend over the
rounds of the same kind, links to its ledgers, the 认定 form, and its sub-orgs or evaluated members. The org
comes from the URL; callbacks.org_profile fills the parts and moves the page in place to another org."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.tables import DATE, INT, PERCENT
from layouts import ids, urlstate
from layouts.components import brief_button, format_value, print_button, table_card
from layouts.i18n import LABELS, header, t
from layouts.overview import GRAPH_CONFIG
from layouts.plotly_text import plain

NO_REWORK_ITEM = "低于红线无整改"  # dashboard.org_profile's flag column
VERDICT_TONES = {"确认低于": "text-danger", "疑似低于": "text-warning", "达标": "text-success"}


def value_text(lang: str, value) -> str:
    """A verdict or status as the language says it (data values such as names stay as they are)."""
    text = format_value(value)
    return t(lang, f"val_{text}") if f"val_{text}" in LABELS["zh"] else text


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        dcc.Store(id=ids.Shell.STATE, data=state),
        dcc.Location(id=ids.Profile.URL, refresh=False),
        dcc.Loading(html.Div(id=ids.Profile.BODY, style={"minHeight": "240px"}), type="circle", delay_show=150),
        html.Div(id=ids.Profile.TREND_BOX, className="profile-trend"),
        html.Div(id=ids.Profile.RECORD),  # leaders' comments and 公示状态 (to come)
        html.Div(id=ids.Profile.REWORK_BOX, className="no-print"),
        html.Div(table_card("profile-children", t(lang, "profile_children"), state, lang), id=ids.Profile.CHILDREN_BOX),
    ], className="org-profile")


def profile_href(state: dict, code: str) -> str:
    return "/org" + urlstate.encode({**urlstate.shared(state), "org": str(code)})


def body(row: dict, metric: str, fmt: str, state: dict, lang: str) -> html.Div:
    """The header (name, place, buttons, ledger links, flag) and the figure cards of a profile row."""
    code = row["组织编码"]
    where = " · ".join(str(v) for v in (row["组织类型"], row["系统"], row["地区"]) if v)
    if row.get("上级组织"):
        where += f" · {t(lang, 'profile_parent')}：{row['上级组织']}"
    keep = {**urlstate.shared(state), "org": code}
    links = [("profile_link_drill", "/drill", {}), ("profile_link_rect", "/rectifications", {}),
             ("profile_link_rect_overdue", "/rectifications", {"overdue_only": "1"}),
             ("profile_link_pledges", "/pledges", {}), ("profile_link_reporting", "/reporting", {})]
    buttons = html.Div([
        brief_button({**state, "org": code}, lang),
        print_button(lang, ids.Profile.PRINT),
    ], className="no-print d-flex")
    alone = (html.P(t(lang, "profile_no_children"), className="text-muted small", id="profile-no-children")
             if not row.get("下级组织数") and not row.get("参评党员数") else None)
    flag = (dbc.Alert(t(lang, "profile_no_rework_item"), color="danger", className="py-2 mb-2", id="profile-flag")
            if row.get(NO_REWORK_ITEM) == "是" else None)
    return html.Div([
        html.Div([html.Div([html.H1(f"{row['名称']}（{code}）", className="h4 mb-1", id="profile-title"),
                            html.Div(where, className="text-muted small")]), buttons],
                 className="d-flex justify-content-between align-items-start flex-wrap gap-2 mb-2"),
        html.Nav([html.Span(t(lang, "profile_links") + "：", className="small text-muted me-1")]
                 + [dcc.Link(t(lang, key), href=path + urlstate.encode({**keep, **extra}),
                             className="small me-3") for key, path, extra in links], className="mb-2 no-print"),
        flag,
        dbc.Row(cards(row, metric, fmt, lang), className="g-2 mb-2", id="profile-figures"),
        alone,
    ])


def _card(key: str, label: str, value: str, sub: str, definition: str, tone: str = "") -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody(html.Div([
        html.Div(label, className="kpi-label text-muted small"),
        html.Div(value, className=f"kpi-value {tone}", **{"data-figure": key}),
        html.Div(sub, className="small text-muted", **{"data-n": key}),
    ], title=definition, className="h-100")), className="h-100 shadow-sm kpi-card"), xs=6, md=4, xl=3,
        className="mb-2")


def cards(row: dict, metric: str, fmt: str, lang: str) -> list[dbc.Col]:
    """One card per figure: its value, its N (or what it counts) and its definition on hover. `metric`: the
    red-line metric's column, `fmt` its format (percent, or points for 测评得分)."""
    n = format_value(row["测评数"], INT)

    def val(name: str, kind: str = INT) -> str:
        return format_value(row.get(name), kind)

    interval = (f"{t(lang, 'profile_interval')} {val('置信下限', fmt)}–{val('置信上限', fmt)} · N={n}"
                if row.get("置信下限") is not None else f"N={n}")
    verdict = row.get("红线判定")
    reporting = row.get("上报状态")
    own_status = reporting if reporting in ("已上报", "逾期上报", "未上报") else None
    visits = t(lang, "profile_visits").format(visits=val("走访次数"), unvisited=val("未走访联系点数"))
    last_visit = f" · {t(lang, 'profile_last_visit')} {val('最近走访日期', DATE)}" if row.get("最近走访日期") else ""
    return [
        _card("测评数", header(lang, "测评数"), n, "", t(lang, "def_n")),
        _card(metric, header(lang, metric), f"{val(metric, fmt)} · {value_text(lang, verdict)}", interval,
              t(lang, "def_rate"), VERDICT_TONES.get(verdict, "")),
        _card("返工状态", header(lang, "返工状态"), value_text(lang, row.get("返工状态")), "", t(lang, "def_rework")),
        _card("整改问题数", f"{header(lang, '整改问题数')} / {header(lang, '整改措施数')}",
              f"{val('整改问题数')} / {val('整改措施数')}", "", t(lang, "def_measures")),
        _card("整改完成率", header(lang, "整改完成率"), val("整改完成率", PERCENT), f"N={val('整改措施数')}",
              t(lang, "def_completion")),
        _card("超期整改", header(lang, "超期整改"), val("超期整改"), f"N={val('整改措施数')}", t(lang, "def_overdue_rect"),
              "text-danger" if row.get("超期整改") else ""),
        _card("到期承诺", header(lang, "到期承诺"), val("到期承诺"), "", t(lang, "def_due")),
        _card("承诺兑现率", header(lang, "承诺兑现率"), val("承诺兑现率", PERCENT), f"N={val('到期承诺')}",
              t(lang, "def_pledge_rate")),
        _card("逾期未兑现", header(lang, "逾期未兑现"), val("逾期未兑现"), f"N={val('到期承诺')}",
              t(lang, "def_overdue_pledge"), "text-danger" if row.get("逾期未兑现") else ""),
        _card("联系点数", header(lang, "联系点"), val("联系点数"), visits + last_visit, t(lang, "def_contact")),
        _card("上报状态", header(lang, "上报状态"),
              value_text(lang, own_status) if own_status else val("上报完整率", PERCENT),
              f"{t(lang, 'profile_completeness')} {val('上报完整率', PERCENT)} · N={val('应上报组织数')}",
              t(lang, "def_reporting"), "text-danger" if own_status == "未上报" else ""),
    ]


def trend_figure(data: dict, lang: str) -> dict:
    """The org's red-line metric in each round of the kind, with its interval as error bars and the line."""
    points = [p for p in data["points"] if p["value"] is not None]
    percent = data["percent"]
    y = [p["value"] for p in points]
    trace = {"type": "scatter", "mode": "lines+markers", "x": [plain(p["round"]) for p in points], "y": y,
             "error_y": {"type": "data", "symmetric": False, "array": [p["high"] - p["value"] for p in points],
                         "arrayminus": [p["value"] - p["low"] for p in points], "color": "#6c757d"},
             "marker": {"size": 9, "color": ["#dc3545" if p["verdict"] in ("确认低于", "疑似低于") else "#0d6efd"
                                             for p in points]},
             "customdata": [[p["n"], value_text(lang, p["verdict"])] for p in points],
             "hovertemplate": "%{x}<br>" + plain(t(lang, "kpi_combined") if data["metric"] == "综合满意率" else data["metric"])
                              + (" %{y:.1%}" if percent else " %{y:.1f}") + "<br>N=%{customdata[0]} · %{customdata[1]}"
                              + "<extra></extra>"}
    shapes = []
    if points:
        line = points[-1]["redline"]
        shapes.append({"type": "line", "xref": "x domain", "x0": 0, "x1": 1, "yref": "y", "y0": line, "y1": line,
                       "line": {"dash": "dash", "color": "#dc3545", "width": 1}})
    return {"data": [trace], "layout": {
        "height": 260, "margin": {"l": 50, "r": 20, "t": 30, "b": 40}, "plot_bgcolor": "#fff", "paper_bgcolor": "#fff",
        "showlegend": False, "font": {"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
        "title": {"text": plain(t(lang, "profile_trend")), "x": 0.01, "font": {"size": 14}},
        "yaxis": {"tickformat": ".0%" if percent else "", "gridcolor": "#eee", "rangemode": "tozero"},
        "xaxis": {"automargin": True}, "shapes": shapes}}


def trend_part(data: dict, lang: str):
    if sum(1 for p in data["points"] if p["value"] is not None) < 2:
        return html.P(t(lang, "profile_trend_one"), className="text-muted small mb-3")
    return dbc.Card(dbc.CardBody(dcc.Graph(id=ids.Profile.TREND, figure=trend_figure(data, lang), config=GRAPH_CONFIG)),
                    className="shadow-sm mb-3")
