"""Every component id, one class per page; functions build the pattern-matching ids of shared tables."""
from __future__ import annotations

from types import SimpleNamespace


class Shell:
    URL = "url"
    LANG = "lang"
    LANG_TOGGLE = "lang-toggle"
    ROUND = "shell-round"
    AS_OF = "shell-as-of"
    CONTENT = "shell-content"
    NAVBAR = "shell-navbar"
    DOWNLOAD = "shell-download"
    ERROR = "shell-error"
    RENDERED = "shell-rendered"  # the pages kept in the content's slots, the one on screen (callbacks.shell.route)
    TOGGLER = "shell-toggler"  # the navbar's menu button on a phone
    COLLAPSE = "shell-collapse"
    ROUTE = "shell-route"  # what the router renders, worked out in the browser (assets/clientside.js)
    PREFETCH = "shell-prefetch"  # the browser's ask for a page drawn ahead, out of sight (callbacks.shell.prefetch)
    CONTROLS_DRAWN = "shell-controls-drawn"  # the round and date the navbar was drawn with
    CONTROLS_ASKED = "shell-controls-asked"  # a round or date the user picked (assets/clientside.js)
    GRID_STYLES = "shell-grid-styles"  # a hidden grid that keeps AG Grid's CSS in the page (layouts.shell)

    @staticmethod
    def slot(index: int) -> str:
        """A slot of the content, where a page kept mounted stays (layouts.shell.KEEP)."""
        return f"shell-slot-{index}"


def page_slug(path: str) -> str:
    """The part of a page's ids that names it: "drill" for /drill, "overview" for /."""
    return path.strip("/") or "overview"


def page(path) -> SimpleNamespace:
    """The ids every page has, one set per page: pages stay mounted side by side once visited (callbacks.shell
    keeps them), so no two may share one. STATE: the parsed URL state the page was drawn with; its callbacks
    start from it. NAV: the page's link to the address bar: its callbacks write another page or
    query here (beside the page's state, so that a page being drawn does not call them: Dash calls a callback
    whose input appears in a new part of the page when its output lies outside that part). LATER, LATER_ASK,
    LATER_BUILT: the rest of the page (layouts.components.Later), the browser's ask for its parts and the
    address they came built for. BRIEF: its 情况通报 link (layouts.components.brief_button). path: a page's
    address, or a wildcard (MATCH) for a callback of every page."""
    slug = page_slug(path) if isinstance(path, str) else path
    return SimpleNamespace(**{name: {"type": kind, "page": slug} for name, kind in (
        ("STATE", "page-state"), ("NAV", "page-nav"), ("LATER", "page-later"),
        ("LATER_ASK", "page-later-ask"), ("LATER_BUILT", "page-later-built"), ("BRIEF", "page-brief"))})


class Overview:
    BODY = "overview-body"
    BY_SYSTEM = "overview-by-system"
    BY_REGION = "overview-by-region"
    TREND = "overview-trend"


class Drill:
    MOVE = "drill-move"  # the URL of another node, passed on by the browser to callbacks.drill.move
    # The URL a row click or a picker asks for, handed to the move at once: apart from MOVE, which the page's
    # location writes, so the click's request does not wait for the location's check (docs/SCALING.md).
    ASK = "drill-ask"
    BREADCRUMB = "drill-breadcrumb"
    PICKERS = "drill-pickers"
    SYSTEM = "drill-system"
    REGION = "drill-region"
    # 返工补课 认定 of the org the drill-down shows (supervisors and admins)
    REWORK_BOX = "drill-rework"
    REWORK_DATE = "drill-rework-date"
    REWORK_DUE = "drill-rework-due"
    REWORK_OFFICE = "drill-rework-office"
    REWORK_DOC = "drill-rework-doc"
    REWORK_NOTE = "drill-rework-note"
    REWORK_SAVE = "drill-rework-save"
    REWORK_MESSAGE = "drill-rework-message"
    URL = "drill-url"  # the page's own view of the URL (callbacks.drill.move)


class Redline:
    FUNNEL_BOX = "redline-funnel-box"
    FUNNEL = "redline-funnel"
    FUNNEL_NOTE = "redline-funnel-note"


def _ledger(prefix: str, *own: str) -> SimpleNamespace:
    """A ledger page's ids (callbacks.rectifications): its filter bar, MOVE (the URL of other filters, passed
    on by the browser to the page's move), ASK (the same, asked by the filter bar itself), URL (the page's own
    location: a URL change on another page does not reach its callbacks), SHOWN (the filters the page shows
    after a move in place), and its own parts."""
    names = ("filters", "system", "region", "org", "status", "overdue", "move", "ask", "url", "shown", *own)
    return SimpleNamespace(**{name.upper().replace("-", "_"): f"{prefix}-{name}" for name in names})


Rectifications = _ledger("rect", "light", "source", "ageing-box", "ageing")
Pledges = _ledger("pledge")


class ContactPoints:
    FILTERS = "cp-filters"
    UNITS_TITLE = "cp-units-title"
    GROUP = "cp-group"
    FORM = "cp-visit-form"
    POINT = "cp-visit-point"
    DATE = "cp-visit-date"
    FINDINGS = "cp-visit-findings"
    FOLLOW_UP = "cp-visit-follow-up"
    SAVE = "cp-visit-save"
    MESSAGE = "cp-visit-message"


class Comments:
    GRADE = "comments-grade"


class Reporting:
    STATUS = "reporting-status"
    # 逐级审核 of the rows ticked in the 应上报组织 grid
    APPROVE = "reporting-approve"
    RETURN = "reporting-return"
    REASON = "reporting-reason"
    APPROVAL_MESSAGE = "reporting-approval-message"
    CHART_BOX = "reporting-chart-box"
    CHART = "reporting-chart"


class Workbench:
    URL = "workbench-url"  # the page's own view of the URL (callbacks.workbench.move)
    MOVE = "workbench-move"  # the URL of another group or date, passed on by the browser to that move
    CONTROLS = "workbench-controls"
    GROUP = "workbench-group"
    HEADING = "workbench-heading"  # group, round and as-of date: on screen and on the printed page
    TODO = "workbench-todo"
    PRINT = "workbench-print"  # the units as a plain table, printed instead of the grid


class Quality:
    SESSIONS_BOX = "quality-sessions-box"
    VOID = "quality-void"  # the org of the 作废场次 finding clicked (assets/clientside.js links.quality)


class Audit:
    ACTION = "audit-action"
    USER = "audit-user"
    DATES = "audit-dates"


# Tables shown through the shared server-side grid (layouts.components.report_table).
GRID, GRID_BOX, GRID_STATE = "report-grid", "report-grid-box", "report-grid-state"
EXPORT = "report-export"


def grid(table: str) -> dict:
    return {"type": GRID, "table": table}


def grid_box(table: str) -> dict:
    return {"type": GRID_BOX, "table": table}


def export(table: str, fmt: str) -> dict:
    return {"type": EXPORT, "table": table, "fmt": fmt}


def grid_state(table: str) -> dict:
    return {"type": GRID_STATE, "table": table}


def grid_live(table: str) -> dict:
    """The state a grid shows after it was refreshed in place (callbacks.drill), which its paging and export
    read before grid_state: writing grid_state would re-create the grid."""
    return {"type": "report-grid-live", "table": table}


def grid_ask(table: str) -> dict:
    """A grid's row request for the server (callbacks.tables.get_rows), passed on by the browser when the
    page did not bring the rows asked for already (grid_first)."""
    return {"type": "report-grid-ask", "table": table}


def grid_first(table: str) -> dict:
    """The first page of rows a grid was drawn with (callbacks.tables.fill): its first request is answered in
    the browser from here."""
    return {"type": "report-grid-first", "table": table}


def export_message(table: str) -> dict:
    return {"type": "report-export-message", "table": table}


# ---- admin pages (导入, 用户, 设置 · 评议批次) ----
class Imports:
    UPLOAD = "import-upload"
    FILES = "import-files"  # names and sizes of the files received
    RESULT = "import-result"  # the check (dry run) or import result
    CONFIRM = "import-confirm"
    ERRORS = "import-errors"  # the rejected check's issues, for the downloadable sheet
    ERRORS_BUTTON = "import-errors-button"
    ERRORS_DOWNLOAD = "import-errors-download"
    TEMPLATE = "import-template"
    TEMPLATE_BUTTON = "import-template-button"
    TEMPLATE_DOWNLOAD = "import-template-download"
    LOG = "import-log"
    DONE = "import-done"  # bumped after an import so the log reloads


class Users:
    LIST = "users-list"
    REFRESH = "users-refresh"
    NEW_NAME = "users-new-name"
    NEW_DISPLAY = "users-new-display"
    NEW_ROLE = "users-new-role"
    NEW_SCOPES = "users-new-scopes"
    NEW_PASSWORD = "users-new-password"
    NEW_PASSWORD2 = "users-new-password2"
    ADD = "users-add"
    ADD_RESULT = "users-add-result"
    PICK = "users-pick"
    ROLE = "users-role"
    SCOPES = "users-scopes"
    SAVE = "users-save"
    RESET = "users-reset"
    DEACTIVATE = "users-deactivate"
    REACTIVATE = "users-reactivate"
    REVOKE = "users-revoke"
    TOKEN = "users-token"
    ACTION_RESULT = "users-action-result"


class Settings:
    ROUND = "settings-round"
    SAVE = "settings-save"
    RESULT = "settings-result"
    HISTORY = "settings-history"
    SCALE_NOTE = "settings-scale-note"

    @staticmethod
    def field(name: str) -> str:
        return f"settings-field-{name}"


class Profile:
    """单位画像 (/org)."""
    URL = "profile-url"  # the page's own location: moving to another org updates the page in place
    MOVE = "profile-move"  # the URL of another org, passed on by the browser to callbacks.org_profile.move
    BODY = "profile-body"
    TREND_BOX = "profile-trend-box"
    TREND = "profile-trend"
    RECORD = "profile-record"  # 公示状态, 审核状态 and the newest 领导点评
    PUBLICATION = "profile-publication"
    APPROVAL = "profile-approval"
    COMMENTS = "profile-comments"
    COMMENTS_LINK = "profile-comments-link"
    REWORK_BOX = "profile-rework"
    REWORK_DATE = "profile-rework-date"
    REWORK_DUE = "profile-rework-due"
    REWORK_OFFICE = "profile-rework-office"
    REWORK_DOC = "profile-rework-doc"
    REWORK_NOTE = "profile-rework-note"
    REWORK_SAVE = "profile-rework-save"
    REWORK_MESSAGE = "profile-rework-message"
    PRINT = "profile-print"
    CHILDREN_BOX = "profile-children-box"


class Ranking:
    """薄弱排名 on the red-line page."""
    LIMIT = "ranking-limit"
    LEVEL = "ranking-level"
    CONTROLS = "ranking-controls"
    ASK = "ranking-ask"  # the URL with a new N or type, handed from the browser to callbacks.ranking.move
    URL = "ranking-url"  # the page's location: the back button's N and type (callbacks.ranking.move)
    MOVE = "ranking-move"
    SHOWN = "ranking-shown"  # the state the grid shows after a move
