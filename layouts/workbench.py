"""督导工作台 (docs/views.md): the supervisor's landing page. A group picker (the groups the user may open),
the 待办 list, and one row per supervised unit (the grid of view `scorecard`, callbacks.tables) whose cells
open the page that explains them, filtered to that unit. No data access: callbacks.workbench fills it."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids, urlstate
from layouts.components import (LOADING_BOX_CLASS, Later, brief_button, titled_card, dropdown, empty_state, format_value,
                                table_card)
from layouts.i18n import header, t

PATH = "/workbench"  # the page's address (callbacks.shell.PAGES)

OWN_KEYS = ("group", "as_of")  # what the page changes in place (the router leaves it alone)
# Where a cell leads: column name -> (page, extra filters); every link is filtered to the row's unit
# (org=…). A column not listed (the unit's code, name, 测评数 and rate) opens the unit's drill-down.
CELL_LINKS = {
    "红线判定": ("/redline", {}), "低于红线组织数": ("/redline", {}), "返工状态": ("/redline", {}),
    "超期整改数": ("/rectifications", {"overdue_only": "1"}),
    "逾期未兑现承诺数": ("/pledges", {"overdue_only": "1"}),
    "联系点数": ("/contact-points", {}), "未走访联系点数": ("/contact-points", {}), "联系点不足": ("/contact-points", {}),
    "上报完整率": ("/reporting", {}),
    # 领导点评: the comments of the unit's subtree; 公示状态: the unit's own dates and due day on its profile;
    # 公示逾期组织数: the expected orgs with their 公示状态 and 公示逾期.
    "领导点评数": ("/comments", {}), "公示状态": ("/org", {}), "公示逾期组织数": ("/reporting", {}),
}
# 待办 kinds (dashboard.scorecard) -> (label key, text key, page, extra filters).
TODO_KINDS = {
    "低于红线未认定": ("todo_below", "todo_below_text", "/redline", {}),
    "超期整改": ("todo_rect", "todo_rect_text", "/rectifications", {"overdue_only": "1"}),
    "逾期未兑现承诺": ("todo_pledge", "todo_pledge_text", "/pledges", {"overdue_only": "1"}),
    "逾期未上报": ("todo_report", "todo_report_text", "/reporting", {"status": "未上报"}),
    "联系点未走访": ("todo_visit", "todo_visit_text", "/contact-points", {}),
    "审核退回": ("todo_returned", "todo_returned_text", "/reporting", {}),
    "逾期未公示": ("todo_publish", "todo_publish_text", "/reporting", {}),
}
TODO_LIMIT = 30  # items listed; the rest are counted (the grid holds every unit)
ROW_PREFIX = "unit:"


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        dcc.Store(id=ids.page(PATH).STATE, data=state),
        dcc.Location(id=ids.Workbench.URL, refresh=False), dcc.Store(id=ids.Workbench.MOVE),
        html.Div([html.H1(t(lang, "nav_workbench"), className="h4 mb-0"),
                  html.Div(id=ids.Workbench.CONTROLS, className="d-flex flex-wrap gap-2 align-items-end no-print")],
                 className="d-flex flex-wrap justify-content-between align-items-end gap-2 mb-2"),
        html.P(id=ids.Workbench.HEADING, className="workbench-heading text-muted mb-3"),
        titled_card(t(lang, "todo"), dbc.CardBody(html.Div(id=ids.Workbench.TODO, className=LOADING_BOX_CLASS),
                                                  className="py-2"), "card-workbench-todo"),
        table_card("scorecard", t(lang, "wb_units"), state, lang),
        Later(PATH, [html.Div(id=ids.Workbench.PRINT, className="workbench-print")]),
    ], className="workbench")


def print_table(table, lang: str) -> html.Table:
    """Every unit and column as a plain table, printed instead of the grid (a grid draws only the columns
    in its viewport, so a printed grid loses those on the right)."""
    head = html.Thead(html.Tr([html.Th(header(lang, c.name)) for c in table.columns]))
    body = html.Tbody([html.Tr([html.Td(format_value(v, c.format)) for v, c in zip(row, table.columns)],
                               className="table-danger" if i in table.red_rows else "")
                       for i, row in enumerate(table.rows)])
    return html.Table([head, body], className="table table-sm table-bordered")


def controls(groups: list[str], group: str | None, state: dict, lang: str) -> list:
    """The group picker (only groups the user may open) and the 情况通报 of the group shown."""
    picker = html.Div([
        dbc.Label(t(lang, "group"), html_for=ids.Workbench.GROUP, className="small mb-0"),
        dropdown(lang, id=ids.Workbench.GROUP, options=[{"label": g, "value": g} for g in groups], value=group,
                 clearable=False, searchable=True, style={"minWidth": "14rem"}),
    ])
    return [picker, brief_button(PATH, {**urlstate.shared(state), "group": group}, lang)]


def heading(group: str, round_name: str, as_of: str, lang: str) -> str:
    colon = ": " if lang == "en" else "："
    return " · ".join(f"{t(lang, key)}{colon}{value}" for key, value in
                      (("group", group), ("round", round_name), ("as_of", as_of)))


def no_group(role: str | None, lang: str) -> html.Div:
    """The user may open no group in this round: say why and what to do."""
    return empty_state(lang, t(lang, "wb_no_group_supervisor" if role == "supervisor" else "wb_no_group"))


def empty_message(table, lang: str) -> str:
    """The group's scorecard has no row: it supervises no unit in the round."""
    return t(lang, "wb_no_units").format(group=dict(table.filters.extra).get("group", ""))


def link(state: dict, group: str | None, page: str, extra: dict, code: str) -> str:
    keep = urlstate.shared(state)
    if page == "/contact-points" and group:
        keep["group"] = group
    return page + urlstate.encode({**keep, **extra, "org": code})


def cell_target(state: dict, group: str | None, column: str, code: str) -> str:
    page, extra = CELL_LINKS.get(column, ("/drill", {}))
    return link(state, group, page, extra, code)


def row_id(state: dict, row: list) -> str:
    """The grid's row id: the unit it is of (callbacks.workbench reads it back on a click)."""
    return ROW_PREFIX + str(row[0])


def unit_of(row_id_: str | None) -> str | None:
    if isinstance(row_id_, str) and row_id_.startswith(ROW_PREFIX) and len(row_id_) > len(ROW_PREFIX):
        return row_id_[len(ROW_PREFIX):]
    return None


def todo_list(rows: list[tuple], state: dict, group: str | None, lang: str):
    """rows: (起始日期, 事项, 单位编码, 单位名称, 数量, 最久天数, 对象) newest first (dashboard.scorecard.todo)."""
    if not rows:
        return html.P(t(lang, "todo_none"), className="text-success mb-0 small", id="workbench-todo-none")
    items = []
    for since, kind, code, name, n, days, objects in rows[:TODO_LIMIT]:
        label, text, page, extra = TODO_KINDS[kind]
        items.append(dbc.ListGroupItem([
            html.Div([
                dbc.Badge(t(lang, label), color="danger" if kind != "联系点未走访" else "warning",
                          className="me-2 todo-kind"),
                dcc.Link(f"{name}（{code}）", href=link(state, group, page, extra, code), className="fw-semibold"),
                html.Span(f"{t(lang, 'wb_since')} {since}" if since else "", className="text-muted small ms-auto"),
            ], className="d-flex align-items-center flex-wrap gap-1"),
            html.Div(t(lang, text).format(n=n, days=days if days is not None else "—", objects=objects or ""),
                     className="small todo-text"),
        ], className="py-2 todo-item"))
    more = len(rows) - TODO_LIMIT
    tail = [html.P(t(lang, "todo_more").format(n=more), className="small text-muted mt-2 mb-0")] if more > 0 else []
    return html.Div([dbc.ListGroup(items, flush=True, id="workbench-todo-list"), *tail])
