"""督导联系点: the group filter (choices limited to the user's scope), and recording a visit. Supervisors and
admins may record; the contact point is checked on the server against the user's own groups. The tables
live in callbacks.tables."""
from __future__ import annotations

from datetime import date

from dash import ClientsideFunction, Input, Output, State, html
from dash.exceptions import PreventUpdate
from flask import current_app, request
from flask_login import current_user

from callbacks import common
from data import visits as visit_data
from data.queries import NotFound, find_round, visible_org_ids
from domain.rules import RuleProfile
from web.auth import db_session
from layouts import ids
from layouts.contact_points import PATH, group_filter, parse_point, units_title, visit_form
from layouts.i18n import t

RECORDERS = ("admin", "supervisor")


def allowed_groups() -> frozenset[str] | None:
    """The groups the user may record visits for: None = every group (admin); empty = none."""
    if not current_user or not current_user.is_authenticated or current_user.role not in RECORDERS:
        return frozenset()
    return None if current_user.role == "admin" else current_user.scope.groups


def round_of(session, state: dict):
    """The state's round (the newest when it names none); None when there is no such round."""
    try:
        return find_round(session, (state or {}).get("round"))
    except NotFound:
        return None


def round_id(session, state: dict) -> int | None:
    rnd = round_of(session, state)
    return None if rnd is None else rnd.id


def groups_in_scope(session, state: dict) -> list[str]:
    """The groups of the state's round (督导分组 of that round or of every round) the user may pick."""
    scope, rid = common.scope(), round_id(session, state)
    if scope.is_empty or rid is None:
        return []
    names = visit_data.group_names(session, None if scope.everything else visible_org_ids(scope), rid)
    # A supervisor's choices are its own groups, not others' that merely touch its subtrees.
    return [g for g in names if g in scope.groups] if scope.groups and not scope.everything else names


def show_filters(state: dict, lang: str | None):
    """(the group choice, the units card's title with the round's contact-point limits)."""
    with db_session() as s:
        groups, rnd = groups_in_scope(s, state), round_of(s, state)
        profile = RuleProfile() if rnd is None else RuleProfile.from_record(rnd)
    return group_filter(groups, state, lang), units_title(lang, profile.contact_min, profile.contact_max)


def show_form(state: dict, lang: str | None, today: date | None = None):
    groups = allowed_groups()
    if groups is not None and not groups:
        return None  # leaders and units read the visits but do not record them
    with db_session() as s:
        rid = round_id(s, state)
        points = visit_data.contact_points(s, groups, rid) if rid is not None else []
    if state.get("group"):
        points = [p for p in points if p.group == state["group"]]
    return visit_form([(p.group, p.code, p.name) for p in points], (today or date.today()).isoformat(), lang)


def save_visit(n_clicks: int | None, point: str | None, day: str | None, findings: str | None,
               follow_up: str | None, store: dict | None, lang: str | None, today: date | None = None):
    """(message, visits grid store, findings, follow-up): stored and listed, or refused with the reason."""
    if not n_clicks:
        raise PreventUpdate
    groups = allowed_groups()
    if groups is not None and not groups:
        return html.Span(t(lang, "visit_not_allowed"), className="text-danger"), store, findings, follow_up
    group, code = parse_point(point)
    try:
        with current_app.extensions["dashboard_sessions"].begin() as s:
            visit_data.record_visit(s, group=group, org_code=code, visited_on=day, findings=findings,
                                    follow_up=follow_up, recorded_by=common.exported_by(), username=common.username(),
                                    allowed_groups=groups, today=today or date.today(),
                                    address=request.remote_addr)
    except visit_data.VisitError as exc:
        return html.Span(str(exc), className="text-danger"), store, findings, follow_up
    # A new revision in the grid's state makes the visits table read the database again.
    store = {**(store or {}), "state": {**(store or {}).get("state", {}),
                                        "rev": str(int((store or {}).get("state", {}).get("rev", 0)) + 1)}}
    return (html.Span(f"{t(lang, 'visit_saved')}：{group} · {code} · {day}", className="text-success"),
            store, "", "")


def register(app) -> None:
    common.on_build([(ids.ContactPoints.FILTERS, "children"), (ids.ContactPoints.UNITS_TITLE, "children")], show_filters)
    # Another group is another page state: the URL is written in the browser, the router draws it.
    app.clientside_callback(ClientsideFunction("filters", "group"), Output(ids.page(PATH).NAV, "search", allow_duplicate=True),
                            Input(ids.ContactPoints.GROUP, "value"), State(ids.Shell.URL, "search"),
                            prevent_initial_call=True)
    common.on_build([(ids.ContactPoints.FORM, "children")], show_form)
    app.callback(Output(ids.ContactPoints.MESSAGE, "children"), Output(ids.grid_state("visits"), "data"),
                 Output(ids.ContactPoints.FINDINGS, "value"), Output(ids.ContactPoints.FOLLOW_UP, "value"),
                 Input(ids.ContactPoints.SAVE, "n_clicks"), State(ids.ContactPoints.POINT, "value"),
                 State(ids.ContactPoints.DATE, "date"), State(ids.ContactPoints.FINDINGS, "value"),
                 State(ids.ContactPoints.FOLLOW_UP, "value"), State(ids.grid_state("visits"), "data"),
                 State(ids.Shell.LANG, "data"), prevent_initial_call=True)(save_visit)
