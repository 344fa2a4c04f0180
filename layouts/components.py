"""Reusable pieces of the screen. Pure functions of the values they are given: no data access."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.gridmodel import col_id
from domain.tables import DATE, DECIMAL, INT, PERCENT, Column
from layouts import ids
from layouts.i18n import LABELS, VALUES_EN, definition, grid_phrases, header, phrase, t, value

PAGE_SIZE = 20
WIDE = {"名称": 200, "原因": 420, "最低测评项目": 220, "地区": 120, "系统": 130, "测评项目": 130, "参评人员类别": 140,
        # 督导联系点 / 数据质量: the text people read
        "说明": 460, "联系点": 280, "发现问题": 240, "跟进事项": 240, "单位名称": 180, "单位编码": 110, "联系点名称": 180, "组织名称": 200,
        # admin pages
        "查看范围": 220, "导入时间": 170, "修改时间": 170, "文件": 200, "评议批次": 240,
        # 领导点评 / 逐级审核
        "点评意见": 320, "点评人": 190, "点评日期": 110, "问题编号": 140, "退回原因": 240, "审核时间": 150,
        # a verdict is read whole: 确认低于, not 确认…
        "红线判定": 100,
        # a province's count of answers is read whole: 665,123, not 665,… (up to 1,234,567)
        "测评数": 104}
# So are a status and a verdict, in the reader's language: 已认定待复评, "Ordered, awaiting recheck"; "Confirmed
# below" (a dense grid keeps its own widths, DENSE_WIDE and DENSE_WIDE_EN, and shows a cut-off value on hover).
# Short Chinese values whose English is long: 组织类型's "General Party branch" was cut to "Party …" in 薄弱排名.
STATUS_WIDE = {"zh": {"返工状态": 128}, "en": {"返工状态": 210, "红线判定": 164, "组织类型": 170}}
LONG_TEXT = ("说明", "发现问题", "跟进事项", "联系点", "点评意见", "退回原因")  # a cut-off cell shows its whole text on hover
NUMERIC = (INT, PERCENT, DECIMAL)

# Cell formatters and colour rules live in assets/dashAgGridFunctions.js (verdicts, lights, reporting states).
_FORMATTERS = {PERCENT: "pct(params.value)", DECIMAL: "dec(params.value)", INT: "int(params.value)"}
_TEXT_FORMATTER = "txt(params.value, params.context)"
# A text cell's colour from its value: one class function rather than a rule per colour, each rule an expression
# dash-ag-grid interprets for every cell drawn (four times the work, docs/SCALING.md).
_TONE_CLASS = {"function": "toneClass(params.value)"}
# Columns whose cells say "needs action" by a rule of their own (督导工作台's counts, 联系点不足, 返工状态).
_ANY = {"cell-red": "params.value > 0"}
CELL_RULES = {"低于红线组织数": _ANY, "超期整改数": _ANY, "逾期未兑现承诺数": _ANY, "未走访联系点数": _ANY,
              "联系点不足": {"cell-red": "params.value === '是'"},
              "上报完整率": {"cell-amber": "params.value !== null && params.value < 1"},
              "返工状态": {"cell-red": "['逾期未复评', '复评仍低于'].indexOf(params.value) >= 0",
                       "cell-amber": "params.value === '待认定'"},
              # 督导工作台's record columns: no leader comment yet, results not (yet) published
              "领导点评数": {"cell-amber": "params.value === 0"}, "公示逾期组织数": _ANY,
              "公示状态": {"cell-red": "params.value === '逾期未公示'", "cell-amber": "params.value === '未公示'"}}
# Grids whose text cells hold the reports' sentences (数据质量's 说明, the red line's 原因): in English their
# cells are matched against labels.toml [phrases] as well (assets/dashAgGridFunctions.js txt).
PHRASE_GRIDS = ("quality", "quality-summary", "redline")
# Every rate with its N (issue 16 point 6): rate column -> the columns that may hold its N, and whether the
# rate is a share of countable things (shown "100.0% (7/7)") or of a survey's answers ("62.5% (N=24)"). A rate
# whose N is a visible column of its own (测评数 beside 综合满意率) is left alone; the N's of the contact points'
# rates and of 督导工作台's 上报完整率 are hidden columns (Column.hidden) kept for this.
RATE_N = {"承诺兑现率": (("到期承诺",), True), "整改完成率": (("整改措施数",), True),
          "按期完成率": (("完成措施数",), True), "上报完整率": (("应上报组织数", "应上报数"), True),
          "单位综合满意率": (("单位测评数",), False), "联系点综合满意率": (("联系点测评数",), False),
          "其余综合满意率": (("其余测评数",), False)}
RATE_N_WIDTH = 108  # "100.0% (7/7)" on one line; a wider N widens the column (flex)
COMPACT = ("单位编码", "联系点数", "测评数", "红线判定", "公示状态")
# Grids with many short columns (督导工作台: 16 of them) fit 1440 px with narrower cell padding (assets/app.css
# .dense-grid) and every column but the name wrapping its header.
DENSE = ("scorecard",)
PAD, COMPACT_PAD, DENSE_SAVING = 56, 52, 16
# A code or a name a little tighter than on other grids; a unit's 测评数 (督导工作台) as narrow as before WIDE's
# room for a province's: the 16 columns fit 1440 px.
DENSE_WIDE = {"单位编码": 84, "单位名称": 144, "测评数": 64}
# English words are longer and do not break: on a dense grid in English a few headers take a shorter form
# (the whole name and its definition show on hover), a header is as wide as its longest word, the columns
# of worded values as wide as their usual values, and the unit (code and name) stays pinned on the left
# while the rest scrolls when 1440 px is not enough. A text cell shows its whole value on hover.
DENSE_HEADERS_EN = {"超期整改数": "Rect. overdue", "上报完整率": "Reported", "公示状态": "Published",
                    "红线判定": "Verdict", "领导点评数": "Comments", "综合满意率": "Sat. + basic."}
DENSE_WIDE_EN = {"单位名称": 150, "红线判定": 130, "公示状态": 124, "返工状态": 124}
DENSE_PINNED = ("单位编码", "单位名称")

LOCALE_ZH = {
    "page": "第", "of": "/", "to": "至", "more": "更多", "next": "下一页", "previous": "上一页",
    "first": "首页", "last": "末页", "pageLastRowUnknown": "?", "noRowsToShow": "没有符合条件的数据",
    "loadingOoo": "加载中…", "filterOoo": "筛选…", "applyFilter": "应用", "resetFilter": "重置",
    "clearFilter": "清除", "equals": "等于", "notEqual": "不等于", "lessThan": "小于", "greaterThan": "大于",
    "lessThanOrEqual": "小于等于", "greaterThanOrEqual": "大于等于", "inRange": "介于", "inRangeStart": "从",
    "inRangeEnd": "到", "contains": "包含", "notContains": "不包含", "startsWith": "开头是", "endsWith": "结尾是",
    "blank": "为空", "notBlank": "不为空", "andCondition": "且", "orCondition": "或",
    "pageSizeSelectorLabel": "每页行数:", "ariaPageSizeSelectorLabel": "每页行数",
}


def format_value(value: Any, fmt: str = "text") -> str:
    """A value as a card or a tooltip shows it; None is "—" (no data), never 0."""
    if value is None or value == "":
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if fmt == PERCENT:
            return f"{value * 100:.1f}%"
        if fmt == DECIMAL:
            return f"{value:.2f}"
        if fmt == INT:
            return f"{int(value):,}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def json_cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _text_width(text: str) -> int:
    """Pixels a header needs: a CJK character is about twice as wide as a Latin one."""
    return sum(16 if ord(ch) >= 0x2E80 else 8 for ch in text)


def _word_width(text: str) -> int:
    """Pixels the longest word of an English header needs (a Latin letter of the header font: at most 9)."""
    return max((len(w) for w in text.split()), default=0) * 9


def column_defs(columns: list[Column], lang: str, sort: list[dict] = (), dense: bool = False) -> list[dict]:
    order = {s["colId"]: (i, s["sort"]) for i, s in enumerate(sort)}
    where = {col.name: col_id(i) for i, col in enumerate(columns)}
    saving = DENSE_SAVING if dense else 0
    wide = {**{k: v - saving for k, v in WIDE.items()}, **DENSE_WIDE} if dense else WIDE
    if not dense:
        wide = {**wide, **STATUS_WIDE["en" if lang == "en" else "zh"]}
    short = DENSE_HEADERS_EN if dense and lang == "en" else {}
    if short:
        wide = {**wide, **DENSE_WIDE_EN}
    defs = []
    for i, col in enumerate(columns):
        d: dict[str, Any] = {"field": col_id(i), "colId": col_id(i),
                             "headerName": short.get(col.name) or header(lang, col.name),
                             "headerTooltip": definition(lang, col.name) or header(lang, col.name)}
        n_field = next((where[n] for n in RATE_N.get(col.name, ((),))[0] if n in where), None)
        if col.format in NUMERIC:
            d.update(filter="agNumberColumnFilter", type="rightAligned",
                     valueFormatter={"function": _FORMATTERS[col.format]})
            if col.format == PERCENT and n_field:
                count = "true" if RATE_N[col.name][1] else "false"
                d["valueFormatter"] = {"function": f"pctn(params.value, params.data, '{n_field}', {count})"}
        else:
            d.update(filter="agTextColumnFilter", valueFormatter={"function": _TEXT_FORMATTER})
            if col.name not in CELL_RULES:
                d["cellClass"] = _TONE_CLASS
        if col.name in CELL_RULES:
            d["cellClassRules"] = CELL_RULES[col.name]
        if col.name in LONG_TEXT:
            d["tooltipValueGetter"] = {"function": _TEXT_FORMATTER}  # the whole text, in the reader's language
        if col.format == DATE:
            d["filter"] = "agTextColumnFilter"
        d["minWidth"] = max(wide.get(col.name, 90 - saving), _text_width(d["headerName"]) + PAD - saving)
        if col.name in CELL_RULES or col.name in COMPACT or (dense and col.name not in WIDE):
            # short values under a long header: wrap the header
            # Chinese wraps anywhere (half the header a line); English wraps between words, so a dense grid
            # (督导工作台 at 1440 px) makes room for the longest word only.
            need = (_word_width(d["headerName"]) if dense and lang == "en"
                    else _text_width(d["headerName"]) // 2)
            d.update(wrapHeaderText=True, autoHeaderHeight=True,
                     minWidth=max(wide.get(col.name, 80 - saving), need + COMPACT_PAD - saving))
            d["width"] = d["minWidth"]  # a pinned first column does not flex: it would keep AG Grid's 200 px
        if n_field:
            d["minWidth"] = max(d["minWidth"], RATE_N_WIDTH - saving)  # the rate and its N on one line
            if "width" in d:
                d["width"] = d["minWidth"]
        if col.hidden:
            d["hide"] = True
        if short and col.format not in NUMERIC:
            d["tooltipValueGetter"] = {"function": _TEXT_FORMATTER}
        if i == 0 or (short and col.name in DENSE_PINNED):
            d["pinned"] = "left"
        if d["colId"] in order:  # the sort a link carried
            d["sortIndex"], d["sort"] = order[d["colId"]]
        defs.append(d)
    return defs


def report_grid(table_name: str, columns: list[Column], lang: str, clickable: bool = False,
                sort: list[dict] = (), filters: dict | None = None, selectable: bool = False) -> dag.AgGrid:
    """A grid whose rows, sort, filter and paging all come from the server (infinite row model),
    starting from the sort and filter a link carried; `selectable`: a tick box per row (逐级审核)."""
    options = {
        "pagination": True, "paginationPageSize": PAGE_SIZE, "paginationPageSizeSelector": False,
        "cacheBlockSize": PAGE_SIZE, "maxBlocksInCache": 20, "domLayout": "autoHeight",
        # One block asked at a time: the grid's row request is one Dash property, so a second request sent
        # before the first is answered would replace it (printing asks for every block at once, assets/print.js).
        "maxConcurrentDatasourceRequests": 1,
        "tooltipShowDelay": 300, "enableCellTextSelection": True,
        "suppressMovableColumns": True,  # the export's columns are the report's: keep the screen the same
    }
    if lang != "en":
        options["localeText"] = LOCALE_ZH
    else:  # the reports' Chinese values (verdicts, statuses, …) read in English: assets/dashAgGridFunctions.js txt
        options["context"] = {"values": VALUES_EN,
                              **({"phrases": grid_phrases()} if table_name in PHRASE_GRIDS else {})}
    if selectable:  # the infinite model cannot tick every row at once: no header box
        options["rowSelection"] = {"mode": "multiRow", "checkboxes": True, "headerCheckbox": False,
                                   "enableClickSelection": False}
    return dag.AgGrid(
        id=ids.grid(table_name),
        columnDefs=column_defs(columns, lang, sort, dense=table_name in DENSE),
        filterModel=filters or {},
        defaultColDef={"sortable": True, "resizable": True, "flex": 1,
                       "filterParams": {"maxNumConditions": 1, "buttons": ["reset"]}},
        rowModelType="infinite",
        getRowId="params.data._id",
        rowClassRules={"row-red": "redRow(params.data)"},
        dashGridOptions=options,
        className="report-grid" + (" clickable" if clickable else "") + (" dense-grid" if table_name in DENSE else ""),
        style={"width": "100%"},
    )


def export_buttons(table_name: str, lang: str) -> html.Div:
    return html.Div([
        dbc.Button(t(lang, "export_xlsx"), id=ids.export(table_name, "xlsx"), size="sm", color="success",
                   outline=True, className="me-2"),
        dbc.Button(t(lang, "export_csv"), id=ids.export(table_name, "csv"), size="sm", color="secondary",
                   outline=True),
    ], className="export-buttons mb-2")


BRIEF_KEYS = ("round", "as_of", "group", "system", "region", "org")  # what GET /api/v1/brief takes


def brief_href(state: dict) -> str:
    """GET /api/v1/brief of what the page shows: its round, date and narrowest node (a group first)."""
    node = next((k for k in ("group", "org", "region", "system") if state.get(k)), None)
    keys = [k for k in BRIEF_KEYS if k in ("round", "as_of") or k == node]
    query = urlencode({k: state[k] for k in keys if state.get(k)})
    return "/api/v1/brief" + (f"?{query}" if query else "")


def brief_button(path: str, state: dict, lang: str) -> html.A:
    """情况通报 of what the page at `path` shows: a plain link to the API (the session cookie logs it in), so the
    browser downloads the .docx as it does any file."""
    return html.A(t(lang, "brief_download"), href=brief_href(state),
                  className="btn btn-outline-primary btn-sm no-print brief-button", id=ids.page(path).BRIEF,
                  download="")


def page(path: str, state: dict, lang: str, title_key: str, children: list, later: list | None = None) -> html.Div:
    """The page at `path`: its state store, its title, then its own parts; `later`: the parts below the one the
    user looks at first, built and drawn once that one is on screen (Later)."""
    return html.Div([
        dcc.Store(id=ids.page(path).STATE, data=state),
        html.H1(t(lang, title_key), className="h4 mb-3"),
        *children,
        Later(path, later) if later else nav(path),
    ])


def nav(path: str) -> dcc.Location:
    """The link of the page at `path` to the address bar (ids.page NAV): its callbacks write another page or
    query here."""
    return dcc.Location(id=ids.page(path).NAV, refresh="callback-nav")


LATER_CLASS = "page-later"  # with "stale" while the parts show the figures of before (callbacks.drill.dim)


class Later(html.Div):
    """The parts of a page below the one the user looks at first. The page's request leaves them out; the
    browser asks for them once the grids above have painted their rows (assets/clientside.js shell.later,
    callbacks.shell.later_parts). The first request then does only the work of what the user looks at (a
    province's 整改台账 spent most of its time on the summary and the ageing chart below the ledger), and the
    first grid's rows are not held back by the set-up of every other grid and chart (docs/SCALING.md).
    On the wire: the page's link to the address bar (its NAV), the box the parts come into, and two stores:
    the browser's ask and the address the parts came built for (asked again when the user moved on while
    they were computed)."""

    def __init__(self, path: str, parts: list):
        own = ids.page(path)
        super().__init__([nav(path), dcc.Store(id=own.LATER_ASK), dcc.Store(id=own.LATER_BUILT),
                          html.Div(id=own.LATER, className=LATER_CLASS)])
        self.parts = parts  # not children: the page's request neither builds nor sends them


# A card's grid box and a chart's or other part's box: assets/app.css dims either while it is computed.
GRID_BOX_CLASS, LOADING_BOX_CLASS = "grid-box", "loading-box"
COVER_CLASS = "part-cover"


def cover() -> html.Div:
    """Laid over its card's body (position-relative) while the page's later parts show the figures of before,
    until their own request brings the new ones (callbacks.drill.dim marks the box they are in): dimmed, and
    it takes the clicks, so nothing old is exported. A sibling of the part's box, not a class on it: a box
    given another class draws its grid again, 18 ms of a 下钻 click measured (docs/SCALING.md)."""
    return html.Div(className=COVER_CLASS)


def titled_card(title: str, body, card_id: str | None = None, title_id: str | None = None) -> dbc.Card:
    """A card of the app's look whose header is its heading itself (one component where CardHeader and H2 made
    two; every component on a page costs each of the renderer's store updates, docs/SCALING.md)."""
    heading = html.H2(title, className="card-header h6 mb-0", **({"id": title_id} if title_id else {}))
    return dbc.Card([heading, body], className="mb-3 shadow-sm", **({"id": card_id} if card_id else {}))


def table_card(table_name: str, title: str, state: dict, lang: str, title_id: str | None = None) -> dbc.Card:
    """A titled card whose grid (or empty state) is filled by callbacks.tables from the state given here;
    title_id names the title when a callback rewrites it. An export's file comes through the shell's
    download (callbacks.tables.export)."""
    return titled_card(title, dbc.CardBody([
        cover(),
        dcc.Store(id=ids.grid_state(table_name), data={"table": table_name, "state": state, "lang": lang}),
        dcc.Store(id=ids.grid_live(table_name)),
        dcc.Store(id=ids.grid_ask(table_name)), dcc.Store(id=ids.grid_first(table_name)),
        # While an export is built or the grid drawn again, these show a spinner (assets/app.css).
        html.Div(id=ids.export_message(table_name), className="text-danger small loading-box", role="alert"),
        html.Div(id=ids.grid_box(table_name), className=GRID_BOX_CLASS),
    ], className="position-relative"), f"card-{table_name}", title_id)


def grid_with_tools(table_name: str, columns: list[Column], lang: str, clickable: bool = False,
                    sort: list[dict] = (), filters: dict | None = None, selectable: bool = False) -> list:
    return [export_buttons(table_name, lang),
            report_grid(table_name, columns, lang, clickable, sort, filters, selectable)]


def region_options(regions: list[tuple[str, str]]) -> list[dict]:
    """A region picker's choices, (code, name or path "省/市/县") → "省 / 市 / 县（code）". The path's parts are
    spaced: dcc.Dropdown indexes every substring of each space-separated word of every label for its search
    (Dash 4), so a province's 135 paths as one word each made 28,600 entries, built whenever a page with the
    picker mounts (13-27 ms of a page change at province under a CPU profiler); spaced, 14,000 (4-9 ms). A search
    for any part still finds it."""
    return [{"label": f"{name.replace('/', ' / ')}（{code}）", "value": code} for code, name in regions]


DROPDOWN_WORDS = ("search", "clear_search", "clear_selection", "no_options_found", "select_all", "deselect_all",
                  "selected_count")


def dropdown(lang: str | None, **props) -> dcc.Dropdown:
    """dcc.Dropdown with its own words (its search box, "no options found", select all…) in the reader's
    language: Dash writes them in English."""
    return dcc.Dropdown(labels={word: t(lang, f"dropdown_{word}") for word in DROPDOWN_WORDS}, **props)


def select_col(id_: str, label: str, options: list, selected, placeholder: str | None, lang: str,
               clearable: bool = True, searchable: bool = True, **width) -> dbc.Col:
    """A labelled dropdown of a page's filters; options are values (labelled in the reader's language, lang) or
    {"label", "value"} dicts; width: the column's breakpoints (md=4, lg=3 unless given). The language is
    required: left out, the dropdown's own words (its search box) came in Chinese on English pages."""
    options = [o if isinstance(o, dict) else {"label": value(lang, o), "value": o} for o in options]
    return dbc.Col([dbc.Label(label, html_for=id_, className="small mb-0"),
                    dropdown(lang, id=id_, options=options, value=selected, placeholder=placeholder,
                             clearable=clearable, searchable=searchable)],
                   **(width or {"md": 4, "lg": 3}))


def empty_state(lang: str, message: str | None = None, hint: str | None = None) -> html.Div:
    return html.Div([
        html.Div("∅", className="empty-icon", **{"aria-hidden": "true"}),
        html.P(message or t(lang, "empty"), className="mb-1 fw-semibold"),
        html.P(hint or t(lang, "empty_hint"), className="text-muted small mb-0"),
    ], className="empty-state text-center", role="status")


# The filters a page may narrow a table by, in the words the page's controls use (docs/views.md).
FILTER_LABELS = {"system": "system", "region": "region", "org": "org_code", "status": "status", "light": "light",
                 "source": "source", "overdue_only": "overdue_only", "group": "group"}


def table_empty(table_name: str, state: dict, lang: str) -> html.Div:
    """What an empty table is missing and what to do (issue 16 point 9): the filters that emptied it and how
    to widen them, else what has not been imported or recorded yet and where to do it."""
    used = [t(lang, label) + (f" {value(lang, state[key])}" if key != "overdue_only" else "")
            for key, label in FILTER_LABELS.items() if state.get(key)]
    if used:
        return empty_state(lang, t(lang, "empty_match"),
                           t(lang, "empty_filtered").format(filters=t(lang, "list_sep").join(used)))
    what = t(lang, f"empty:{table_name}") if f"empty:{table_name}" in LABELS["zh"] else t(lang, "empty")
    todo = f"empty_todo:{table_name}"
    return empty_state(lang, what, t(lang, todo) if todo in LABELS["zh"] else t(lang, "empty_hint"))


def error_alert(message: str, lang: str) -> dbc.Alert:
    return dbc.Alert([html.Strong(t(lang, "error") + t(lang, "colon")), phrase(lang, message)], color="danger",
                     className="mb-3")


def kpi_card(label: str, value: Any, fmt: str, tone: str = "", n: int | None = None,
             definition: str | None = None) -> dbc.Col:
    """A figure on a card; a rate shows its N beside it (100.0%（2）), the title its definition on hover."""
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="kpi-label text-muted small", title=definition),
        html.Div([format_value(value, fmt),
                  html.Span(f"N = {n:,}", className="kpi-n") if n is not None and value is not None else None],
                 className=f"kpi-value {tone}"),
    ]), className="h-100 shadow-sm kpi-card"), xs=6, md=4, xl=True, className="mb-3")


def print_button(lang: str, id_: str) -> html.Button:
    """打印: assets/print.js lays every grid's rows out for paper, waits for them, then opens the print dialog."""
    return html.Button(t(lang, "profile_print"), id=id_, className="btn btn-outline-secondary btn-sm ms-2 no-print",
                       **{"data-print": "1"})
