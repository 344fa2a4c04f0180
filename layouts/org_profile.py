"""单位画像 (docs/views.md): one org's figures, each with its N and a definition on hover, its trend over the
rounds of the same kind, links to its ledgers, the 认定 form, and its sub-orgs or evaluated members. The org
comes from the URL; callbacks.org_profile fills the parts and moves the page in place to another org."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.tables import DATE, INT, PERCENT
from layouts import ids, urlstate
from layouts.components import LOADING_BOX_CLASS, brief_button, format_value, nav, print_button, table_card
from layouts.i18n import LABELS, header, t, value
from layouts.overview import GRAPH_CONFIG
from layouts.plotly_text import plain

PATH = "/org"  # the page's address (callbacks.shell.PAGES)

NO_REWORK_ITEM = "低于红线无整改"  # dashboard.org_profile's flag column
VERDICT_TONES = {"确认低于": "text-danger", "疑似低于": "text-warning", "达标": "text-success"}
RECORD_TONES = {"逾期未公示": "text-danger", "未公示": "text-warning", "退回": "text-danger", "已审核": "text-success"}
COMMENT_COLUMNS = ("点评日期", "组织名称", "点评人", "点评等次", "点评意见")  # of the comments view, as shown here
WEAK_GRADES = ("一般", "差")


def value_text(lang: str, value) -> str:
    """A verdict or status as the language says it (data values such as names stay as they are)."""
    text = format_value(value)
    return t(lang, f"val_{text}") if f"val_{text}" in LABELS["zh"] else text


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        dcc.Store(id=ids.page(PATH).STATE, data=state),
        nav(PATH),
        dcc.Location(id=ids.Profile.URL, refresh=False), dcc.Store(id=ids.Profile.MOVE),
        html.Div(id=ids.Profile.BODY, style={"minHeight": "240px"}, className=LOADING_BOX_CLASS),
        html.Div(id=ids.Profile.TREND_BOX, className="profile-trend"),
        html.Div(id=ids.Profile.RECORD),
        html.Div(id=ids.Profile.REWORK_BOX, className="no-print"),
        html.Div(table_card("profile-children", t(lang, "profile_children"), state, lang), id=ids.Profile.CHILDREN_BOX),
    ], className="org-profile")


def profile_href(state: dict, code: str) -> str:
    return "/org" + urlstate.encode({**urlstate.shared(state), "org": str(code)})


def body(row: dict, metric: str, fmt: str, state: dict, lang: str) -> html.Div:
    """The header (name, place, buttons, ledger links, flag) and the figure cards of a profile row."""
    code = row["组织编码"]
    where = " · ".join(str(v) for v in (value(lang, row["组织类型"]), row["系统"], row["地区"]) if v)
    if row.get("上级组织"):
        where += f" · {t(lang, 'profile_parent')}{t(lang, 'colon')}{row['上级组织']}"
    keep = {**urlstate.shared(state), "org": code}
    links = [("profile_link_drill", "/drill", {}), ("profile_link_rect", "/rectifications", {}),
             ("profile_link_rect_overdue", "/rectifications", {"overdue_only": "1"}),
             ("profile_link_pledges", "/pledges", {}), ("profile_link_reporting", "/reporting", {})]
    buttons = html.Div([
        brief_button(PATH, {**state, "org": code}, lang),
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
        html.Nav([html.Span(t(lang, "profile_links") + t(lang, "colon"), className="small text-muted me-1")]
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
        _card("领导点评数", header(lang, "领导点评数"), val("领导点评数"),
              f"{header(lang, '公示状态')} {value(lang, row.get('公示状态'))} · "
              f"{header(lang, '审核状态')} {value(lang, row.get('审核状态'))}", t(lang, "def_comments"),
              "text-danger" if row.get("公示状态") == "逾期未公示" or row.get("审核状态") == "退回" else ""),
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
             "hovertemplate": "%{x}<br>" + plain(header(lang, data["metric"]))
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


def _publication(row: dict, lang: str) -> list:
    """公示状态 with its dates (how and to whom), or the day it is due."""
    parts = []
    if row.get("公示日期"):
        parts.append(t(lang, "profile_pub_published").format(day=format_value(row["公示日期"]))
                     + (f"（{row['公示方式']}）" if row.get("公示方式") else ""))
    if row.get("反馈日期"):
        parts.append(t(lang, "profile_pub_fed_back").format(day=format_value(row["反馈日期"]))
                     + (f"（{row['反馈对象']}）" if row.get("反馈对象") else ""))
    if not parts:
        due = row.get("公示截止日期")
        parts.append(t(lang, "profile_pub_due").format(day=format_value(due)) if due else t(lang, "profile_pub_no_due"))
    return parts


def _approval(row: dict, lang: str) -> list:
    parts = []
    if row.get("审核人"):
        parts.append(t(lang, "profile_appr_by").format(who=row["审核人"], at=row.get("审核时间") or "—"))
    if row.get("退回原因"):
        parts.append(t(lang, "profile_appr_reason").format(reason=row["退回原因"]))
    return parts


def _status_line(key: str, id_: str, state_value: str, details: list, lang: str) -> html.Div:
    return html.Div([html.Span(header(lang, key) + t(lang, "colon"), className="text-muted me-1"),
                     html.Strong(value(lang, state_value), className=RECORD_TONES.get(state_value, ""),
                                 **{"data-state": state_value}),
                     *[html.Span(" · " + d, className="small") for d in details]], id=id_, className="mb-1")


def record_part(row: dict, comments: list[dict], total: int, state: dict, lang: str) -> dbc.Card:
    """公示状态 with its dates, 审核状态 with who and when (or the 退回 reason), and the newest 领导点评 of the org
    and those under it; each links to the page that lists the whole (上报进度, 领导点评) filtered to the org."""
    keep = {**urlstate.shared(state), "org": row["组织编码"]}
    lines = html.Div([
        _status_line("公示状态", ids.Profile.PUBLICATION, row["公示状态"], _publication(row, lang), lang),
        _status_line("审核状态", ids.Profile.APPROVAL, row["审核状态"], _approval(row, lang), lang),
        dcc.Link(t(lang, "profile_record_link"), href="/reporting" + urlstate.encode(keep), className="small no-print"),
    ], className="mb-3")
    if comments:
        body = html.Table([
            html.Thead(html.Tr([html.Th(header(lang, c)) for c in COMMENT_COLUMNS])),
            html.Tbody([html.Tr([html.Td(value(lang, format_value(c[k]))) for k in COMMENT_COLUMNS],
                                className="table-danger" if c["点评等次"] in WEAK_GRADES else "") for c in comments]),
        ], className="table table-sm table-bordered small mb-1", id=ids.Profile.COMMENTS)
    else:
        body = html.P(t(lang, "profile_comments_none"), className="text-muted small mb-1", id=ids.Profile.COMMENTS)
    return dbc.Card(dbc.CardBody([
        html.H2(t(lang, "profile_record"), className="h6"),
        lines,
        html.H2(t(lang, "profile_comments").format(n=len(comments), total=total), className="h6"),
        body,
        dcc.Link(t(lang, "profile_comments_all"), href="/comments" + urlstate.encode(keep),
                 id=ids.Profile.COMMENTS_LINK, className="small no-print"),
    ]), className="shadow-sm mb-3 profile-record")
