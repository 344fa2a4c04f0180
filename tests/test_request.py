"""One report request, built and checked where it enters (domain.request via dashboard.reports.request): bad
dates, codes and view filters get a clear 400 from the API, a message in Dash and exit 1 from the CLI, never a
500 nor a false "database unavailable" (issue 18 point 9)."""
from __future__ import annotations

import logging
from datetime import date

import pytest

from callbacks import tables
from dashboard import reports
from domain.request import EARLIEST, LATEST, MAX_TEXT, RequestError, ViewFilter, build_request
from domain.scope import EVERYTHING
from tests import report_dataset as rd
from tests.test_app_api import api, get  # noqa: F401  (fixture)
from tests.test_app_callbacks import users  # noqa: F401  (fixture)

TODAY = date(2024, 12, 31)
STATUS = ViewFilter("status", "状态", ("未启动", "整改中"))
ONLY = ViewFilter("overdue_only", "仅看超期", flag=True)


# ---------------------------------------------------------------------------------------- the builder
def test_the_builder_reads_the_node_the_date_and_the_declared_filters():
    asked = build_request({"round": " R ", "org": "A2", "as_of": "2024-03-01", "status": "整改中",
                           "overdue_only": "yes", "group": "督导一组"}, EVERYTHING, (STATUS, ONLY),
                          ("status", "overdue_only", "group"), TODAY)
    assert (asked.filters.round, asked.filters.org, asked.filters.system) == ("R", "A2", None)
    assert asked.as_of == date(2024, 3, 1) and asked.scope == EVERYTHING
    assert asked.option("status") == "整改中" and asked.option("overdue_only") is True
    assert asked.option("group") is None  # not this view's filter: kept in the filters as sent, not read
    assert dict(asked.filters.extra) == {"status": "整改中", "overdue_only": "yes", "group": "督导一组"}
    assert build_request({}, EVERYTHING, today=TODAY).as_of == TODAY  # absent: today


@pytest.mark.parametrize("params, message", [
    ({"as_of": "9999-12-31"}, "超出范围"), ({"as_of": "1999-12-31"}, "超出范围"), ({"as_of": "2024-02-30"}, "无效"),
    ({"org": "\x00"}, "组织编码含有无效字符"), ({"round": "R\n1"}, "评议批次含有无效字符"),
    ({"system": "长" * (MAX_TEXT + 1)}, "系统过长"), ({"status": "完了"}, "状态只能是未启动/整改中：完了"),
    ({"group": "a\x00"}, "含有无效字符"),
])
def test_the_builder_refuses_what_cannot_be_right(params, message):
    with pytest.raises(RequestError, match=message):
        build_request(params, EVERYTHING, (STATUS,), ("status", "group"), TODAY)


def test_the_sane_range_is_inclusive():
    for day in (EARLIEST, LATEST):
        assert build_request({"as_of": day.isoformat()}, EVERYTHING, today=TODAY).as_of == day


def test_reports_request_checks_what_the_view_declares():
    with pytest.raises(reports.BadParameter, match="灯只能是红/黄/绿：紫"):
        reports.request("rectifications", {"light": "紫"}, EVERYTHING)
    # Another page's filter means nothing to a view that does not declare it (as before): no error.
    assert reports.request("drilldown", {"light": "紫"}, EVERYTHING).option("light") is None


# ---------------------------------------------------------------------------------------- the API
@pytest.mark.parametrize("view", ["reporting", "contact-points", "drilldown", "rectifications"])
def test_an_as_of_out_of_range_is_a_400_not_a_500(api, view):  # noqa: F811
    app, tokens = api
    for day in ("9999-12-31", "1900-01-01"):
        r = get(app.test_client(), f"/api/v1/reports/{view}?as_of={day}", tokens["ada"])
        assert r.status_code == 400, (view, day, r.get_data(as_text=True))
        assert "统计截止日期超出范围" in r.get_json()["error"]


@pytest.mark.parametrize("query", ["org=%00", "system=%00", "round=a%00b", "region=%01", "status=%00",
                                   "org=" + "9" * (MAX_TEXT + 1)])
def test_a_control_character_or_an_endless_code_is_a_400_not_an_outage(api, caplog, query):  # noqa: F811
    app, tokens = api
    with caplog.at_level(logging.INFO):
        r = get(app.test_client(), f"/api/v1/reports/rectifications?as_of={rd.AS_OF}&{query}", tokens["ada"])
    assert r.status_code == 400, r.get_data(as_text=True)
    assert "无效字符" in r.get_json()["error"] or "过长" in r.get_json()["error"]
    assert "database unavailable" not in caplog.text and "数据库" not in r.get_json()["error"]


# ---------------------------------------------------------------------------------------- Dash
def test_dash_says_which_parameter_is_wrong_and_never_claims_an_outage(as_user, caplog):
    for state, message in (({"as_of": "9999-12-31"}, "统计截止日期超出范围"), ({"org": "\x00"}, "组织编码含有无效字符")):
        with as_user("ada"), caplog.at_level(logging.INFO):
            box = tables.render({"table": "reporting", "state": state, "lang": "zh"})
        assert message in str(box.children)
        assert "database unavailable" not in caplog.text


# ---------------------------------------------------------------------------------------- the CLI
def test_the_cli_export_exits_1_with_the_reason(api, engine, monkeypatch, tmp_path, capsys):  # noqa: F811
    from dashboard import cli

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "x.csv"
    for argv, message in ((["--as-of", "9999-12-31"], "统计截止日期超出范围"), (["--org", "A\x01"], "组织编码含有无效字符")):
        assert cli.main(["export", "reporting", "--out", str(out), *argv]) == 1
        assert message in capsys.readouterr().err
        assert not out.exists()
    assert cli.main(["export", "reporting", "--out", str(out), "--as-of", rd.AS_OF.isoformat()]) == 0
