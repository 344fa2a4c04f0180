"""导入 (docs/views.md): upload, check (dry run), confirm, errors as a table and a sheet, the import log,
blank templates. No data access: callbacks.imports fills the boxes."""
from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.components import LOCALE_ZH, titled_card, dropdown, table_card
from layouts.i18n import t

MAX_UPLOAD_MB = 20
ERROR_HEADERS = ("文件", "工作表", "行", "列", "值", "原因")


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        html.H1(t(lang, "import_title"), className="h4 mb-3"),
        dbc.Card(dbc.CardBody([
            html.P(t(lang, "import_hint"), className="text-muted small mb-2"),
            dcc.Upload(id=ids.Imports.UPLOAD, multiple=True, className="upload-box",
                       children=html.Div([html.Div(t(lang, "import_drop"), className="fw-semibold"),
                                          html.Div(t(lang, "import_limit").format(mb=MAX_UPLOAD_MB),
                                                   className="text-muted small")]),
                       style={"border": "2px dashed #adb5bd", "borderRadius": "8px", "padding": "24px",
                              "textAlign": "center", "cursor": "pointer", "background": "#f8f9fa"}),
            # The spinner shows while a check or an import runs (assets/app.css .loading-box).
            html.Div(id=ids.Imports.FILES, className="mt-3 loading-box"),
            html.Div(id=ids.Imports.RESULT, className="mt-2 loading-box"),
            html.Div([
                dbc.Button(t(lang, "import_confirm"), id=ids.Imports.CONFIRM, color="primary", disabled=True,
                           className="me-2"),
                dbc.Button(t(lang, "import_errors_xlsx"), id=ids.Imports.ERRORS_BUTTON, color="danger",
                           outline=True, style={"display": "none"}),
                dcc.Download(id=ids.Imports.ERRORS_DOWNLOAD),
            ], className="mt-3"),
            dcc.Store(id=ids.Imports.ERRORS, storage_type="memory"),
            dcc.Store(id=ids.Imports.DONE, data=0, storage_type="memory"),
        ]), className="mb-3 shadow-sm"),
        titled_card(t(lang, "import_templates"), dbc.CardBody(html.Div([
            html.Div(dropdown(lang, id=ids.Imports.TEMPLATE, options=[], clearable=False),
                     style={"minWidth": "220px"}, className="me-2"),
            dbc.Button(t(lang, "import_template_download"), id=ids.Imports.TEMPLATE_BUTTON, color="secondary",
                       outline=True),
            dcc.Download(id=ids.Imports.TEMPLATE_DOWNLOAD),
        ], className="d-flex align-items-center"))),
        # The shared server-side grid: admins see every import, unit users their own (callbacks.common).
        html.Div(table_card("imports", t(lang, "import_log"), {"n": "0"}, lang), id=ids.Imports.LOG),
    ])


def simple_grid(grid_id: str, headers: tuple[str, ...] | list[str], rows: list[list], lang: str,
                widths: dict[str, int] | None = None) -> dag.AgGrid:
    """A small table held in the browser (a check's error list, at most what one upload yields; it has its
    own sheet download): sortable, filterable, paged."""
    widths = widths or {}
    options = {"pagination": True, "paginationPageSize": 20, "paginationPageSizeSelector": False,
               "domLayout": "autoHeight", "enableCellTextSelection": True, "suppressMovableColumns": True}
    if lang != "en":
        options["localeText"] = LOCALE_ZH
    return dag.AgGrid(
        id=grid_id,
        columnDefs=[{"field": f"c{i}", "headerName": h, "minWidth": widths.get(h, 90)} for i, h in enumerate(headers)],
        rowData=[{f"c{i}": v for i, v in enumerate(row)} for row in rows],
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "flex": 1},
        dashGridOptions=options, className="report-grid", style={"width": "100%"})


def file_list(files: list[tuple[str, int]]) -> html.Ul:
    return html.Ul([html.Li(f"{name}（{size_text(size)}）") for name, size in files], className="small mb-1")


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB" if size >= 1024 else f"{size} 字节"


def result_view(title: str, lines: list[str], accepted: bool, errors: list[list], lang: str) -> html.Div:
    parts = [dbc.Alert([html.Div(title, className="fw-semibold mb-1"),
                        *[html.Div(line, className="small") for line in lines]],
                       color="success" if accepted else "danger", className="mb-2", id="import-summary")]
    if errors:
        parts.append(simple_grid("import-error-grid", ERROR_HEADERS, errors, lang,
                                 widths={"原因": 360, "文件": 160, "值": 120}))
    return html.Div(parts)
