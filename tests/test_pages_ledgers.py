"""整改台账 and 承诺践诺 pages: callbacks called as plain functions (filters in, rows out), the URL the
filter bar writes, the ageing chart, the working-days note, and the same extra filters through the JSON API
and the CLI export — on both backends with the hand-made campaign of tests/report_dataset.py (as of
2024-12-31: Z1 30 days overdue, Z3 11 days overdue because its completion is dated after the day, Z2 done
on time, Z5 due in 2 days, Z4 registered later; P2 16 days overdue, P3 due on the day, P4 not due)."""
from __future__ import annotations

import base64
import csv
import io

import pytest
from dash.exceptions import PreventUpdate
from sqlalchemy import select, update

from callbacks import pledges, rectifications, shell, tables
from web.auth import WebUser
from data import admin_queries as aq
from data.models import Round, User
from data.users import create_user, issue_token
from layouts import ids
from tests import report_dataset as rd
from tests.conftest import grid_in

AS_OF = rd.AS_OF.isoformat()


@pytest.fixture
def users(web_app, sessions):
    with sessions() as s:
        rd.load(s)
    with sessions.begin() as s:
        return {name: WebUser.of(create_user(s, name, "password-123", role, grants, display_name=name))
                for name, role, grants in (("ada", "admin", []), ("uma", "unit", ["A2"]))}


def grid(table: str, **state) -> list[dict]:
    response = tables.get_rows({"startRow": 0, "endRow": 50, "sortModel": [], "filterModel": {}},
                               {"table": table, "state": {"as_of": AS_OF, **state}, "lang": "zh"})
    return response["rowData"]


def col(rows: list[dict], i: int) -> list:
    return [r[f"c{i}"] for r in rows]


def options(component, id_) -> list:
    """The option values of the dropdown `id_` inside a rendered filter bar."""
    found = []

    def walk(c):
        if getattr(c, "id", None) == id_:
            found.extend(o["value"] for o in c.options)
        kids = getattr(c, "children", None)
        for k in kids if isinstance(kids, (list, tuple)) else [kids] if kids is not None else []:
            walk(k)
    walk(component)
    return found


# ---------------------------------------------------------------------------------------- 整改台账
def test_rect_ledger_lights_days_and_every_filter(as_user):
    with as_user("ada"):
        rows = grid("rectifications")
        # Red first (most days first), then yellow (soonest due), then the rest; 灯 and 超期天数 in the first
        # columns after the key. Z4 registered after the day does not exist yet.
        assert col(rows, 0) == ["Z1", "Z3", "Z5", "Z2"]
        assert col(rows, 2) == [30, 11, 0, 0]  # 超期天数
        assert col(rows, 1) == ["红", "红", "黄", "绿"]  # 灯
        assert col(rows, 11) == ["整改中", "整改中", "整改中", "已完成"]  # Z3's completion is after the day
        assert [r["_red"] for r in rows] == [True, True, False, False]
        assert col(grid("rectifications", light="红"), 0) == ["Z1", "Z3"]
        assert col(grid("rectifications", light="黄"), 0) == ["Z5"]
        assert col(grid("rectifications", status="已完成"), 0) == ["Z2"]
        assert col(grid("rectifications", overdue_only="1"), 0) == ["Z1", "Z3"]
        assert col(grid("rectifications", org="A2"), 0) == ["Z1", "Z2"]  # A2 and its A21
        assert col(grid("rectifications", system="卫生健康系统"), 0) == ["Z5"]
        assert col(grid("rectifications", region="510104"), 0) == ["Z1", "Z3", "Z2"]  # 锦江区: A1, A2, A21
        assert grid("rectifications", source="督导反馈") == []
        # A later day: Z3 done (after its deadline: 逾期完成), Z1 further overdue, Z5 now overdue too.
        later = grid("rectifications", as_of="2025-01-12")
        assert dict(zip(col(later, 0), col(later, 14))) == {"Z1": "", "Z3": "逾期完成", "Z2": "", "Z5": "",
                                                             "Z4": ""}
        assert dict(zip(col(later, 0), col(later, 2)))["Z1"] == 42


def test_rect_summary_and_ageing_follow_the_filters(as_user):
    with as_user("ada"):
        summary = grid("rectification-summary")
        assert col(summary, 0) == ["A1", "A21", "A2", "C1"]  # most overdue first
        assert col(summary, 5) == [0.0, 0.0, 1.0, 0.0]  # 整改完成率
        assert col(summary, 8) == [0, 0, 0, 1]  # 临期: C1's Z5
        bands = ["1–7天", "8–30天", "31–90天", "90天以上"]  # always all four, in order, empty ones as 0
        chart = rectifications.show_ageing({"as_of": AS_OF}, "zh")
        bar = chart.figure.data[0]
        assert list(bar.x) == bands and list(bar.y) == [0, 2, 0, 0]  # Z1 30 days, Z3 11 days
        assert list(chart.figure.layout.xaxis.categoryarray) == bands
        assert list(rectifications.show_ageing({"as_of": AS_OF, "org": "A2"}, "zh").figure.data[0].y) == [0, 1, 0, 0]
        none = rectifications.show_ageing({"as_of": AS_OF, "light": "绿"}, "zh")
        assert "没有超期整改" in none.children[0].children
        assert list(none.children[1].figure.data[0].x) == bands and list(none.children[1].figure.data[0].y) == [0] * 4
        later = rectifications.show_ageing({"as_of": "2025-04-15"}, "zh").figure.data[0]
        # Z1 135 days, Z3 done, Z5 103 days; Z4 (deadline 02-01) 73 days.
        assert list(later.x) == bands and list(later.y) == [0, 0, 1, 2]


def test_a_bad_filter_in_a_link_is_a_message_not_a_trace(as_user):
    with as_user("ada"):
        box = tables.render({"table": "rectifications", "state": {"as_of": AS_OF, "light": "紫"}, "lang": "zh"})
        assert "灯只能是红/黄/绿：紫" in str(box.children)
        box = rectifications.show_ageing({"as_of": AS_OF, "org": "NOPE"}, "zh")
        assert "NOPE" in str(box.children)


def test_working_days_rounds_say_so_on_the_page(as_user, sessions):
    with as_user("ada"):
        assert not tables.common.table("rectifications", {"as_of": AS_OF}).notes
    with sessions.begin() as s:  # the admin's profile edit (管理 › 评议批次)
        aq.update_round(s, rd.R2, {"working_days": True}, "root")
    with as_user("ada"):
        box = tables.render({"table": "rectifications", "state": {"as_of": AS_OF}, "lang": "zh"})
        assert "按工作日计算" in str(box)
        # 2024-12-01 (Sunday) to 12-31: 22 working days (no public holiday in December 2024).
        assert col(grid("rectifications"), 2)[:2] == [22, 7]  # Z3: 12-20 (Fri) to 12-31: 23–27, 30, 31


def test_filter_choices_are_the_scopes(as_user):
    with as_user("uma"):
        bar = rectifications.show_filters({"as_of": AS_OF}, "zh")
        assert options(bar, "rect-system") == ["交通运输系统"]
        assert options(bar, "rect-region") == ["510000", "510100", "510104"]
        assert options(bar, "rect-light") == ["红", "黄", "绿"]
        assert options(bar, "rect-status") == ["未启动", "整改中", "已完成", "已销号"]
        # The unit sees only its subtree's items, whatever the URL asks for.
        assert col(grid("rectifications"), 0) == ["Z1", "Z2"]
        assert "无权查看组织：C1" in str(tables.render({"table": "rectifications", "state": {"as_of": AS_OF, "org": "C1"},
                                          "lang": "zh"}).children)
    with as_user("ada"):
        bar = pledges.show_filters({"as_of": AS_OF, "system": "卫生健康系统"}, "zh")
        assert options(bar, "pledge-status") == ["未启动", "推进中", "已兑现"]
        assert options(bar, "pledge-region") == ["510000", "510700"]  # regions of that system only


def test_pages_are_routed_with_the_filters_of_the_link(as_user):
    with as_user("ada"):
        _, box, _ = shell.route("/rectifications", f"?as_of={AS_OF}&light=红", "zh")
        stores = [c for c in box.children.children if getattr(c, "id", None) == ids.page("/rectifications").STATE]
        assert stores[0].data == {"as_of": AS_OF, "light": "红"}
        _, box, _ = shell.route("/pledges", f"?as_of={AS_OF}", "en")
        assert "Pledges" in str(box.children.children[1].children)


def test_ledger_sort_and_filter_live_in_the_url_and_a_link_restores_them(as_user):
    """Sorting or filtering the main ledger grid writes the models into the URL next to the page filters;
    opening that URL renders the grid with the same models, so a copied link shows the same rows."""
    from layouts import urlstate

    by_code = [{"colId": "c0", "sort": "desc"}]
    only_red = {"c1": {"filterType": "text", "type": "equals", "filter": "红"}}
    for table, filter_ in (("rectifications", only_red), ("pledges", {})):
        base = f"?as_of={AS_OF}&status=推进中" if table == "pledges" else f"?as_of={AS_OF}&light=红"
        # as the browser writes them (assets/clientside.js grids.toUrl, tests/test_browser_app.py)
        search = urlstate.encode({**urlstate.parse(base), **urlstate.encode_grid(by_code, filter_)})
        state = urlstate.parse(search)
        assert state["sort"] == "c0:desc" and ("status" in state or "light" in state)
        assert urlstate.decode_grid(state) == (by_code, filter_)
        with as_user("ada"):
            _, _, key = shell.route(f"/{table}", base, "zh", None)
            with pytest.raises(PreventUpdate):  # the page stays as it is: only the grid state changed
                shell.route(f"/{table}", search, "zh", key)
            grid_ = grid_in(tables.render({"table": table, "state": state, "lang": "zh"}))
            assert grid_.columnDefs[0]["sort"] == "desc" and grid_.filterModel == filter_
            # The summary grid on the same page keeps its own order: the URL's models are the ledger's.
            other = "rectification-summary" if table == "rectifications" else "pledge-summary"
            summary = grid_in(tables.render({"table": other, "state": state, "lang": "zh"}))
            assert all("sort" not in c for c in summary.columnDefs) and summary.filterModel == {}
    with as_user("ada"):  # the rows the restored models give: red items, by code descending
        rows = tables.get_rows({"startRow": 0, "endRow": 20, "sortModel": by_code, "filterModel": only_red},
                               {"table": "rectifications", "state": {"as_of": AS_OF}, "lang": "zh"})["rowData"]
        assert col(rows, 0) == ["Z3", "Z1"]
    # Another filter of the bar is another row set: the grid's models are dropped from the link (in the
    # browser: tests/test_browser_ledgers.py).


# ---------------------------------------------------------------------------------------- 承诺践诺
def test_pledge_ledger_summary_and_overdue_list(as_user):
    with as_user("ada"):
        rows = grid("pledges")
        assert col(rows, 0) == ["P2", "P5", "P1", "P3", "P4"]  # longest overdue first, then by due date
        assert col(rows, 10) == ["是", "否", "否", "否", "否"]  # 逾期未兑现
        assert col(rows, 11) == [16, 0, 0, 0, 0]
        assert col(rows, 7)[3] == "推进中"  # P3's fulfilment is dated after the day
        assert col(grid("pledges-overdue"), 0) == ["P2"]
        assert col(grid("pledges", status="已兑现"), 0) == ["P5", "P1"]
        assert col(grid("pledges", overdue_only="1"), 0) == ["P2"]
        assert col(grid("pledges-overdue", org="A1"), 0) == []
        summary = grid("pledge-summary")
        assert col(summary, 0) == ["A21", "A", "A1", "A2"]
        assert col(summary, 5) == [0.5, None, 1.0, 0.0]  # 承诺兑现率: P4 not due yet -> no rate, not 0%
        assert col(summary, 6) == [1, 0, 0, 0]


def test_page_export_matches_the_cli_with_the_same_filters(as_user, engine, monkeypatch, tmp_path):
    from dashboard import cli

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def body(data: bytes, first: str) -> list[list[str]]:
        lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        return lines[next(i for i, line in enumerate(lines) if line and line[0] == first):]

    for view, state, argv, first, codes in (
            ("rectifications", {"light": "红", "org": "A2"}, ["--light", "红", "--org", "A2"], "问题编号", ["Z1"]),
            ("pledges", {"overdue_only": "1"}, ["--overdue-only"], "承诺编号", ["P2"]),
            ("rectifications", {"status": "整改中", "overdue_only": "1"}, ["--status", "整改中", "--overdue-only"],
             "问题编号", ["Z1", "Z3"])):
        out = tmp_path / f"{view}.csv"
        assert cli.main(["export", view, "--out", str(out), "--as-of", AS_OF, *argv]) == 0
        with as_user("ada"):
            sent, message = tables.export_file({"table": view, "state": {"as_of": AS_OF, **state}, "lang": "zh"},
                                               "csv", None)
        assert message == ""
        screen = body(base64.b64decode(sent["content"]), first)
        assert screen == body(out.read_bytes(), first)
        assert [r[0] for r in screen[1:]] == codes
    assert cli.main(["export", "rectifications", "--out", str(tmp_path / "x.csv"), "--status", "完了"]) == 1


def test_api_takes_the_ledger_filters(web_app, users, sessions):
    with sessions.begin() as s:
        token = issue_token(s, s.scalar(select(User).where(User.username == "ada")))
    client = web_app.test_client()

    def get(query):
        return client.get(f"/api/v1/reports/{query}&as_of={AS_OF}", headers={"Authorization": f"Bearer {token}"})

    r = get("rectifications?light=红")
    assert r.status_code == 200
    body = r.get_json()
    assert [row[0] for row in body["rows"]] == ["Z1", "Z3"] and body["filters"]["light"] == "红"
    assert [row[0] for row in get("rectifications?overdue_only=1&org=A2").get_json()["rows"]] == ["Z1"]
    assert [row[0] for row in get("pledges?status=推进中").get_json()["rows"]] == ["P2", "P3"]
    bad = get("rectifications?status=完了")
    assert bad.status_code == 400 and "状态只能是" in bad.get_json()["error"]


# ---------------------------------------------------------------------------------------- 民主评议党员
def test_member_rules_are_pure_and_strict_at_one_third():
    from domain import metrics

    assert metrics.MEMBER_FAIL_SHARE == (1, 3) and metrics.EXCELLENT_QUOTA == (1, 3)
    assert not metrics.fails_over_third(3, 9) and metrics.fails_over_third(4, 9)  # exactly 1/3 is not over
    assert not metrics.fails_over_third(0, 0)  # no answers: nothing to flag
    assert not metrics.rated_excellent(5, 10) and metrics.rated_excellent(6, 10)  # a majority, not a half
    assert not metrics.excellent_over_quota(1, 3) and metrics.excellent_over_quota(2, 5)
    assert not metrics.excellent_over_quota(0, 0)


def test_member_level_flags_fails_and_the_excellent_quota(sessions):
    from dashboard import reports
    from domain.scope import EVERYTHING
    from domain.tables import Filters
    from data.models import Item, Member, Org, Tally

    with sessions() as s:
        rd.load(s)
    with sessions.begin() as s:
        s.execute(update(Round).where(Round.name == rd.R2).values(scale="民主评议党员"))
        a21 = s.scalar(select(Org).where(Org.code == "A21"))
        item = s.scalar(select(Item).join(Round).where(Round.name == rd.R2, Item.is_overall))
        m3 = Member(code="M3", name="王五", org_id=a21.id, category="正式")
        s.add(m3)
        s.flush()
        # 优秀 1, 合格 1, 基本合格 0, 不合格 3: N = 5, 不合格 3 > 5/3.
        s.add(Tally(round_id=item.round_id, org_id=a21.id, item_id=item.id, category="党员", member_id=m3.id,
                    member_key=m3.id, opt1=1, opt2=1, opt3=0, opt4=3, first_reported_at=rd.T0,
                    updated_at=rd.T0))
    with sessions() as s:
        table = reports.drilldown(s, rd.ask(Filters(org="A21"), rd.AS_OF, EVERYTHING))
    assert all(len(r) == len(table.headers) for r in table.rows)  # every cell under its own header
    rows = {r[0]: dict(zip(table.headers, r)) for r in table.rows}
    # M1: 优秀 6 of N 10 (a majority), 不合格 0; M2 预备: shown, never graded; M3: 不合格 3 of 5.
    assert [(rows[m]["不合格超三分之一"], rows[m]["评为优秀"]) for m in ("M1", "M2", "M3")] \
        == [("否", "是"), (None, None), ("是", "否")]
    assert rows["M2"]["红线判定"] == "不评定" and rows["M2"]["测评数"] == 5
    assert [table.rows[i][0] for i in sorted(table.red_rows)] == ["M3"]
    # 1 of 2 graded members rated 优秀: more than a third, so the org is flagged on top of the notes.
    assert table.notes[0].startswith("⚠ 优秀比例超标：1/2")
    assert any("优秀票数超过 N 的一半" in n for n in table.notes)


def test_a_warning_note_stands_above_the_grid(monkeypatch):
    """The org's 优秀 quota warning (a ⚠ note of the member level) is an alert above the table, not a grey
    line under it; the plain notes stay under the grid."""
    from datetime import date

    import dash_ag_grid as dag
    import dash_bootstrap_components as dbc
    from dash import html

    from callbacks import common
    from domain.tables import Column, Filters, ReportTable

    table = ReportTable(view="drilldown", title="下钻", columns=[Column("党员编号")], rows=[["M1"]],
                        filters=Filters(), as_of=date(2024, 12, 31), scope="全部",
                        notes=["预备党员参加测评，但不评定。", "⚠ 优秀比例超标：2/3 名正式党员评为优秀，超过三分之一。"])
    monkeypatch.setattr(common, "table", lambda name, state: table)
    box = tables.render({"table": "drilldown", "state": {}, "lang": "zh"})
    assert isinstance(box[0], dbc.Alert) and box[0].color == "warning" and box[0].children.startswith("⚠ 优秀比例超标")
    assert [c.children for c in box if isinstance(c, html.P)] == ["预备党员参加测评，但不评定。"]  # below the grid
    assert isinstance(box[-2], dag.AgGrid)


def test_formula_text_is_quoted_in_the_page_and_the_cli_csv(as_user, engine, sessions, monkeypatch, tmp_path):
    """Ledger text typed by a unit (issue 18 point 4) reaches every CSV export as text, never as a formula."""
    from dashboard import cli
    from data.models import Rectification

    attacks = ['=HYPERLINK("http://x.example","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
    with sessions.begin() as s:
        for code, text in zip(("Z1", "Z2", "Z3", "Z5"), attacks):
            s.execute(update(Rectification).where(Rectification.code == code).values(description=text))
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "cli.csv"
    assert cli.main(["export", "rectifications", "--out", str(out), "--as-of", AS_OF]) == 0
    with as_user("ada"):
        sent, message = tables.export_file({"table": "rectifications", "state": {"as_of": AS_OF}, "lang": "zh"},
                                           "csv", None)
    assert message == ""
    for data in (base64.b64decode(sent["content"]), out.read_bytes()):
        cells = {c for line in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in line}
        assert {"'" + a for a in attacks} <= cells
        assert not cells & set(attacks)
