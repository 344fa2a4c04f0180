"""The frame around every page: navbar (pages, round, as-of date, scope, user menu, language) and the
router's content area. No data access: callbacks.shell hands in the round names and the user."""
from __future__ import annotations

from dataclasses import dataclass

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html
from markupsafe import Markup

from layouts import ids, urlstate
from layouts.components import dropdown
from layouts.i18n import DEFAULT, scope_text, t, value

PAGES = (("/", "nav_overview"), ("/workbench", "nav_workbench"), ("/drill", "nav_drill"), ("/redline", "nav_redline"),
         ("/rectifications", "nav_rectifications"), ("/pledges", "nav_pledges"),
         ("/contact-points", "nav_contact_points"), ("/reporting", "nav_reporting"), ("/quality", "nav_quality"),
         ("/comments", "nav_comments"),
         # pages for some roles only: shown in the navbar only to them (callbacks.shell refuses others too)
         ("/import", "nav_import"), ("/users", "nav_users"), ("/settings", "nav_settings"), ("/audit", "nav_audit"))
PAGE_ROLES = {"/import": ("admin", "unit"), "/users": ("admin",), "/settings": ("admin",), "/audit": ("admin",)}
# Menus of several pages, so the links fit one row at 1400 px in Chinese and English: the ledgers (台账) where
# the first of them stands, the admins' own pages (管理) at the end. Label key -> (menu id, its pages).
MENUS = {"nav_ledgers": ("shell-ledger-menu", ("/rectifications", "/pledges", "/comments")),
         "nav_admin": ("shell-admin-menu", ("/users", "/settings", "/audit"))}


@dataclass(frozen=True)
class UserInfo:
    name: str
    role_label: str
    scope_label: str
    role: str = ""  # admin / leader / supervisor / unit: which pages the navbar offers

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


KEEP = 4  # pages kept mounted, a slot each (callbacks.shell.route)


def app_layout(bar=None, page=None, rendered: dict | None = None):
    """The frame; bar, page and rendered: what the router draws for the URL the browser opened, when the
    layout comes with it (callbacks.shell.first_layout). The content is KEEP slots, one per page kept: the
    router fills and shows one without touching the others (a new list of children would mount every page
    in it again)."""
    shown = rendered["shown"] if page is not None else None
    return html.Div([
        dcc.Location(id=ids.Shell.URL, refresh="callback-nav"),
        dcc.Store(id=ids.Shell.LANG, storage_type="local", data=DEFAULT),
        dcc.Store(id=ids.Shell.RENDERED, storage_type="memory", data=rendered),
        dcc.Store(id=ids.Shell.ROUTE, storage_type="memory"),
        dcc.Store(id=ids.Shell.PREFETCH, storage_type="memory"),
        dcc.Store(id=ids.Shell.CONTROLS_ASKED, storage_type="memory"),
        dcc.Download(id=ids.Shell.DOWNLOAD),
        html.Div(bar, id=ids.Shell.NAVBAR),
        # Filled by callbacks.common.on_callback_error: a callback that failed says so here.
        dbc.Alert(id=ids.Shell.ERROR, is_open=False, color="warning", dismissable=True,
                  className="mx-4 mt-2 mb-0"),
        html.Main(html.Div([html.Div(page if i == shown else None, id=ids.Shell.slot(i), hidden=i != shown,
                                     className="page-slot") for i in range(KEEP)], id=ids.Shell.CONTENT),
                  className="container-fluid py-3 px-4"),
        # AG Grid takes its theme's CSS (170 KB) out of the page when its last grid goes, and puts it back for
        # the next: a page change re-parsed it and restyled the whole page. This grid, never shown, stays.
        dag.AgGrid(id=ids.Shell.GRID_STYLES, rowData=[], columnDefs=[], style={"display": "none"}),
    ])


def page_box(path: str, page) -> html.Div:
    """A page as the router puts it into a slot of the content: data-page names it for the browser
    (assets/clientside.js shell.later)."""
    return html.Div(page, className="page-box", **{"data-page": ids.page_slug(path)})


def as_of_notes(notes: list[tuple[str, dict]], lang: str) -> html.Div | None:
    """What the navbar says about the as-of day (domain.request.as_of_notes): how a default was chosen (a
    note), a day in the future or before the round (a warning)."""
    if not notes:
        return None
    return html.Div([html.Div(t(lang, f"asof_{code}").format(**values), role="status" if code in NOTE_CODES
                              else "alert", className="as-of-note" if code in NOTE_CODES else "as-of-warning")
                     for code, values in notes], className="w-100 small as-of-notes", id="shell-as-of-notes")


NOTE_CODES = ("ended", "last_data")  # the others are warnings


def _link(href: str, label: str, cls: str, active: bool = False) -> Markup:
    """A link between pages; assets/navbar.js moves it like dcc.Link (no reload)."""
    return Markup('<a class="{}" href="{}" data-link>{}</a>').format(cls + (" active" if active else ""), href, label)


def _dropdown(menu_id: str, label: str, items: list[Markup], toggle_class: str, end: bool = False) -> Markup:
    """A Bootstrap dropdown in the navbar; assets/navbar.js opens and closes it."""
    return Markup('<li class="nav-item dropdown" id="{}"><button type="button" class="nav-link dropdown-toggle{}" '
                  'aria-expanded="false">{}</button><div class="dropdown-menu{}" data-bs-popper="static">{}</div>'
                  '</li>').format(menu_id, toggle_class and " " + toggle_class, label,
                                  " dropdown-menu-end" if end else "", Markup("").join(items))


def html_host(markup: Markup) -> html.Div:
    """Server-built HTML as one Dash component (assets/navbar.js puts data-html into the page): the navbar's
    fifty-odd links and menu items as Dash components each ran their selectors on every store update of every
    click; as strings they are three components. Every text in it went through markupsafe."""
    return html.Div(className="html-host", **{"data-html": str(markup)})


def _links(allowed: list[tuple[str, str]], pathname: str, keep: str, lang: str) -> Markup:
    items = []
    for path, key in allowed:
        menu = next((m for m, (_, pages) in MENUS.items() if path in pages), None)
        if menu is None:
            items.append(Markup('<li class="nav-item">{}</li>').format(
                _link(path + keep, t(lang, key), "nav-link", pathname == path)))
            continue
        menu_id, paths = MENUS[menu]
        if path == next(p for p, _ in allowed if p in paths):  # the menu stands at its first page
            items.append(_dropdown(menu_id, t(lang, menu),
                                   [_link(p + keep, t(lang, k), "dropdown-item", pathname == p)
                                    for p, k in allowed if p in paths], "active" if pathname in paths else ""))
    return Markup('<ul class="navbar-nav me-auto shell-links">{}</ul>').format(Markup("").join(items))


def _user(lang: str, user: UserInfo, csrf_token: str) -> Markup:
    """The scope badge and the user menu (role, scope, the logout form: a POST, so no other site can log out)."""
    colon, scope = t(lang, "colon"), scope_text(lang, user.scope_label)
    menu = _dropdown("shell-user-menu", user.name, [
        Markup('<h6 class="dropdown-header">{}{}{}</h6>').format(t(lang, "role"), colon, value(lang, user.role_label)),
        Markup('<h6 class="dropdown-header">{}{}{}</h6>').format(t(lang, "scope"), colon, scope),
        Markup('<hr class="dropdown-divider">'),
        Markup('<form action="/logout" method="POST"><button type="submit" name="csrf_token" value="{}" '
               'class="dropdown-item" id="shell-logout">{}</button></form>').format(csrf_token, t(lang, "logout")),
    ], "text-light", end=True)
    return Markup('<span id="shell-scope" title="{}" class="badge bg-light text-dark scope-badge me-2">{}{}{}</span>'
                  '<ul class="navbar-nav">{}</ul>').format(scope, t(lang, "scope"), colon, scope, menu)


def navbar(pathname: str, state: dict, lang: str, user: UserInfo, rounds: list[str], as_of: str,
           csrf_token: str = "", notes: list[tuple[str, dict]] = ()) -> dbc.Navbar:
    """rounds: newest first; without a round in the URL the newest is the one shown (reports' default).
    csrf_token: the session's form token, sent by the logout form.
    notes: about the as-of day, shown under the controls."""
    keep = urlstate.encode(urlstate.shared(state))
    colon, scope = t(lang, "colon"), scope_text(lang, user.scope_label)
    allowed = [(path, key) for path, key in PAGES if path not in PAGE_ROLES or user.role in PAGE_ROLES[path]]
    controls = html.Div([
        html.Div([
            dbc.Label(t(lang, "round"), html_for=ids.Shell.ROUND, className="visually-hidden"),
            dropdown(lang, id=ids.Shell.ROUND, options=[{"label": r, "value": r} for r in rounds],
                     value=state.get("round") or (rounds[0] if rounds else None),
                     placeholder=t(lang, "latest_round"), clearable=False,
                     searchable=True, className="round-select"),
        ], title=t(lang, "round")),
        html.Div([
            html.Span(t(lang, "as_of"), className="text-light small me-1 text-nowrap"),
            dcc.DatePickerSingle(id=ids.Shell.AS_OF, date=as_of, display_format="YYYY-MM-DD",
                                 first_day_of_week=1, clearable=False),
        ], className="d-flex align-items-center"),
        # What the controls showed when drawn: a control reporting the same (as it does whenever the navbar
        # is drawn) asks nothing of the server (assets/clientside.js shell.controls).
        dcc.Store(id=ids.Shell.CONTROLS_DRAWN, data={"round": state.get("round") or (rounds[0] if rounds else None),
                                                     "as_of": as_of}),
    ], className="d-flex align-items-center flex-nowrap shell-controls me-3")
    # Printed instead of the bar (assets/app.css @media print): what the page is of, for whom, as of when.
    round_name = state.get("round") or (rounds[0] if rounds else "")
    printed = html.Div(f"{t(lang, 'app_title')} · {round_name} · {t(lang, 'scope')}{colon}{scope} · "
                       f"{t(lang, 'as_of')}{colon}{as_of}", className="print-header")
    # Below 992 px (a phone, a narrow window) everything but the title folds behind the toggler.
    return dbc.Navbar(dbc.Container([
        printed,
        html_host(_link("/" + keep, t(lang, "app_title"), "navbar-brand fw-bold")),
        dbc.NavbarToggler(id=ids.Shell.TOGGLER),
        dbc.Collapse([
            html_host(_links(allowed, pathname, keep, lang)),
            # Row 1: the title and the page links; row 2: round, date, scope, user, language — whatever the
            # length of the round's name, so the bar does not reshuffle from one round to another.
            html.Div(className="w-100 shell-break"),
            controls,
            html_host(_user(lang, user, csrf_token)),
            dbc.Button(t(lang, "lang_toggle"), id=ids.Shell.LANG_TOGGLE, size="sm", color="light", outline=True,
                       className="ms-2 text-nowrap"),
        ], id=ids.Shell.COLLAPSE, navbar=True, is_open=False, className="shell-collapse"),
        as_of_notes(list(notes), lang),
    ], fluid=True), color="dark", dark=True, expand="lg", className="mb-0 py-2")


def not_found(lang: str) -> html.Div:
    return html.Div([html.H1(t(lang, "not_found"), className="h4"),
                     dcc.Link(t(lang, "back_home"), href="/")], className="py-5 text-center")
