"""Callbacks called as plain functions inside a request of a logged-in user: the scope comes from the
server session whatever the browser sends, the grid pages/sorts/filters on the server, and the export is
the CLI's table with the screen's order."""
from __future__ import annotations

import base64
import csv
import io
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode

import openpyxl
import plotly.graph_objects as go
import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from flask_login import login_user

from callbacks import drill, overview, redline, shell, tables
from dashboard import reports
from layouts import ids, urlstate
from web.auth import WebUser
from data.rollups import bump_version
from data.users import create_user
from tests import report_dataset as rd
from tests.conftest import grid_in, login

AS_OF = rd.AS_OF.isoformat()
TOP = {"as_of": AS_OF}


@pytest.fixture
def users(web_app, sessions):
    with sessions() as s:
        rd.load(s)
    with sessions.begin() as s:
        made = {name: WebUser.of(create_user(s, name, "password-123", role, grants, display_name=display))
                for name, role, grants, display in (
                    ("ada", "admin", [], "艾达"), ("uma", "unit", ["A2"], "运输公司"),
                    ("nob", "leader", [], "无范围"))}
    return made


def text_of(component) -> str:
    """All text of a Dash component tree (what a user would read), for assertions."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(text_of(c) for c in component)
    children = getattr(component, "children", None)
    extra = [getattr(component, "label", None)] if isinstance(getattr(component, "label", None), str) else []
    markup = getattr(component, "data-html", None)  # layouts.shell.html_host: HTML the browser shows as it is
    if markup:
        extra.append(" ".join(HTMLText.of(markup)))
    return " ".join([*extra, text_of(children)])


class HTMLText(HTMLParser):
    """The text of an HTML string, piece by piece, with its tags and its links' attributes."""

    def __init__(self):
        super().__init__()
        self.pieces: list[str] = []
        self.tags: list[str] = []
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs))

    def handle_data(self, data):
        self.pieces.append(data)

    @classmethod
    def of(cls, markup: str) -> list[str]:
        parser = cls()
        parser.feed(markup)
        return parser.pieces


def rows_of(response) -> list[list]:
    return [[r[f"c{i}"] for i in range(3)] for r in response["rowData"]]


def request(start=0, end=20, sort=None, filters=None):
    return {"startRow": start, "endRow": end, "sortModel": sort or [], "filterModel": filters or {}}


def store(table, state=TOP, lang="zh"):
    return {"table": table, "state": state, "lang": lang}


def test_grid_rows_are_paged_sorted_and_filtered_on_the_server(as_user):
    with as_user("ada"):
        default = tables.get_rows(request(), store("drilldown"))
        assert default["rowCount"] == 2
        assert rows_of(default) == [["交通运输系统", "交通运输系统", 96], ["卫生健康系统", "卫生健康系统", 21]]
        by_n = tables.get_rows(request(sort=[{"colId": "c2", "sort": "asc"}]), store("drilldown"))
        assert [r[0] for r in rows_of(by_n)] == ["卫生健康系统", "交通运输系统"]
        # 综合满意率 (column 8) above 80 (percent typed as the screen shows it): 卫生 21/21, 交通 69/96 = 71.9%
        high = tables.get_rows(request(filters={"c8": {"filterType": "number", "type": "greaterThan",
                                                       "filter": 80}}), store("drilldown"))
        assert high["rowCount"] == 1 and rows_of(high)[0][0] == "卫生健康系统"
        page2 = tables.get_rows(request(1, 2), store("drilldown"))
        assert page2["rowCount"] == 2 and rows_of(page2) == [["卫生健康系统", "卫生健康系统", 21]]


def test_each_row_knows_where_a_click_leads(as_user):
    with as_user("ada"):
        rows = tables.get_rows(request(), store("drilldown"))["rowData"]
        target = rows[0]["_id"]
        assert target.startswith("?")
        member_rows = tables.get_rows(request(), store("drilldown", {"org": "A21", "as_of": AS_OF}))["rowData"]
        assert member_rows and not any(r["_id"].startswith("?") for r in member_rows)  # members: no level below
    # A click moves to the node its row's id names (callbacks.drill.clicked); a member's row asks nothing.
    assert urlstate.parse(target) == {"system": "交通运输系统", "as_of": AS_OF}
    for cell in (None, {}, {"rowId": member_rows[0]["_id"]}, {"rowId": 7}):
        with pytest.raises(PreventUpdate):
            drill.clicked(cell, "/drill", "zh", {"as_of": AS_OF}, None)


def test_scope_comes_from_the_session_not_from_the_browser(as_user):
    with as_user("uma"):  # unit A2: asks for its parent A through the URL state
        assert tables.get_rows(request(), store("drilldown", {"org": "A", "as_of": AS_OF})) == \
            {"rowData": [], "rowCount": 0}
        assert "无权查看" in text_of(tables.render(store("drilldown", {"org": "A", "as_of": AS_OF})))
        own = tables.get_rows(request(), store("drilldown"))
        assert rows_of(own) == [["交通运输系统", "交通运输系统", 22]]
    with as_user("nob"):
        nav, content, _ = shell.route("/drill", "?as_of=" + AS_OF, "zh")
        assert "尚未分配查看范围" in text_of(content)


def test_export_is_the_cli_table_in_the_screens_order(as_user, engine, sessions, monkeypatch, tmp_path):
    from dashboard import cli

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out, book = tmp_path / "cli.csv", tmp_path / "cli.xlsx"
    assert cli.main(["export", "drilldown", "--out", str(out), "--as-of", AS_OF]) == 0
    assert cli.main(["export", "drilldown", "--out", str(book), "--as-of", AS_OF]) == 0

    def body(data: bytes) -> list[list[str]]:
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))

    def title(data: bytes) -> dict:  # the title block (eight lines) is the xlsx's: the CSV is header and rows only
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        return {row[0]: row[1] for row in sheet.iter_rows(max_row=8, values_only=True)}

    with as_user("ada"):
        sent, message = tables.export_file(store("drilldown"), "csv", request())
        assert message == ""
        data = base64.b64decode(sent["content"])
        assert sent["filename"] == f"下钻_{AS_OF}.csv"
        assert body(data) == body(out.read_bytes()) and body(data)[0][0] == "系统"
        reverse = tables.export_file(store("drilldown"), "xlsx", request(sort=[{"colId": "c2", "sort": "asc"}]))
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(reverse[0]["content"]))).worksheets[0]
        assert [row[0] for row in sheet.iter_rows(min_row=11, values_only=True)] == ["卫生健康系统", "交通运输系统"]
        shown = title(base64.b64decode(reverse[0]["content"]))
        assert "排序：测评数 升序" in shown["筛选条件"]
        assert shown["导出人"] == "艾达" and title(book.read_bytes())["导出人"] == "cli"
        assert shown["视图"] == title(book.read_bytes())["视图"]
    from data.audit import recent
    with sessions() as s:
        exports = [(e.action, e.username) for e in recent(s, "export")]
    # who exported what is kept: the two screen exports and the CLI's two
    assert exports == [("export", "ada"), ("export", "ada"), ("export", "cli"), ("export", "cli")]


def test_overview_cards_show_pooled_hand_computed_figures(as_user):
    with as_user("ada"):
        text = text_of(overview.show(TOP, "zh"))
    # All headline answers: S 70, B 20, U 27 (N 117); 参评人次 = 收回 of the non-void sessions 10 + 10.
    assert "59.8%" in text and "76.9%" in text
    assert "参评人次" in text and "20" in text.split("参评人次")[1].split()[0]
    assert "整改问题 4 个，整改措施 4 项" in text  # rectifications are counted as problems and measures
    with as_user("ada"):
        assert "Rectification: 4 problems, 4 measures" in text_of(overview.show(TOP, "en"))


def test_breadcrumb_goes_back_up_keeping_round_and_date(as_user):
    with as_user("ada"):
        crumb = drill.show_breadcrumb({"org": "A21", "round": rd.R2, "as_of": AS_OF}, "zh")
    labels = [text_of(li) for li in crumb.children]
    assert labels[:3] == ["全部", "交通局党委", "运输公司党总支"]
    # The org on screen, with a link to its 单位画像 (same round and date).
    assert labels[3].split()[0] == "运输公司一支部" and "单位画像" in labels[3]
    link = crumb.children[2].children
    profile = crumb.children[3].children[-1]
    assert urlstate.parse(profile.href.split("?", 1)[1]) == {"org": "A21", "round": rd.R2, "as_of": AS_OF}
    assert link.href.startswith("/drill?")
    assert urlstate.parse(link.href.split("?", 1)[1]) == {"org": "A2", "round": rd.R2, "as_of": AS_OF}


def test_funnel_click_opens_the_orgs_drilldown(as_user):
    with as_user("ada"):
        graph = redline.show_funnel(TOP, "zh")
    points = graph.figure["data"][-1]
    assert sorted(c[0] for c in points["customdata"]) == ["A", "A1", "A2", "A21", "B", "C", "C1"]
    # A click on a point opens its org's drill-down in the browser (tests/test_browser_app.py).
    # The log axis writes each tick in full (plotly's own ticks write 20, 30 after 10 as 2, 3).
    axis = graph.figure["layout"]["xaxis"]
    assert axis["ticktext"] == [f"{v:,}" for v in axis["tickvals"]] and axis["tickvals"][:4] == [1, 2, 5, 10]
    assert max(points["x"]) <= axis["tickvals"][-1] * 2


def test_a_sampled_funnel_says_what_it_shows(web_app, as_user, monkeypatch):
    monkeypatch.setitem(web_app.config, "REPORT_CACHE", False)  # the same data, another FUNNEL_MAX_POINTS
    with as_user("ada"):  # each a request of its own (without the cache a table is computed once a request)
        full = redline.show_funnel(TOP, "zh").figure["data"][-1]["customdata"]
    monkeypatch.setattr(reports, "FUNNEL_MAX_POINTS", 4)
    with as_user("ada"):
        box = redline.show_funnel(TOP, "zh")
        assert len(box.children[-1].figure["data"][-1]["customdata"]) == 4 < len(full) == 7
        assert "共 7 个组织。图中显示低于 95% 控制下限的全部 2 个，以及其余组织中均匀抽取的 2 个" in text_of(box)
    monkeypatch.setattr(reports, "FUNNEL_MAX_POINTS", 1)  # fewer than the flagged orgs
    with as_user("ada"):
        box = redline.show_funnel(TOP, "zh")
    assert "其中 2 个低于 95% 控制下限。图中显示其中最低的 1 个，以及其余组织中均匀抽取的 0 个" in text_of(box)


def test_controls_change_the_url_and_keep_the_node(as_user):
    with as_user("ada"):
        assert shell.on_controls(rd.R1, AS_OF, "?org=A2&as_of=" + AS_OF).startswith("?round=")
        with pytest.raises(PreventUpdate):
            shell.on_controls(None, AS_OF, "?as_of=" + AS_OF)
        options = [{"label": rd.R2, "value": rd.R2}, {"label": rd.R1, "value": rd.R1}]
        with pytest.raises(PreventUpdate):  # the navbar's defaults (newest round, today) stay out of the URL
            shell.on_controls(rd.R2, "2025-01-02", "?org=A2", options, today=date(2025, 1, 2))
        assert shell.on_controls(rd.R1, "2025-01-02", "?org=A2", options, today=date(2025, 1, 2)) == \
            "?" + urlencode({"round": rd.R1, "org": "A2"})
        # a round picked in the navbar, as the browser passes it on: another round starts at its own default day
        assert shell.on_asked({"round": rd.R1, "as_of": "2025-01-02", "changed": "round"}, "?org=A2",
                              options) == "?" + urlencode({"round": rd.R1, "org": "A2"})


def test_router_shows_the_users_scope_and_round_choices(as_user):
    with as_user("uma"):
        nav, content, _ = shell.route("/", "?as_of=" + AS_OF, "zh")
        nav_text = text_of(nav)
        assert "组织 A2" in nav_text and "运输公司" in nav_text
        assert "总览" in text_of(content)
        nav_en, _, _ = shell.route("/", "", "en")
        assert "Overview" in text_of(nav_en)
        _, missing, _ = shell.route("/no-such-page", "", "zh")
        assert "页面不存在" in text_of(missing)


def _by_id(node, wanted):
    """The component with id `wanted` in a layout as /_dash-layout serves it (JSON)."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == wanted:
            return node
        node = list(node.values())
    if isinstance(node, list):
        return next((found for child in node if (found := _by_id(child, wanted)) is not None), None)
    return None


def test_the_layout_comes_with_the_page_the_browser_opened(web_app, users, as_user):
    """A page opened directly: /_dash-layout draws the page of the address it was asked from (its Referer),
    in the user's scope and language, marked as the router would mark it, so the router asks nothing more."""
    client = web_app.test_client()
    login(client, "uma", "password-123")
    opened = f"/drill?as_of={AS_OF}"
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost" + opened}).get_json()
    assert "下钻" in str(_by_id(layout, "shell-content"))
    assert "组织 A2" in str(_by_id(layout, "shell-navbar"))  # the user's own scope
    with as_user("uma"):
        _, _, key = shell.route("/drill", f"?as_of={AS_OF}", "zh")
    assert _by_id(layout, "shell-rendered")["props"]["data"] == key
    client.set_cookie("lang", "en")  # the language the browser keeps (assets/session.js)
    english = client.get("/_dash-layout", headers={"Referer": "http://localhost" + opened}).get_json()
    assert "Drill-down" in str(_by_id(english, "shell-content"))
    for referer in ({}, {"Referer": "http://elsewhere.example" + opened}, {"Referer": "http://localhost/_dash-layout"}):
        frame = client.get("/_dash-layout", headers=referer).get_json()  # the frame alone: the router draws
        assert not any(slot["props"].get("children") for slot in _by_id(frame, "shell-content")["props"]["children"])


def _slots(before: dict | None, after: dict, page) -> list[tuple]:
    """What the router's answer does to each slot of the content: (its new page, hidden), "-" where unchanged."""
    children, hidden = shell.slot_outputs(before, after, page)
    unchanged = lambda v: v is no_update  # noqa: E731
    return [("-" if unchanged(c) else c and c.to_plotly_json()["props"]["data-page"], "-" if unchanged(h) else h)
            for c, h in zip(children, hidden)]


def test_a_page_left_stays_mounted_and_is_shown_again_as_it_was(as_user, sessions):
    """Going back to a page visited before shows its slot again, hidden meanwhile, without drawing it, while
    its URL state and data are what it was drawn for; it is drawn afresh for other data, when the browser
    says its grid was left in another order, or for another round, date or language (which empties the
    others). An admin page goes when left; at most KEEP pages stay, the least recently shown gives way."""
    search = "?as_of=" + AS_OF

    def go(path, rendered, query=search, **options):
        _, page, after = shell.route(path, query, "zh", rendered, **options)
        return _slots(rendered, after, page), after
    with as_user("ada"):
        slots, drill = go("/drill", None)
        assert slots == [("drill", False), ("-", True), ("-", True), ("-", True)]
        slots, redline = go("/redline", drill)
        assert slots == [("-", True), ("redline", False), ("-", "-"), ("-", "-")]
        slots, back = go("/drill", redline)
        assert slots == [("-", False), ("-", True), ("-", "-"), ("-", "-")]  # nothing drawn
        assert go("/drill", redline, redraw=True)[0][0] == ("drill", False)
        assert go("/drill", redline, f"{search}&system=交通运输系统")[0][0] == ("-", False)  # the node moves in place
        slots, fresh = go("/drill", redline, "?as_of=2024-06-30")  # another day: the others emptied
        assert slots == [("drill", False), (None, True), ("-", "-"), ("-", "-")]
    with sessions.begin() as s:
        bump_version(s)  # an import, a rule edit: every kept page is drawn again when shown
    with as_user("ada"):
        slots, rendered = go("/redline", back)
        assert slots == [("-", True), ("redline", False), ("-", "-"), ("-", "-")]
        slots, rendered = go("/audit", rendered)
        assert slots[2] == ("audit", False)
        slots, rendered = go("/", rendered)
        assert slots == [("-", "-"), ("-", "-"), ("overview", False), ("-", "-")]  # in the slot of /audit, gone when left
        for path in ("/quality", "/pledges"):
            slots, rendered = go(path, rendered)
        assert shell.KEEP == 4 and [s["path"] for s in rendered["slots"]] == ["/pledges", "/redline", "/", "/quality"]
        assert slots[0] == ("pledges", False)  # in the slot of /drill, shown least lately


def test_a_page_is_drawn_ahead_beside_the_only_page_mounted(as_user, sessions):
    """While a user reads the only page mounted, the browser asks for one more: 红线 beside 下钻, 下钻 beside any
    other, drawn into an empty slot, out of sight, for the round and date on screen (not the page's node or
    filters), so that the navbar's link to it shows it with nothing drawn. Never beside a second page mounted,
    never for a record that is not the page on screen; an import draws it again when shown."""
    query = f"?as_of={AS_OF}&system=交通运输系统"

    def ahead(path, search, rendered):
        free, page, after = shell.prefetch(path, search, "zh", rendered)
        assert after["shown"] == rendered["shown"] and free not in rendered["used"]
        return page.to_plotly_json()["props"]["data-page"], after
    with as_user("ada"):
        _, _, drill = shell.route("/drill", query, "zh")
        drawn, rendered = ahead("/drill", query, drill)
        assert drawn == "redline" and rendered["slots"][1]["key"] == ["/redline", {"as_of": AS_OF}, "zh"]
        with pytest.raises(PreventUpdate):  # a second page mounted: nothing more
            shell.prefetch("/drill", query, "zh", rendered)
        with pytest.raises(PreventUpdate):  # the record is not the page on screen
            shell.prefetch("/rectifications", f"?as_of={AS_OF}", "zh", drill)
        with pytest.raises(PreventUpdate):  # another date on screen than the record's
            shell.prefetch("/drill", "?as_of=2024-06-30", "zh", drill)
        # The navbar's link to the page drawn ahead (round and date only): shown, nothing drawn.
        _, page, shown = shell.route("/redline", f"?as_of={AS_OF}", "zh", rendered)
        assert page is None and shown["shown"] == 1
        _, _, ledger = shell.route("/rectifications", f"?as_of={AS_OF}", "zh")
        assert ahead("/rectifications", f"?as_of={AS_OF}", ledger)[0] == "drill"
        # A page opened takes the slot of a page drawn ahead and never shown before any page visited.
        _, _, overview = shell.route("/", f"?as_of={AS_OF}", "zh", rendered)
        _, _, full = shell.route("/pledges", f"?as_of={AS_OF}", "zh", overview)
        _, _, opened = shell.route("/quality", f"?as_of={AS_OF}", "zh", full)
        assert [s["path"] for s in opened["slots"]] == ["/drill", "/quality", "/", "/pledges"]
    with sessions.begin() as s:
        bump_version(s)
    with as_user("ada"):
        _, page, _ = shell.route("/redline", f"?as_of={AS_OF}", "zh", rendered)
        assert page is not None  # drawn ahead for other data: drawn again


def test_the_page_of_a_link_pointed_at_is_drawn_ahead(as_user):
    """A navbar link the pointer rests on has its page drawn ahead, out of sight, beside any pages mounted: into
    an empty slot, else into that of the page shown least recently, never the one on screen; it gives way first.
    Not for a page mounted, an admin page or anything the browser makes up."""
    search = f"?as_of={AS_OF}"

    def pointed(path, rendered, at):
        free, page, after = shell.prefetch(path, search, "zh", rendered, at)
        assert after["shown"] == rendered["shown"] and after["used"][0] == free
        return page.to_plotly_json()["props"]["data-page"], free, after
    with as_user("ada"):
        _, _, drill = shell.route("/drill", search, "zh")
        drawn, free, rendered = pointed("/drill", drill, "/rectifications")
        assert (drawn, free) == ("rectifications", 1)
        assert rendered["slots"][1]["key"] == ["/rectifications", {"as_of": AS_OF}, "zh"]
        # The click that follows shows it, nothing drawn.
        _, page, shown = shell.route("/rectifications", search, "zh", rendered)
        assert page is None and shown["shown"] == 1
        for refused in ("/rectifications", "/drill", "/users", "/nowhere", ["/pledges"], {"path": "/pledges"}):
            with pytest.raises(PreventUpdate):
                shell.prefetch("/rectifications", search, "zh", shown, refused)
        for path in ("/redline", "/pledges"):
            _, _, shown = shell.route(path, search, "zh", shown)
        assert [s["path"] for s in shown["slots"]] == ["/drill", "/rectifications", "/redline", "/pledges"]
        drawn, free, rendered = pointed("/pledges", shown, "/quality")
        assert (drawn, free) == ("quality", 0)  # 下钻's slot, shown least lately
        drawn, free, _ = pointed("/pledges", rendered, "/")
        assert (drawn, free) == ("overview", 0)  # in place of the page pointed at before, never shown


def test_no_two_pages_share_a_component_id(as_user):
    """Pages stay mounted side by side (callbacks.shell.KEPT): an id on two of them would leave the browser
    updating one of the two, at random. Their later parts are counted in."""
    from dash.development.base_component import Component

    from layouts.components import Later

    def ids_in(node) -> set:
        found = set()
        for c in [node, *node._traverse()]:
            if isinstance(c, Later):
                found |= set().union(*(ids_in(part) for part in c.parts))
            if isinstance(c, Component) and getattr(c, "id", None) is not None:
                found.add(str(sorted(c.id.items())) if isinstance(c.id, dict) else c.id)
        return found
    seen: dict[str, str] = {}
    with as_user("ada"):
        for path in sorted(shell.KEPT):
            _, page, _ = shell.route(path, f"?as_of={AS_OF}" + ("&org=A2" if path == "/org" else ""), "zh")
            for cid in ids_in(page):
                assert cid not in seen, (cid, seen.get(cid), path)
                seen[cid] = path
    assert len(seen) > 100


def test_grid_sort_and_filter_live_in_the_url_without_rebuilding_the_page(as_user):

    # The browser writes the grid's models into the URL (assets/clientside.js grids.toUrl,
    # tests/test_browser_app.py); the router leaves the page alone.
    search = urlstate.encode({"as_of": AS_OF, **urlstate.encode_grid(
        [{"colId": "c2", "sort": "desc"}], {"c0": {"filterType": "text", "type": "contains", "filter": "交通"}})})
    state = urlstate.parse(search)
    with as_user("ada"):
        _, _, key = shell.route("/drill", "?as_of=" + AS_OF, "zh", None)
        with pytest.raises(PreventUpdate):  # same page and node, only the grid state changed
            shell.route("/drill", search, "zh", key)
        grid = grid_in(tables.render(store("drilldown", state)))
        assert [c.get("sort") for c in grid.columnDefs][:3] == [None, None, "desc"]
        assert grid.filterModel == urlstate.decode_grid(state)[1]
        bad = grid_in(tables.render(store("drilldown", {**state, "sort": "c99:asc"})))
        assert all("sort" not in c for c in bad.columnDefs)  # a stale link falls back to the report's order


def test_a_bar_of_the_overview_opens_that_systems_drilldown(as_user):
    with as_user("ada"):
        body = overview.show(TOP, "zh")
    graphs = {}

    def walk(node):
        if getattr(node, "figure", None) is not None:
            graphs[node.id] = node.figure
        for child in (node.children if isinstance(getattr(node, "children", None), list)
                      else [getattr(node, "children", None)]):
            if child is not None and not isinstance(child, str):
                walk(child)
    walk(body)
    for figure in graphs.values():
        go.Figure(figure)  # plain-dict figures: plotly's validation still accepts every property
    bars = graphs["overview-by-system"]["data"][0]
    assert list(bars["x"]) == ["交通运输系统", "卫生健康系统"]
    assert [round(y, 4) for y in bars["y"]] == [round(69 / 96, 4), 1.0]
    # The round's red line (综合满意率 2/3) is drawn on the bars; both systems are above it, so neither is red.
    assert graphs["overview-by-system"]["layout"]["shapes"][0]["y0"] == pytest.approx(2 / 3)
    assert bars["marker"]["color"] == ["#0d6efd", "#0d6efd"]
    path, search = overview.open_group("system", {"points": [{"customdata": list(bars["customdata"][0])}]},
                                       f"?as_of={AS_OF}&org=A")
    assert path == "/drill" and search == "?" + urlencode({"system": "交通运输系统", "as_of": AS_OF})


def test_an_empty_database_shows_a_helpful_empty_state(web_app, sessions):
    with sessions.begin() as s:
        user = WebUser.of(create_user(s, "ada", "password-123", "admin"))
    with web_app.test_request_context("/_dash-update-component", method="POST"):
        login_user(user)
        _, content, _ = shell.route("/", "", "zh")
    assert "尚无评议批次" in text_of(content)


def test_a_redline_candidate_row_opens_its_drilldown(as_user):
    with as_user("ada"):
        rows = tables.get_rows(request(), store("redline"))["rowData"]
    assert rows, "the campaign has candidates"
    # Each row's id is the link a click opens (in the browser: tests/test_browser_app.py).
    path, _, search = rows[0]["_id"].partition("?")
    assert path == "/drill" and urlstate.parse(search) == {"org": rows[0]["c0"], "as_of": AS_OF}


def test_system_and_region_choices_are_limited_to_the_scope(as_user):
    def options(row, i):
        return [o["value"] for o in row.children[i].children[1].options]

    with as_user("ada"):
        row = drill.show_pickers(TOP, "zh")
        assert options(row, 0) == ["交通运输系统", "卫生健康系统"]
        assert options(row, 1) == ["510000", "510100", "510104", "510700"]
        health = drill.show_pickers({"system": "卫生健康系统"}, "zh")
        assert options(health, 1) == ["510000", "510700"]
    with as_user("uma"):  # A2 and A21 sit in 锦江区, 成都市, 四川省
        row = drill.show_pickers(TOP, "zh")
        assert options(row, 0) == ["交通运输系统"] and options(row, 1) == ["510000", "510100", "510104"]
    with as_user("nob"):
        row = drill.show_pickers(TOP, "zh")
        assert options(row, 0) == [] and options(row, 1) == []


def test_a_drill_move_to_another_system_replaces_the_region_choices_only_when_they_differ(as_user, monkeypatch):
    """The region picker follows the system the user moved into; when that system holds the same regions its
    choices stay as they are (the browser would index them again for nothing)."""
    from types import SimpleNamespace

    from callbacks import common
    put: dict = {}
    monkeypatch.setattr(common, "ctx", SimpleNamespace(triggered_id=ids.Drill.URL))  # a link moved the page
    monkeypatch.setattr(common, "set_props", lambda component_id, props: put.setdefault(str(component_id), {})
                        .update(props))

    def moved(to: dict, shown: dict) -> dict:
        put.clear()
        drill.move(urlstate.encode(to), "/drill", "zh", shown, None)
        return put.get(ids.Drill.REGION)

    with as_user("ada"):  # 卫生健康系统 holds two of the four regions
        assert moved({"system": "卫生健康系统", **TOP}, TOP) == {"options": [
            {"label": "四川省（510000）", "value": "510000"},
            {"label": "四川省 / 绵阳市（510700）", "value": "510700"}], "value": None}
        assert put[ids.Drill.SYSTEM] == {"value": "卫生健康系统"}
        assert [o["value"] for o in moved({"system": "交通运输系统", **TOP},
                                          {"system": "卫生健康系统", **TOP})["options"]] == \
            ["510000", "510100", "510104"]
    with as_user("uma"):  # every region uma may see holds an org of 交通运输系统
        assert moved({"system": "交通运输系统", **TOP}, TOP) is None
        assert put[ids.Drill.SYSTEM] == {"value": "交通运输系统"}
        assert moved({"system": "交通运输系统", "region": "510104", **TOP}, {"system": "交通运输系统", **TOP}) == \
            {"value": "510104"}


def test_small_breakdown_cells_show_counts_only(as_user):
    with as_user("ada"):
        rows = tables.get_rows(request(), store("categories", {"org": "A", "as_of": AS_OF}))["rowData"]
        notes = text_of(tables.render(store("categories", {"org": "A", "as_of": AS_OF})))
    by_category = {r["c0"]: r for r in rows}
    assert by_category["服务对象"]["c1"] == "<5"  # 3 + 0 + 1 answers: too few to show rates (anonymity)
    assert all(v in ("<5", None) for k, v in by_category["服务对象"].items() if k.startswith("c") and k != "c0")
    assert isinstance(by_category["单位参评人员"]["c1"], int)
    assert "<5" in notes


def test_a_page_s_callbacks_compute_a_shared_table_once(web_app, as_user, monkeypatch):
    """数据质量's summary and findings arrive together: with the report cache on, the quality checks run once."""
    import threading
    import time as time_module

    from callbacks import common

    built, real_build = [], reports.build

    def slow_build(name, *args):
        built.append(name)
        time_module.sleep(0.2)  # long enough for both callers to miss the cache
        return real_build(name, *args)
    monkeypatch.setattr(reports, "build", slow_build)
    found = {}

    def ask(name):
        with as_user("ada"):
            found[name] = common.table(name, TOP)
    threads = [threading.Thread(target=ask, args=(n,)) for n in ("quality", "quality-summary")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert built == ["quality"]
    assert [r[0] for r in found["quality-summary"].rows] == list(reports.ledger_reports.QUALITY_CHECKS)
    assert sum(r[1] > 0 for r in found["quality-summary"].rows) >= 1


MARKUP = '<a href="http://evil.example/">钓鱼</a><b>粗</b>'


def _figure_strings(node, found: list[str]) -> list[str]:
    """Every string plotly may render inside the figures of a component tree: all but customdata, which a
    hover shows only where its template names it (checked: only numbers are named that way)."""
    figure = getattr(node, "figure", None)
    if figure is not None:
        plain = figure.to_plotly_json() if isinstance(figure, go.Figure) else figure
        for trace in plain["data"]:
            for index in re.findall(r"%\{customdata\[(\d)\]", trace.get("hovertemplate") or ""):
                assert all(not isinstance(c[int(index)], str) for c in trace["customdata"])

        def strings(value):
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, dict):
                for k, v in value.items():
                    if k != "customdata":
                        strings(v)
            elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
                for v in (value.tolist() if hasattr(value, "tolist") else value):
                    strings(v)
        strings(plain)
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            _figure_strings(child, found)
    return found


def test_names_from_data_show_as_text_in_every_chart(as_user, sessions):
    """Issue 18 point 5: an org, system, region or round named with markup stays text in the overview's axes
    and hovers, the funnel's hover and the completeness chart — the only tags left are the charts' own."""
    from sqlalchemy import update

    from callbacks import reporting
    from data.models import Org, Region, Round, System
    from data.rollups import refresh_after_org_change

    with sessions.begin() as s:
        s.execute(update(System).where(System.name == "交通运输系统").values(name=MARKUP))
        s.execute(update(Org).where(Org.code == "A2").values(name=MARKUP))
        s.execute(update(Region).where(Region.code == "510104").values(name=MARKUP + "区"))
        s.execute(update(Round).where(Round.name == rd.R1).values(name=MARKUP + "批次"))
        refresh_after_org_change(s)
    with as_user("ada"):
        shown = {"overview": overview.show(TOP, "zh"), "funnel": redline.show_funnel(TOP, "zh"),
                 "reporting": reporting.show_chart({**TOP, "round": rd.R2}, "zh")}
    escaped = MARKUP.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for page, component in shown.items():
        strings = _figure_strings(component, [])
        assert any(escaped in s for s in strings), page  # the name is there, as text
        tags = {tag for s in strings for tag in re.findall(r"<[^<>]*>", s)}
        assert tags <= {"<br>", "<extra>", "</extra>"}, (page, tags)
