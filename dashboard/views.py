"""Every view by name (docs/views.md): the reports of dashboard.reports, and the views built on top of them —
单位画像 (dashboard.org_profile) and 薄弱排名 (dashboard.ranking). The API, the command line and the page
callbacks ask here, so a view cannot be served in one place and missing in another."""
from __future__ import annotations

from collections import ChainMap

from datetime import date

from sqlalchemy.orm import Session

from dashboard import org_profile, ranking, reports
from domain.request import Request, RequestError, build_request
from domain.scope import Scope
from domain.tables import ReportTable

BUILDERS = {"profile": org_profile.profile, "profile-children": org_profile.children, "ranking": ranking.ranking}
FILTERS = {"ranking": ranking.FILTERS}


def request(view: str, params, scope: Scope, today: date | None = None, session: Session | None = None) -> Request:
    """reports.request, with the filters of the views of this module."""
    if view not in BUILDERS:
        return reports.request(view, params, scope, today, session)
    if session is not None and not str(params.get("as_of") or "").strip():
        params = ChainMap({"as_of": reports.as_of(session, params, today)[0].isoformat()}, params)
    try:
        return build_request(params, scope, FILTERS.get(view, ()), reports.PAGE_FILTERS, today)
    except RequestError as exc:
        raise reports.BadParameter(str(exc)) from None


def build(view: str, session: Session, request: Request) -> ReportTable:
    if view in BUILDERS:
        return BUILDERS[view](session, request)
    return reports.build(view, session, request)
