"""The as-of day (issue 16 point 4): today while the round runs, its end (or its last data date when no end is
set) once it is over, said in a note; a day in the future or before the round is warned about, in the navbar
and in the API's `warnings` (docs/views.md, docs/api.md). On SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

from sqlalchemy import update

from callbacks import shell
from dashboard import reports
from data.models import EvalSession, Round
from domain.scope import EVERYTHING
from tests import report_dataset as rd
from tests.test_app_api import api, get  # noqa: F401  (fixture)
from tests.test_app_callbacks import text_of, users  # noqa: F401  (fixture)

R2_END = date(2024, 12, 20)


def _dated(sessions):
    """R2 ends on R2_END; R1 has no end date (over once R2 started on 2024-07-01), last 测评 on 2024-05-06."""
    with sessions.begin() as s:
        s.execute(update(Round).where(Round.name == rd.R2).values(end_date=R2_END))
        r1 = s.query(Round).filter_by(name=rd.R1).one()
        a1 = s.query(EvalSession).first().org_id
        s.add(EvalSession(round_id=r1.id, org_id=a1, expected=5, issued=5, returned=5, held_on=date(2024, 5, 6)))


def test_the_default_day_follows_the_round(sessions):
    with sessions() as s:
        rd.load(s)
    _dated(sessions)
    with sessions() as s:
        running = reports.request("rectifications", {}, EVERYTHING, date(2024, 10, 1), s)
        over = reports.request("rectifications", {}, EVERYTHING, date(2025, 3, 1), s)
        assert (running.as_of, over.as_of) == (date(2024, 10, 1), R2_END)
        assert reports.as_of(s, {}, date(2025, 3, 1))[1][0][0] == "ended"
        # R1 has no end date: over once R2 started, so its last data date
        old = reports.request("drilldown", {"round": rd.R1}, EVERYTHING, date(2024, 8, 1), s)
        assert old.as_of == date(2024, 5, 6)
        assert [c for c, _ in reports.as_of(s, {"round": rd.R1}, date(2024, 8, 1))[1]] == ["last_data"]
        # an asked day is kept, and warned about when in the future or before the round
        asked = reports.request("drilldown", {"as_of": "2024-08-01"}, EVERYTHING, date(2025, 3, 1), s)
        assert asked.as_of == date(2024, 8, 1)
        assert [c for c, _ in reports.as_of(s, {"as_of": "2026-01-01"}, date(2025, 3, 1))[1]] == ["future"]
        assert [c for c, _ in reports.as_of(s, {"as_of": "2024-06-01"}, date(2025, 3, 1))[1]] == ["before_round"]
        assert reports.as_of(s, {"as_of": "2024-10-01"}, date(2025, 3, 1))[1] == []


def test_the_api_states_the_default_and_warns(api, sessions):  # noqa: F811
    app, tokens = api
    _dated(sessions)
    client = app.test_client()
    body = get(client, "/api/v1/reports/rectifications", tokens["ada"]).get_json()
    assert body["as_of"] == R2_END.isoformat()  # the round is over (today is after 2024)
    assert [w["code"] for w in body["warnings"]] == ["ended"] and R2_END.isoformat() in body["warnings"][0]["message"]
    body = get(client, "/api/v1/reports/drilldown?as_of=2099-01-01", tokens["ada"]).get_json()
    assert body["as_of"] == "2099-01-01" and [w["code"] for w in body["warnings"]] == ["future"]
    assert "晚于今天" in body["warnings"][0]["message"]
    body = get(client, f"/api/v1/reports/drilldown?as_of={rd.AS_OF}", tokens["ada"]).get_json()
    assert body["warnings"] == []


def test_the_navbar_shows_the_default_and_the_warnings(as_user, sessions):
    _dated(sessions)
    with as_user("ada"):
        nav, _, _ = shell.route("/", "", "en")
        assert R2_END.isoformat() in text_of(nav) and "This round ended on 2024-12-20" in text_of(nav)
        nav, _, _ = shell.route("/", "?as_of=2099-01-01", "zh")
        assert "晚于今天" in text_of(nav)
        nav, _, _ = shell.route("/", f"?round={rd.R2}&as_of=2024-06-30", "zh")
        assert "早于本批次开始日期 2024-07-01" in text_of(nav)
