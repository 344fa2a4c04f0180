"""The router (URL -> navbar + page) and the first layout that comes drawn by it, the navbar's round and date
controls, the language toggle."""
from __future__ import annotations

import json
import logging
from datetime import date
from urllib.parse import urlsplit

from dash import MATCH, ClientsideFunction, Input, Output, State, ctx, html, no_update, set_props
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate
from flask import has_request_context, request
from flask_login import current_user

from callbacks import common
from callbacks.rectifications import LEDGERS
from dashboard import reports
from data.cache import data_fingerprint
from web.auth import csrf_token, db_session
from data.lookups import round_names
from layouts import (admin, audit, comments, contact_points, drill, ids, imports, org_profile, overview, pledges,
                     quality, rectifications, redline, reporting, urlstate, workbench)
from layouts.components import Later, empty_state
from layouts.i18n import DEFAULT, LANGS, t
from layouts.shell import KEEP, PAGE_ROLES, app_layout, navbar, not_found, page_box

log = logging.getLogger(__name__)
PAGES = {**{page.PATH: page.layout for page in (overview, workbench, drill, redline, rectifications, pledges,
                                                contact_points, reporting, quality, comments, org_profile)},
         # pages for some roles (layouts.shell.PAGE_ROLES); they open without any round (an empty database
         # starts at /import)
         "/import": imports.layout, "/users": admin.users_layout, "/settings": admin.settings_layout,
         audit.PATH: audit.layout}
NO_ROUND_PAGES = ("/import", "/users", "/settings", "/audit")
# Pages stay mounted once visited, hidden while another is on screen: going back to one shows it again, with
# no request for its parts, no grid to set up and no rows to ask for (docs/SCALING.md). At most KEEP of them,
# each in a slot of its own (layouts.shell.KEEP), the least recently shown giving way; the admin pages, whose
# content is not kept per data version, and a page not found are drawn afresh each time.
KEPT = frozenset(PAGES) - set(NO_ROUND_PAGES)
# The page drawn ahead, out of sight, while the user reads the only page mounted (prefetch): 下钻, or from 下钻
# 红线, where weak organizations are found. One page, and small ones (29 and 39 components as drawn): every
# component mounted makes each click's store updates dearer (docs/SCALING.md: with the overview and the
# workbench drawn ahead too, a 下钻 click took a fifth longer). Besides, the page of a navbar link the mouse or the
# keyboard's focus rests on (assets/navbar.js), which the click or Enter that usually follows shows without drawing it.
PREFETCH = ("/drill", "/redline")
# URL keys a page updates itself, in place (assets/clientside.js askRouter keeps the same list): the router
# leaves the page alone when only these change.
IN_PLACE = {"/drill": drill.NODE_KEYS, "/workbench": workbench.OWN_KEYS, "/org": ("org",), "/redline": ("limit", "level"),
            **{path: tuple(fields) for path, (_, _, fields) in LEDGERS.items()}}


def _valid_date(text: str | None) -> str | None:
    try:
        return date.fromisoformat(text).isoformat() if text else None
    except ValueError:
        return None


def _as_of(session, state: dict, today: date | None = None) -> tuple[str, list]:
    """The as-of day the pages use (asked, or the round's default) and the notes about it, as the navbar
    shows them; a malformed day in the URL is the default's (the page's own callbacks say what is wrong)."""
    asked = _valid_date(state.get("as_of"))
    try:
        day, notes = reports.as_of(session, {**state, "as_of": asked}, today)
    except reports.ReportError:
        day, notes = reports.as_of(session, {"as_of": asked}, today)
    return day.isoformat(), notes


def shell_bar(pathname: str | None, state: dict, lang: str):
    """(the navbar for the URL state with the notes on its as-of day, the round names newest first)."""
    with db_session() as s:
        rounds = round_names(s)
        as_of, notes = _as_of(s, state)
    return navbar(pathname or "/", state, lang, common.user_info(), rounds, as_of, csrf_token(), notes), rounds


def route(pathname: str | None, search: str | None, lang: str | None, rendered: dict | None = None,
          redraw: bool = False):
    """(navbar, the page's box or None, what is rendered). A URL change that only records the grid's sort or
    filter keeps the page as it is: rebuilding it would reset the grid the user is working in. The navbar is
    drawn again only for another round, date or language (and the pages kept are dropped): on another page
    it stays (the browser marks the page's link, assets/clientside.js shell.urlChanged). A page kept from
    before is shown again (None: nothing drawn) when it was drawn for the same URL state and data, and the
    browser does not ask for it afresh (redraw: its grid's order or filter is not the URL's,
    assets/clientside.js askRouter).
    rendered: {"bar": the navbar's key, "slots": the page kept in each of the content's KEEP slots ({"path",
    "key", "data"} or None), "shown": the slot on screen, "used": the slots filled, least recently shown
    first}; slot_outputs turns two of them into the slots' changes."""
    lang = lang if lang in LANGS else DEFAULT
    state, path = urlstate.parse(search), pathname or "/"
    bar_key = [urlstate.shared(state), lang]
    key = _page_key(path, state, lang)
    before = _slots(rendered)
    same_bar = before is not None and rendered["bar"] == bar_key
    on_screen = before[rendered["shown"]] if same_bar else None
    if on_screen and on_screen["path"] == path and on_screen["key"] == key:
        raise PreventUpdate
    with db_session() as s:
        data = _data_key(s)
    bar, rounds = (no_update, None) if same_bar else shell_bar(pathname, state, lang)
    entry = {"path": path, "key": key, "data": data if path in KEPT else None}
    slots, used = (list(before), list(rendered["used"])) if same_bar else ([None] * KEEP, [])
    if on_screen and on_screen["data"] is None:  # a page not kept goes when left
        slots[rendered["shown"]] = None
    at = next((i for i, kept in enumerate(slots) if kept and kept["path"] == path), None)
    if at is not None and slots[at] == entry and entry["data"] is not None and not redraw:
        page = None  # shown again as it is (only a page kept: the record comes back from the browser)
    else:
        if rounds is None:  # the navbar kept: its round names were not read
            with db_session() as s:
                rounds = round_names(s)
        page = _page(path, state, lang, rounds)
        if at is None:
            at = _slot_to_fill(slots, used, rendered["shown"] if same_bar else None)
    slots[at] = entry
    used = [i for i in used if i != at and slots[i] is not None] + [at]
    return bar, page, {"bar": bar_key, "slots": slots, "shown": at, "used": used}


def _page_key(path: str, state: dict, lang: str) -> list:
    """What a page is drawn for: its path, language and URL state but the keys it follows in place. On 下钻
    the node is the page's own (callbacks.drill.move): moving to another one keeps the page; so are the group
    and date on 督导工作台 (callbacks.workbench.move). assets/clientside.js askRouter skips the same keys."""
    inner = ("sort", "filter") + IN_PLACE.get(path, ())
    return [path, {k: v for k, v in state.items() if k not in inner}, lang]


def prefetch(pathname: str | None, search: str | None, lang: str | None, rendered: dict | None,
             pointed: str | None = None):
    """(the slot, the page drawn into it, the record): a page drawn for the round and date on screen, out of
    sight, so that the navbar's link to it shows a kept page (route). Without `pointed`, the first page of
    PREFETCH not on screen, beside the only page mounted, into an empty slot: the browser asks once the user
    has left the page on screen alone a moment (assets/clientside.js, a timer). `pointed`: the path of a navbar
    link the mouse or the keyboard's focus rests on (assets/navbar.js), a page kept and not mounted, drawn into an empty slot or that
    of the page shown least recently. Either comes first to give way (its slot at the head of the record's
    "used"). Nothing when the record is not the page on screen (on_route_key: a move asked meanwhile wins)."""
    lang = lang if lang in LANGS else DEFAULT
    state, before = urlstate.parse(search), _slots(rendered)
    shared = urlstate.shared(state)
    if before is None or rendered["bar"] != [shared, lang]:
        raise PreventUpdate
    on_screen = before[rendered["shown"]]
    if on_screen["path"] != (pathname or "/") or on_screen["data"] is None or common.scope().is_empty:
        raise PreventUpdate
    mounted = [kept["path"] for kept in before if kept]
    if pointed is None and len(mounted) == 1:
        path = next(p for p in PREFETCH if p != on_screen["path"])
    elif isinstance(pointed, str) and pointed in KEPT and pointed not in mounted:
        path = pointed
    else:
        raise PreventUpdate
    free = _slot_to_fill(before, rendered["used"], rendered["shown"])
    with db_session() as s:
        data, rounds = _data_key(s), round_names(s)
    if not rounds:
        raise PreventUpdate
    page = _page(path, shared, lang, rounds)
    slots = list(before)
    slots[free] = {"path": path, "key": _page_key(path, shared, lang), "data": data}
    # Least recently shown: a page the user opens takes its slot before any page visited.
    return free, page, {**rendered, "slots": slots, "used": [free, *(i for i in rendered["used"] if i != free)]}


def _slot_to_fill(slots: list, used: list, shown: int) -> int:
    """Where a page not mounted goes: an empty slot, else the one shown least recently (`used` lists the slots
    filled, least recently shown first), never the one on screen (`shown`)."""
    empty = next((i for i, kept in enumerate(slots) if kept is None), None)
    return empty if empty is not None else next(i for i in used if i != shown)


def _slots(rendered: dict | None) -> list | None:
    """The slots of `rendered` (a copy), or None when nothing was drawn or the record is not the server's."""
    try:
        slots = [s if s is None else {"path": str(s["path"]), "key": s["key"], "data": s["data"]}
                 for s in rendered["slots"]]
        paths = [s["path"] for s in slots if s]
        filled = {i for i, s in enumerate(slots) if s}
        if len(slots) != KEEP or len(set(paths)) != len(paths) or set(rendered["used"]) != filled \
                or rendered["shown"] not in filled:
            return None
    except (KeyError, TypeError):
        return None
    return slots


def slot_outputs(before: dict | None, after: dict, page) -> tuple[list, list]:
    """(children, hidden) of the content's slots (ids.Shell.slot) from `before` to `after` (route's record):
    the page drawn into the slot shown, a slot no longer holding a page emptied, the slot shown before
    hidden; no_update for the rest."""
    old = _slots(before)
    shown, was, old = after["shown"], before["shown"] if old else None, old or [None] * KEEP
    children = [page if i == shown and page is not None else None if old[i] and not after["slots"][i] else no_update
                for i in range(KEEP)]
    hidden = [i != shown if was is None or i in (shown, was) else no_update for i in range(KEEP)]
    return children, hidden


def _data_key(session) -> list:
    """What a kept page's figures rest on besides its URL: the data version and the day (an as-of date left
    to its default, overdue items, follow today)."""
    return [*data_fingerprint(session), date.today().isoformat()]


def _page(path: str, state: dict, lang: str, rounds: list):
    """The page at `path` in its box, with everything it shows: its parts and its grids (callbacks.common.build),
    but for those below its first grid (later_parts)."""
    return page_box(path, common.build(_drawn(path, state, lang, rounds), state, lang))


def _drawn(pathname: str | None, state: dict, lang: str, rounds: list) -> Component:
    """The page at `pathname` as this user may see it, not yet built; or what is said instead: not found,
    refused to the role, no scope, no round yet."""
    page = PAGES.get(pathname or "/")
    if page is None:
        return not_found(lang)
    if pathname in PAGE_ROLES and common.role() not in PAGE_ROLES[pathname]:
        refused = {"/import": "import_refused", "/audit": "admin_only"}.get(pathname, "no_access")
        return admin.access_denied(t(lang, refused))
    if common.scope().is_empty:
        return html.Div(empty_state(lang, t(lang, "no_scope")), className="mt-4")
    if not rounds and pathname not in NO_ROUND_PAGES:
        return html.Div(empty_state(lang, t(lang, "no_rounds")), className="mt-4")
    return page(state, lang)


def later_parts(_asked, pathname: str | None, search: str | None, lang: str | None):
    """The parts of the page on screen below its first grid, built for the address on screen (set into its
    LATER_BUILT), asked by the browser once the grid above is painted (layouts.components.Later). The page
    is drawn again as the router draws it, with the same checks, and only its later parts are built. A page
    kept out of sight asks nothing (assets/clientside.js shell.later): were it asked, nothing is built."""
    if ids.page_slug(pathname or "/") != ctx.triggered_id["page"]:
        raise PreventUpdate
    lang = lang if lang in LANGS else DEFAULT
    state = urlstate.parse(search)
    with db_session() as s:
        rounds = round_names(s)
    drawn = _drawn(pathname, state, lang, rounds)
    later = next((c for c in [drawn, *drawn._traverse()] if isinstance(c, Later)), None)
    if later is None:
        raise PreventUpdate
    # Through set_props, not an output: the browser's ask follows from it (a cycle Dash would refuse).
    set_props(ids.page(pathname).LATER_BUILT, {"data": [pathname, search or ""]})
    return common.build(html.Div(later.parts), state, lang).children


# The language the browser keeps (the LANG store, in its local storage), copied into a cookie by
# assets/session.js so the first layout comes in it.
LANG_COOKIE = "lang"


def first_layout():
    """The app's layout as /_dash-layout serves it: with the navbar and page of the address the browser opened
    already drawn in, so a page opened directly (a link, a bookmark, a reload) is on screen without the
    router's request after the layout. The address is the request's Referer (the browser sends it for its own
    origin; layouts ask nothing else of it): without one, or from elsewhere, the frame alone, and the router
    draws the page as on a move. The router's request that still follows finds the page drawn (rendered) and
    changes nothing."""
    if not (has_request_context() and request.path.endswith("/_dash-layout") and current_user.is_authenticated):
        return app_layout()
    opened = urlsplit(request.referrer or "")
    if opened.netloc != request.host or not opened.path.startswith("/") or opened.path.startswith("/_dash"):
        return app_layout()
    try:
        bar, page, rendered = route(opened.path, "?" + opened.query if opened.query else "",
                                    request.cookies.get(LANG_COOKIE))
    except Exception:  # noqa: BLE001 - a database outage, say: the router asks again and says what is wrong
        log.warning("first layout: the page is left to the router", exc_info=True)
        return app_layout()
    return app_layout(bar, page, rendered)


def on_controls(round_value: str | None, as_of: str | None, search: str | None, options: list | None = None,
                today: date | None = None, triggered: str | None = None):
    """A new round or date keeps the node and the filters: the same place, another round or day (triggered:
    the control the user changed). The defaults the navbar shows (newest round, today) are not written into
    the URL on their own."""
    state = urlstate.parse(search)
    newest = (options or [{}])[0].get("value")
    if not state.get("round") and round_value == newest:
        round_value = None
    as_of = _valid_date(as_of)
    if triggered == ids.Shell.ROUND or (not state.get("as_of") and as_of == _default_day(state, today)):
        as_of = None  # another round starts from its own default day (the picker showed the old one's)
    new = urlstate.encode(urlstate.change(state, round=round_value or state.get("round"),
                                          as_of=as_of or state.get("as_of")))
    if new == (search or ""):
        raise PreventUpdate
    return new


def on_asked(asked: dict | None, search: str | None, options: list | None = None):
    """A round or date the user picked in the navbar (passed on by assets/clientside.js shell.controls)."""
    if not asked:
        raise PreventUpdate
    return on_controls(asked.get("round"), asked.get("as_of"), search, options,
                       triggered=ids.Shell.ROUND if asked.get("changed") == "round" else ids.Shell.AS_OF)


def _default_day(state: dict, today: date | None) -> str:
    with db_session() as s:
        return _as_of(s, {k: v for k, v in state.items() if k != "as_of"}, today)[0]


def on_route_key(key: str | None, asked_ahead, pathname: str | None, search: str | None, lang: str | None,
                 rendered: dict | None = None):
    """key: what the browser worked out (assets/clientside.js askRouter), its last item whether the page must be
    drawn afresh; asked_ahead: the browser's ask for a page drawn ahead (prefetch): a time, or
    {"path", "at"} for a navbar link pointed at. One callback for both, the record its state: Dash keeps only
    the latest ask of a callback (a move asked while a page is drawn ahead drops that answer), so the two
    never disagree about the slots. The outputs: the navbar, each slot's page, each slot's hidden, the
    record."""
    # Asked with a move (Dash merges two asks of one callback): the move's.
    if ctx.triggered_prop_ids.keys() == {f"{ids.Shell.PREFETCH}.data"}:
        pointed = asked_ahead.get("path") if isinstance(asked_ahead, dict) else None
        free, page, after = prefetch(pathname, search, lang, rendered, pointed)
        return no_update, *(page if i == free else no_update for i in range(KEEP)), \
            *(no_update for _ in range(KEEP)), after
    try:
        redraw = json.loads(key)[-1] is True
    except (TypeError, ValueError, IndexError, KeyError):
        redraw = False
    bar, page, after = route(pathname, search, lang, rendered, redraw)
    children, hidden = slot_outputs(rendered, after, page)
    return bar, *children, *hidden, after


def register(app) -> None:
    # The browser works out whether a URL change is the router's at all (assets/clientside.js urlChanged, which
    # sets the router's key): a click on 下钻 or a grid's sort changes the URL without a request to the router.
    # It marks the navbar's link of the page on screen too: the navbar stays on another page.
    app.clientside_callback(ClientsideFunction("shell", "urlChanged"), Output(ids.Shell.NAVBAR, "className"),
                            Input(ids.Shell.URL, "pathname"), Input(ids.Shell.URL, "search"),
                            Input(ids.Shell.LANG, "data"), State(ids.Shell.ROUTE, "data"))
    app.callback(Output(ids.Shell.NAVBAR, "children"), *(Output(ids.Shell.slot(i), "children") for i in range(KEEP)),
                 *(Output(ids.Shell.slot(i), "hidden") for i in range(KEEP)),
                 Output(ids.Shell.RENDERED, "data"), Input(ids.Shell.ROUTE, "data"),
                 Input(ids.Shell.PREFETCH, "data"), State(ids.Shell.URL, "pathname"), State(ids.Shell.URL, "search"),
                 State(ids.Shell.LANG, "data"), State(ids.Shell.RENDERED, "data"),
                 prevent_initial_call=True)(on_route_key)  # asked by urlChanged's first call (the key it sets)
    # The round and date controls report their value whenever the navbar is drawn: only a value other than
    # the one drawn goes to the server.
    app.clientside_callback(ClientsideFunction("shell", "controls"), Output(ids.Shell.CONTROLS_ASKED, "data"),
                            Input(ids.Shell.ROUND, "value"), Input(ids.Shell.AS_OF, "date"),
                            State(ids.Shell.CONTROLS_DRAWN, "data"), prevent_initial_call=True)
    app.callback(Output(ids.Shell.URL, "search", allow_duplicate=True),
                 Input(ids.Shell.CONTROLS_ASKED, "data"), State(ids.Shell.URL, "search"),
                 State(ids.Shell.ROUND, "options"), prevent_initial_call=True)(on_asked)
    # A page's later parts are asked for by the browser once the part above them is on screen, and again
    # when they came built for another address than the one on screen (assets/clientside.js shell.later).
    later = ids.page(MATCH)
    app.clientside_callback(ClientsideFunction("shell", "later"), Output(later.LATER_ASK, "data"),
                            Input(later.LATER_BUILT, "data"))
    app.callback(Output(later.LATER, "children"), Input(later.LATER_ASK, "data"),
                 State(ids.Shell.URL, "pathname"), State(ids.Shell.URL, "search"), State(ids.Shell.LANG, "data"),
                 prevent_initial_call=True)(later_parts)
    app.clientside_callback(ClientsideFunction("shell", "toggleMenu"), Output(ids.Shell.COLLAPSE, "is_open"),
                            Input(ids.Shell.TOGGLER, "n_clicks"), State(ids.Shell.COLLAPSE, "is_open"),
                            prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("shell", "toggleLanguage"), Output(ids.Shell.LANG, "data"),
                            Input(ids.Shell.LANG_TOGGLE, "n_clicks"), State(ids.Shell.LANG, "data"),
                            prevent_initial_call=True)
