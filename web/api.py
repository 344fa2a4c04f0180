"""GET /api/v1/reports/VIEW (docs/api.md): the export's table as JSON, with the caller's scope.

Known failures map to 400/403/404 with a Chinese message; nothing the caller sends yields a 500.
"""
from __future__ import annotations

import io
import logging
from datetime import date, datetime
from typing import Any

from flask import Blueprint, jsonify, request, send_file
from flask_login import current_user

from dashboard import brief, reports, views
from domain.request import AS_OF_NOTES
from domain.tables import VIEWS, ReportTable
from web.auth import DB_DOWN_MESSAGE, audit_event, database_unavailable, db_session

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)
PARAMS = ("round", "system", "region", "org")


def _json_value(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def table_json(table: ReportTable) -> dict:
    return {
        "title": table.title,
        "filters": table.filters.as_dict(),
        "as_of": table.as_of.isoformat(),
        "scope": table.scope,
        "columns": table.headers,
        "rows": [[_json_value(v) for v in row] for row in table.rows],
    }


def _error(status: int, message: str):
    return jsonify(error=message), status


def _failure(exc: Exception, what: str, values):
    """The one mapping of a failed report or brief to 400/403/404/503/500 (docs/api.md)."""
    if isinstance(exc, reports.OutOfScope):
        return _error(403, str(exc) or "超出您的查看范围")
    if isinstance(exc, reports.NotFound):
        return _error(404, str(exc))
    if isinstance(exc, reports.ReportError):  # BadParameter included
        return _error(400, str(exc))
    if database_unavailable(exc):
        log.error("%s: database unavailable: %s", what, exc.__class__.__name__)
        return _error(503, DB_DOWN_MESSAGE)
    log.exception("%s failed for %s", what, values)  # logged with its trace
    return _error(500, "服务器内部错误，请联系管理员")


@bp.get("/reports/<view>")
def report(view: str):
    if view not in VIEWS:
        return _error(404, f"未知视图: {view}（可选 {', '.join(VIEWS)}）")
    values = {k: request.args.get(k) for k in PARAMS}
    try:
        with db_session() as s:
            # checked here, once (400 if wrong); no as_of: the round's default day (docs/api.md)
            asked = views.request(view, request.args, current_user.scope, session=s)
            notes = reports.as_of(s, request.args)[1]
            table = views.build(view, s, asked)
    except Exception as exc:  # noqa: BLE001 - mapped to a status; the caller gets no internals
        return _failure(exc, f"report {view}", values)
    return jsonify({**table_json(table), "warnings": warnings_json(notes)})


def warnings_json(notes: list[tuple[str, dict]]) -> list[dict]:
    """The notes about the as-of day (domain.request.AS_OF_NOTES): how a default was chosen, a day in the
    future or before the round; [] when there is nothing to say."""
    return [{"code": code, "message": AS_OF_NOTES[code].format(**values)} for code, values in notes]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/brief")
def brief_docx():
    """The 情况通报 of a round as the caller may see it, narrowed to one group, system, region or org."""
    values = request.args
    try:
        with db_session() as s:
            req = brief.brief_request(request.args, current_user.scope, session=s)
            made = brief.make(s, req, current_user.scope, current_user.display_name, datetime.now())
    except Exception as exc:  # noqa: BLE001 - mapped to a status; the caller gets no internals
        return _failure(exc, "brief", values)
    audit_event("export", current_user.username, made.summary)
    return send_file(io.BytesIO(made.data), mimetype=DOCX, as_attachment=True, download_name=made.filename)
