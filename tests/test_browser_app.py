"""The app in real Chromium (Playwright): log in, drill down and back up, reopen a copied link, export
from the grid and compare with the CLI, switch the language, open an org from the funnel plot.

Runs on the small demo campaign in a temporary SQLite database, served from a thread. Screenshots of every
page go to test-artifacts/screenshots/. Without Chromium the tests skip loudly (CI=true: they fail).
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

import openpyxl
import pytest

from tests.conftest import skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
# The slot of the shell's content on screen: the pages visited before stay in the others, hidden (callbacks.shell).
SHOWN = "#shell-content > :not([hidden])"
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM),
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}, "accept_downloads": True,
            "locale": "zh-CN"}


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The app on the small demo, served on 127.0.0.1 and a free port for the whole session."""
    from werkzeug.serving import make_server

    from app import create_app
    from data.db import make_engine, make_session_factory
    from data.demo import demo_as_of, load_demo
    from data.schema import upgrade
    from data.users import create_user

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    load_demo(factory, scale="small")
    password = secrets.token_urlsafe(12)
    with factory.begin() as s:
        create_user(s, "admin", password, "admin", display_name="测试管理员")
    app = create_app({"ENGINE": engine, "SECRET_KEY": secrets.token_hex(16)})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request drowns a failure
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield {"base": f"http://127.0.0.1:{server.server_port}", "password": password, "url": url,
           "as_of": demo_as_of().isoformat()}
    server.shutdown()
    engine.dispose()


@pytest.fixture
def errors(page):
    seen: list[str] = []
    page.on("pageerror", lambda exc: seen.append(str(exc)))
    return seen


def log_in(page, live, path="/"):
    page.goto(live["base"] + path)
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(live["password"])
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("#shell-navbar .navbar")


def shot(page, name):
    page.wait_for_timeout(300)  # let the last paint land before the picture
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def first_cell_selector(card: str, col: str) -> str:
    """The first row's cell once it holds data ([row-id]: not the infinite model's placeholder row, "—")."""
    return f"#card-{card} .ag-row[row-index='0'][row-id] .ag-cell[col-id='{col}']"


def first_cell(page, card="drilldown", col="c1"):
    cell = page.locator(first_cell_selector(card, col)).first
    cell.wait_for()
    page.wait_for_function("el => el.innerText.trim().length > 0", arg=cell.element_handle())
    return cell


def whole_cells(page, table: str, header: str) -> bool:
    """Every cell of the grid `table`'s column `header` on screen is read whole (no "To be or…", "Party …"), the
    column scrolled into view first."""
    col = page.evaluate("""([t, h]) => { const api = window.dash_ag_grid.getApi({type: 'report-grid', table: t});
                                 const col = api.getColumnDefs().find(d => d.headerName === h).colId;
                                 api.ensureColumnVisible(col); return col; }""", [table, header])
    cells = page.locator(f"#card-{table} .ag-row .ag-cell[col-id='{col}']")
    cells.first.wait_for()
    whole = "e => [e, ...e.querySelectorAll('*')].every(x => x.scrollWidth <= x.clientWidth + 1)"  # its text's box too
    return cells.count() > 0 and all(cells.nth(i).evaluate(whole) for i in range(cells.count()))


def wait_first_cell_changed(page, old: str, card="drilldown", col="c1"):
    """Until the grid's first row of data shows something other than `old` in `col`: its new rows are in."""
    page.wait_for_function("""([sel, old]) => { const c = document.querySelector(sel);
        return c && c.innerText.trim() !== '' && c.innerText !== old; }""", arg=[first_cell_selector(card, col), old])


def wait_crumbs(page, n: int, at_least: bool = False):
    op = ">=" if at_least else "==="
    page.wait_for_function(f"() => document.querySelectorAll('#drill-breadcrumb .breadcrumb-item').length {op} {n}")


def column(page, col, card="drilldown") -> list[str]:
    """The texts of one column in row order (the grid may keep its row elements in another order)."""
    return page.evaluate("""([card, col]) => [...document.querySelectorAll(
            `#card-${card} .ag-center-cols-container .ag-row`)]
        .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
        .map(r => (r.querySelector(`.ag-cell[col-id='${col}']`) || {}).innerText)""", [card, col])


def data_columns(page, card: str, cols) -> list[list[str]]:
    """column() of each of cols, once every row the grid draws holds data: a grid drawn again (its card's
    parts asked again) first shows the infinite row model's placeholder row, which a read could catch."""
    page.wait_for_function("""card => { const rows = [...document.querySelectorAll(
        `#card-${card} .ag-center-cols-container .ag-row`)];
        return rows.length > 0 && rows.every(r => r.hasAttribute('row-id')); }""", arg=card)
    return [column(page, col, card) for col in cols]


def wait_column(page, col, expected: list[str], card="drilldown"):
    """Wait until a column shows exactly these texts in row order (the grid loads rows asynchronously)."""
    try:
        page.wait_for_function("""([card, col, expected]) => JSON.stringify([...document.querySelectorAll(
                `#card-${card} .ag-center-cols-container .ag-row`)]
            .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
            .map(r => (r.querySelector(`.ag-cell[col-id='${col}']`) || {}).innerText)) === JSON.stringify(expected)""",
                               arg=[card, col, expected], timeout=10_000)
    except Exception:  # noqa: BLE001 - show what differs rather than a bare timeout
        assert column(page, col, card) == expected


def crumbs(page) -> list[str]:
    return [t.strip() for t in page.locator("#drill-breadcrumb .breadcrumb-item").all_inner_texts()]


def test_login_shows_the_overview(page, live, errors):
    page.goto(live["base"] + "/")
    assert "/login" in page.url
    shot(page, "login")
    log_in(page, live, f"/?as_of={live['as_of']}")
    cards = page.locator("#overview-kpis")
    cards.wait_for()
    for label in ("参评人次", "满意率", "综合满意率", "返工/补课", "承诺兑现率", "整改完成率", "超期整改"):
        assert cards.get_by_text(label, exact=True).count() == 1
    assert re.search(r"\d+\.\d%", cards.inner_text())
    page.locator("#overview-trend .main-svg").first.wait_for()
    shot(page, "overview")
    assert not errors


def test_drill_three_levels_down_back_up_and_reopen_the_link(page, live, errors):
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    assert crumbs(page) == ["全部"]
    names = []
    for key in ("system", "region", "org"):
        if names:  # the level's own rows, not the rows of the level above still on screen
            wait_first_cell_changed(page, names[-1])
        cell = first_cell(page)
        names.append(cell.inner_text().strip())
        cell.click()
        page.wait_for_url(re.compile(rf"[?&]{key}="))
        wait_crumbs(page, len(names) + 1)
    path = crumbs(page)
    assert path[0] == "全部" and path[1] == names[0] and len(path) == 4
    assert f"as_of={live['as_of']}" in page.url
    first_cell(page, "items", "c0")
    shot(page, "drill")
    page.locator("#card-drilldown .ag-header-cell[col-id='c2']").click()  # sort by 测评数, ascending
    page.wait_for_url(re.compile(r"sort=c2%3Aasc"))
    page.locator("#card-drilldown .ag-header-cell[col-id='c2']").click()  # and again: descending
    page.wait_for_url(re.compile(r"sort=c2%3Adesc"))
    page.wait_for_function(SORTED_DESC_C2)
    assert len(crumbs(page)) == 4  # sorting keeps the page, only the URL records it

    link = page.url  # a copied link opens the same view, sorted the same way, in a fresh page
    fresh = page.context.new_page()
    fresh.goto(link)
    wait_crumbs(fresh, 4)
    assert crumbs(fresh) == path
    wait_column(fresh, "c1", column(page, "c1"))  # same rows in the same (sorted) order
    fresh.close()

    page.locator("#drill-breadcrumb").get_by_role("link", name=path[1]).click()
    page.wait_for_url(re.compile(r"system="))
    wait_crumbs(page, 2)
    assert "region=" not in page.url and "org=" not in page.url
    assert f"as_of={live['as_of']}" in page.url  # the date (and round) are kept on the way up
    assert "sort=c2%3Adesc" in page.url  # and the user's sort, level to level (issue 16 point 5)
    page.wait_for_function(SORTED_DESC_C2)
    first_cell(page).click()
    page.wait_for_url(re.compile(r"region=.*sort=c2%3Adesc|sort=c2%3Adesc.*region="))
    wait_crumbs(page, 3)  # the grid on the next level down shows the same sort
    page.wait_for_function("""() => document.querySelector(
        "#card-drilldown .ag-header-cell[col-id='c2']").getAttribute('aria-sort') === 'descending'""")
    deeper = crumbs(page)
    page.go_back()  # the back and forward buttons move the page with the address
    wait_crumbs(page, 2)
    assert "region=" not in page.url
    page.go_forward()
    wait_crumbs(page, 3)
    assert crumbs(page) == deeper and "region=" in page.url
    assert not errors


SORTED_DESC_C2 = """() => {
    const v = [...document.querySelectorAll("#card-drilldown .ag-center-cols-container .ag-row")]
        .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
        .map(r => Number(r.querySelector(".ag-cell[col-id='c2']").innerText.replace(/,/g, '')));
    return v.length > 1 && v.every((x, i) => i === 0 || v[i - 1] >= x); }"""


def sheet_values(path) -> list[list]:
    sheet = openpyxl.load_workbook(path, read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_grid_export_equals_the_cli_export(page, live, errors, tmp_path, monkeypatch):
    from dashboard import cli

    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page).click()  # one system: the export carries the filter
    page.wait_for_url(re.compile(r"system="))
    system = re.search(r"system=([^&]+)", page.url).group(1)
    first_cell(page)
    with page.expect_download() as download:
        page.locator("#card-drilldown").get_by_role("button", name="导出 Excel").click()
    got = tmp_path / "grid.xlsx"
    download.value.save_as(got)
    assert download.value.suggested_filename.endswith(".xlsx")

    from urllib.parse import unquote
    monkeypatch.setenv("DATABASE_URL", live["url"])
    cli_out = tmp_path / "cli.xlsx"
    assert cli.main(["export", "drilldown", "--out", str(cli_out), "--system", unquote(system),
                     "--as-of", live["as_of"]]) == 0
    ours, theirs = sheet_values(got), sheet_values(cli_out)
    skip = {"导出人", "导出时间"}  # who and when differ by design; everything else is the same table
    assert [r for r in ours if r[0] not in skip] == [r for r in theirs if r[0] not in skip]
    assert len(ours) > 8
    assert not errors


def test_switch_language_and_keep_it(page, live, errors):
    log_in(page, live, f"/?as_of={live['as_of']}")
    page.locator("#overview-kpis").wait_for()
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Overview").wait_for()
    page.locator("#overview-kpis").get_by_text("Satisfied", exact=True).wait_for()  # the cards follow
    page.goto(live["base"] + f"/drill?as_of={live['as_of']}")
    page.get_by_role("heading", name="Drill-down").wait_for()  # the choice survives a reload
    first_cell(page)
    shot(page, "drill-en")
    page.get_by_role("button", name="中文").click()
    page.get_by_role("heading", name="下钻").wait_for()
    assert not errors


NAV_ROW = """() => {
    const box = el => el.getBoundingClientRect();
    const items = [document.querySelector('#shell-navbar .navbar-brand'),
                   ...document.querySelectorAll('#shell-navbar .shell-links > .nav-item')].map(box);
    const tops = items.map(r => Math.round(r.top));
    const overlaps = items.slice(1).filter((r, i) => r.left < items[i].right - 1).length;
    return {tops: [...new Set(tops)], overlaps, right: Math.max(...items.map(r => r.right)), n: items.length};
}"""


def test_navbar_links_fit_one_row_at_1400_in_both_languages(page, live, errors):
    """The admin's navbar (the most links): title and every page link in one row, nothing overlapping,
    in Chinese and in English; the ledgers are in the 台账 / Ledgers menu, the admins' own pages in the 管理 /
    Admin menu."""
    log_in(page, live, f"/?as_of={live['as_of']}")
    page.locator("#overview-kpis").wait_for()
    assert page.viewport_size["width"] == 1400
    for lang, menu, item, ledgers, ledger in (("zh", "管理", "审计日志", "台账", "领导点评"),
                                              ("en", "Admin", "Audit log", "Ledgers", "Comments")):
        if lang == "en":
            page.get_by_role("button", name="English").click()
            page.get_by_role("heading", name="Overview").wait_for()
        row = page.evaluate(NAV_ROW)
        # the title, eight page links, the 台账 menu (整改台账, 承诺践诺, 领导点评), 导入 and the 管理 menu
        assert row["n"] == 11 and len(row["tops"]) == 1 and row["overlaps"] == 0, (lang, row)
        assert row["right"] <= 1400, (lang, row)
        page.screenshot(path=str(SHOTS / f"navbar-{lang}.png"), clip={"x": 0, "y": 0, "width": 1400, "height": 130})
        page.locator("#shell-ledger-menu").get_by_role("button", name=ledgers).click()
        page.keyboard.press("Escape")  # closes the menu, as a click beside it does
        page.locator("#shell-ledger-menu .dropdown-item").first.wait_for(state="hidden")
        page.locator("#shell-ledger-menu").get_by_role("button", name=ledgers).click()
        page.locator("#shell-ledger-menu .dropdown-item", has_text=ledger).click()
        page.wait_for_url(re.compile(r"/comments"))
        page.get_by_role("heading", name=ledger, exact=True).wait_for()
        assert "active" in page.locator("#shell-ledger-menu .dropdown-toggle").get_attribute("class")
        page.locator("#shell-admin-menu").get_by_role("button", name=menu).click()
        page.locator("#shell-admin-menu .dropdown-item", has_text=item).click()
        page.wait_for_url(re.compile(r"/audit"))
        page.locator("#card-audit").wait_for()
        shot(page, f"audit-{lang}")
        page.goto(live["base"] + f"/?as_of={live['as_of']}")
        page.locator("#overview-kpis").wait_for()
    page.get_by_role("button", name="中文").click()
    page.get_by_role("heading", name="总览").wait_for()
    assert not errors


def test_redline_candidates_and_funnel_click_opens_the_org(page, live, errors):
    log_in(page, live, f"/redline?as_of={live['as_of']}")
    code = first_cell(page, "redline", "c0").inner_text().strip()
    assert page.locator("#card-redline .cell-red").count() >= 1  # 确认低于 is coloured
    first_cell(page, "redline", "c1").click()  # a candidate: that org on 下钻, on the same day
    page.wait_for_url(re.compile(rf"/drill\?.*org={code}"))
    assert f"as_of={live['as_of']}" in page.url
    wait_crumbs(page, 2, at_least=True)
    page.go_back()
    point = page.locator("#redline-funnel .scatterlayer .trace").last.locator(".point").first
    point.wait_for()
    shot(page, "redline")
    point.click(force=True)
    page.wait_for_url(re.compile(r"/drill\?.*org="))
    assert f"as_of={live['as_of']}" in page.url
    wait_crumbs(page, 2, at_least=True)
    assert not errors


def cell_under(page, card: str, header: str, row: int = 0) -> str:
    """The text of row `row` in the column headed `header` of a card's grid."""
    return page.evaluate("""([card, header, row]) => {
        const head = [...document.querySelectorAll(`#card-${card} .ag-header-cell`)]
            .find(h => h.innerText.trim() === header);
        const cell = head && document.querySelector(
            `#card-${card} .ag-row[row-index='${row}'] .ag-cell[col-id='${head.getAttribute('col-id')}']`);
        return cell ? cell.innerText.trim() : null; }""", [card, header, row])


def test_a_drill_click_asks_for_the_grid_then_the_cards_and_keeps_the_page_mounted(page, live, errors):
    """The shell, the breadcrumb and the grids stay the same elements; only their contents change. A click is
    one request for the breadcrumb and the children's rows, then one for the breakdown cards, which show the
    clicked org's own figures (its 总体评价 count is the 测评数 of the row clicked)."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    first_cell(page)
    kept = ["#shell-navbar .navbar", "#drill-breadcrumb", "#card-drilldown .ag-root-wrapper",
            "#card-items .ag-root-wrapper"]
    mark_kept(page, kept)
    sent = dash_requests(page)
    for depth in (2, 3, 4):
        page.wait_for_timeout(400)  # the previous click's requests are over
        sent.clear()
        old, count = first_cell(page).inner_text(), cell_under(page, "drilldown", "测评数")
        first_cell(page).click()
        wait_crumbs(page, depth)
        wait_first_cell_changed(page, old)  # first_cell's column: its name
        settled(page, sent)
        assert [r["output"].lstrip(".").split("@")[0] for r in sent][:1] == ["drill-breadcrumb.children"], sent
        assert len(sent) == 2 and sent[1]["inputs"][0]["id"] == {"table": "drilldown", "type": "report-grid-live"}
        assert page.locator(".stale").count() == 0  # the cards no longer wait
        assert cell_under(page, "items", "测评数") == count  # 总体评价 of the org clicked
        assert page.evaluate("sels => sels.every(s => document.querySelector(s)?.dataset.kept === '1')", kept)
    shot(page, "drill-in-place")
    page.go_back()  # the browser's back button is a node change like any other
    wait_crumbs(page, 3)
    assert page.evaluate("sels => sels.every(s => document.querySelector(s)?.dataset.kept === '1')", kept)
    first_cell(page).click()  # the row clicked before, asked again: the page moves again
    wait_crumbs(page, 4)
    assert not errors


def mark_kept(page, selectors: list[str]):
    """Marks each element once all are there (parts of a page come in later), to find later that it is the same."""
    page.wait_for_function("sels => sels.every(s => document.querySelector(s))", arg=selectors)
    page.evaluate("sels => sels.forEach(s => { document.querySelector(s).dataset.kept = '1'; })", selectors)


def dash_requests(page, ahead: bool = False) -> list:
    """The Dash requests the page sends from now on (POST /_dash-update-component), as a growing list; but the
    asks for a page drawn ahead, which the browser makes while the user reads a page and are no interaction's
    (callbacks.shell.prefetch, test_a_page_is_drawn_ahead_while_the_user_reads). ahead: only those asks."""
    sent: list = []
    page.on("request", lambda r: sent.append(r.post_data_json) if "_dash-update-component" in r.url
            and drawn_ahead(r.post_data_json) == ahead else None)
    return sent


def drawn_ahead(request: dict) -> bool:
    return request.get("changedPropIds") == ["shell-prefetch.data"]


def test_a_picked_system_is_two_requests_and_the_drill_starts_there(page, live, errors):
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    old = first_cell(page, col="c0").inner_text()
    page.wait_for_timeout(400)
    sent = dash_requests(page)
    page.locator("#drill-system").click()
    page.locator(".dash-dropdown-option", has_text="卫生健康系统").click()
    page.wait_for_url(re.compile(r"system="))
    wait_crumbs(page, 2)
    assert crumbs(page)[1] == "卫生健康系统"
    wait_first_cell_changed(page, old, col="c0")  # the system's own rows
    settled(page, sent)
    assert len(sent) == 2, [r["output"] for r in sent]  # the grid, then the breakdown cards
    assert f"as_of={live['as_of']}" in page.url
    assert not errors


def settled(page, sent: list, quiet_ms: int = 700) -> list:
    """The Dash requests sent until none was sent for quiet_ms (the interaction's chain has ended)."""
    seen = -1
    while seen != len(sent):
        seen = len(sent)
        page.wait_for_timeout(quiet_ms)
    return [r["output"] for r in sent]


# Pages with parts below their first grid, asked for once that grid is painted (layouts.components.Later).
LATER_PAGES = ("/drill", "/redline", "/rectifications", "/pledges", "/contact-points", "/workbench", "/reporting",
               "/quality")


def page_requests(path: str, outputs: list) -> bool:
    """Whether a page opened or changed made the router's one request, and one for its later parts if it
    has any: no request per card, per grid, per picker once it is on screen."""
    later = [o for o in outputs if '"page-later"}.children' in o]
    return len(outputs) - len(later) == 1 and len(later) == (path in LATER_PAGES)


def test_a_page_opened_or_changed_is_one_request_with_its_rows_painted(page, live, errors):
    """Opening a page, or going to another from the navbar, is the router's one request: the page comes with
    its parts and its first grid's rows; the parts below that grid are one more request, once it is painted."""
    log_in(page, live, f"/?as_of={live['as_of']}")
    page.wait_for_timeout(600)
    sent = dash_requests(page)
    page.goto(live["base"] + f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    first_cell(page, "drilldown", "c0")
    first_cell(page, "items", "c0")
    assert page_requests("/drill", settled(page, sent)), [(r["output"][:40], r.get("changedPropIds")) for r in sent]
    navbar = page.locator("#shell-navbar .navbar").element_handle()
    # AG Grid's theme CSS stays in the page from one page's grids to the next (the hidden grid of
    # layouts.shell): taken out and put back, the browser parsed 170 KB of it again on every change.
    page.evaluate("""() => { window.agCssRemoved = 0; new MutationObserver(records => records.forEach(r =>
        r.removedNodes.forEach(n => { if (n.dataset && n.dataset.agCss) window.agCssRemoved++; })))
        .observe(document.head, {childList: true}); }""")
    for path, card, menu in (("/redline", "redline", False), ("/rectifications", "rectifications", True),
                             ("/pledges", "pledges", True), ("/contact-points", "contact-points", False),
                             ("/workbench", "scorecard", False), ("/reporting", "reporting", False),
                             ("/quality", "quality", False), ("/comments", "comments", True),
                             ("/drill", "drilldown", False)):
        sent.clear()
        if menu:
            page.locator("#shell-ledger-menu .dropdown-toggle").click()
        page.locator(f"#shell-navbar a[href^='{path}?']").first.click()
        page.wait_for_url(re.compile(rf"{path}\?"))
        assert first_cell(page, card, "c0").inner_text().strip()
        assert page_requests(path, settled(page, sent)), (path, [(r["output"][:40], r.get("changedPropIds"))
                                                                 for r in sent])
        assert page.evaluate("el => el.isConnected", navbar)  # the navbar stays mounted
    assert page.evaluate("() => window.agCssRemoved") == 0
    answer = page.request.get(f"{live['base']}/api/v1/reports/ranking", params={"as_of": live["as_of"]}).json()
    code = answer["rows"][0][answer["columns"].index("组织编码")]
    sent.clear()
    page.goto(live["base"] + f"/org?org={code}&as_of={live['as_of']}")  # 单位画像 opened from a link
    page.wait_for_function("code => (document.querySelector('#profile-title') || {}).innerText?.includes(code)",
                           arg=code)
    page.locator("[data-figure='测评数']").wait_for()
    assert page_requests("/org", settled(page, sent)), [(r["output"][:40], r.get("changedPropIds")) for r in sent]
    assert not errors


GRID_PROPS = """table => { const grid = window.dash_component_api.getLayout({type: 'report-grid', table: table});
    const props = grid.props; return [props.getRowsRequest ? props.getRowsRequest.startRow : null,
    props.getRowsResponse === undefined ? 'never' : props.getRowsResponse === null ? 'taken' : 'pending']; }"""


def test_a_grid_drawn_with_its_page_is_handed_its_first_rows_as_it_asks(page, live, errors):
    """The first page of a grid's rows comes with its page; AG Grid gets it the moment it asks (assets/clientside.js
    firstRowsAtOnce), not after a round of Dash's props (the request passed on, the rows passed back as
    getRowsResponse, dash-ag-grid taking them on its next render). Its request is still recorded: a 下钻 move
    pushes the next node's rows into that same grid (callbacks.drill.refresh), and a page changed to the same."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    old = first_cell(page, col="c0").inner_text()
    assert page.evaluate(GRID_PROPS, "drilldown") == [0, "never"]
    sent = dash_requests(page)
    first_cell(page, col="c0").click()
    wait_crumbs(page, 2)
    wait_first_cell_changed(page, old, col="c0")  # the rows pushed into the grid its page drew
    assert page.evaluate(GRID_PROPS, "drilldown") == [0, "taken"]
    settled(page, sent)
    sent.clear()
    page.locator("#shell-ledger-menu .dropdown-toggle").click()
    page.locator("#shell-navbar a[href^='/rectifications?']").first.click()
    assert first_cell(page, "rectifications", "c0").inner_text().strip()
    assert page.evaluate(GRID_PROPS, "rectifications") == [0, "never"]
    assert page_requests("/rectifications", settled(page, sent)), [r["output"][:40] for r in sent]
    assert not errors


# In the page, before its scripts: each Dash request in the order it was made, as Dash's call to window.fetch
# ("dash") and as the request that goes to the network ("net"), with the prop that set it off. The app's scripts
# replace window.fetch with their own (assets/clientside.js first); what they call underneath goes to the network.
FETCH_ORDER = """(() => {
  const calls = window.__fetchOrder = [];
  let inDash = false;  // assets/session.js wraps window.fetch too: Dash's call is the outermost one
  const record = (kind, f) => function (url, init) {
    if (String(url).includes('_dash-update-component') && (kind === 'net' || !inDash)) {
      calls.push([kind, JSON.parse(init.body).changedPropIds[0]]);
    }
    const was = inDash;
    inDash = inDash || kind === 'dash';
    try { return f.apply(this, arguments); } finally { inDash = was; }
  };
  let current = record('net', window.fetch);
  Object.defineProperty(window, 'fetch', {configurable: true, get: () => current, set: f => { current = record('dash', f); }});
})();"""
CLICKED = '{"table":"drilldown","type":"report-grid"}.cellClicked'


def fetch_order(page, trigger: str) -> list:
    return [kind for kind, changed in page.evaluate("window.__fetchOrder") if changed == trigger]


def held(page, trigger: str) -> list:
    """The mouse button pressed where the pointer is and held 200 ms (no click yet, nothing of Dash's), then let
    go: the order `trigger`'s requests were made in while it was held (FETCH_ORDER)."""
    page.mouse.down()
    page.wait_for_timeout(200)
    order = fetch_order(page, trigger)
    page.mouse.up()
    return order


def test_a_row_pressed_or_a_link_followed_asks_the_server_before_dash_gets_to_it(page, live, errors):
    """A 下钻 row's request, and the router's for a navbar link, leave as the mouse button goes down, before the
    click is even complete (the server works while the browser handles the click): Dash's own request for the same
    is answered with it, nothing is asked twice (assets/clientside.js sendEarly). The first row click after a page
    load goes as Dash sends it: its shape is learnt from it (the router's from its first request, as the app starts)."""
    warned = []
    page.on("console", lambda m: warned.append(m.text) if m.type == "warning" else None)
    page.add_init_script(FETCH_ORDER)
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    old = first_cell(page).inner_text()
    first_cell(page).click()
    wait_crumbs(page, 2)
    wait_first_cell_changed(page, old)
    assert fetch_order(page, CLICKED) == ["dash", "net"]  # the first: learnt from Dash's
    sent = dash_requests(page)
    settled(page, sent)
    sent.clear()
    page.evaluate("window.__fetchOrder.length = 0")
    old, box = first_cell(page).inner_text(), first_cell(page).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert held(page, CLICKED) == ["net"]
    wait_crumbs(page, 3)
    wait_first_cell_changed(page, old)
    settled(page, sent)
    assert fetch_order(page, CLICKED) == ["net", "dash"]  # Dash's answered with the one sent at the press
    assert sum(o.startswith("..drill-breadcrumb.children") for o in [r["output"] for r in sent]) == 1, sent
    for path, card in (("/redline", "redline"), ("/rectifications", "rectifications")):
        page.evaluate("window.__fetchOrder.length = 0")
        sent.clear()
        if path == "/rectifications":  # opened: its page drawn ahead has come before the press, as for a person
            page.locator("#shell-ledger-menu .dropdown-toggle").click()
            page.wait_for_function(f"() => ({MOUNTED})().includes('rectifications')", timeout=20_000)
        link = page.locator(f"#shell-navbar a[href^='{path}?']").first
        if path == "/redline":  # held: the router's request leaves at the press
            link.hover()
            assert held(page, "shell-route.data") == ["net"]
        else:
            link.click()
        first_cell(page, card, "c0")
        assert page_requests(path, settled(page, sent)), [r["output"][:40] for r in sent]
        assert fetch_order(page, "shell-route.data") == ["net", "dash"], path
    assert not errors and not warned, warned


PICKED = "drill-ask.data"  # the store a 下钻 picker's URL is handed to the move in (callbacks.drill)


def test_a_system_pressed_in_the_picker_asks_the_server_before_dash_gets_to_it_after_a_reload_too(page, live, errors):
    """A 下钻 picker's option pressed sends the move's request at once (the URL drill.pick works out), before the
    dropdown, its value and the pick have gone through Dash; Dash's request is answered with it. The shape is
    learnt from the first pick ever and kept on the browser without any value, so the first pick after 下钻 is
    opened again goes early too (assets/clientside.js keepAsk)."""
    warned = []
    page.on("console", lambda m: warned.append(m.text) if m.type == "warning" else None)
    page.add_init_script(FETCH_ORDER)
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    page.locator("#drill-system").click()
    page.locator(".dash-dropdown-option", has_text="卫生健康系统").click()
    wait_crumbs(page, 2)
    assert fetch_order(page, PICKED) == ["dash", "net"]  # the first ever: learnt from Dash's
    kept = json.loads(json.loads(page.evaluate(f"localStorage.getItem('early.ask.{PICKED}')"))["body"])
    assert kept["changedPropIds"] == [PICKED]
    assert not [e for e in kept["inputs"] + kept["state"] if "value" in e]  # no data left on the browser
    page.goto(live["base"] + f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    old = first_cell(page, col="c0").inner_text()
    page.wait_for_timeout(400)
    sent = dash_requests(page)
    page.locator("#drill-system").click()
    option = page.locator(".dash-dropdown-option").filter(has_not_text="卫生健康系统").first
    picked = option.inner_text().strip()
    option.hover()
    assert held(page, PICKED) == ["net"]  # nothing picked yet
    wait_crumbs(page, 2)
    assert crumbs(page)[1] == picked
    wait_first_cell_changed(page, old, col="c0")
    outputs = settled(page, sent)
    assert fetch_order(page, PICKED) == ["net", "dash"]  # Dash's answered with the one sent at the press
    assert len(outputs) == 2 and sum(o.startswith("..drill-breadcrumb.children") for o in outputs) == 1, outputs
    assert f"system={quote_plus(picked)}" in page.url
    assert not errors and not warned, warned


def test_a_page_gone_back_to_is_the_one_left(page, live, errors):
    """A page visited stays mounted, out of sight, while another is on screen: going back to it from the
    navbar shows the very grid left (the same element, on the page of rows it was left at), with the
    router's one request and none for its rows or its later parts; the page it came from is kept in turn."""
    log_in(page, live, f"/rectifications?as_of={live['as_of']}")
    first_cell(page, "rectifications", "c0")
    first_cell(page, "rectification-summary", "c0")  # its later parts came
    pager = "#card-rectifications .ag-paging-description"
    page.locator("#card-rectifications .ag-paging-button:has(.ag-icon-next)").first.click()
    page.locator("#card-rectifications .ag-row[row-index='20'][row-id]").first.wait_for()
    paged = page.locator(pager).inner_text()
    grid = page.locator("#card-rectifications .ag-root").element_handle()
    page.locator("#shell-navbar a[href^='/drill?']").first.click()
    first_cell(page, "drilldown", "c0")
    assert not page.locator("#card-rectifications").is_visible()  # kept, out of sight
    page.wait_for_timeout(400)
    sent = dash_requests(page)
    page.locator("#shell-ledger-menu .dropdown-toggle").click()
    page.locator("#shell-navbar a[href^='/rectifications?']").first.click()
    # The grid left, shown (a kept page's elements keep their layout boxes while out of sight: checkVisibility
    # sees the slot's content-visibility, offsetParent does not).
    page.wait_for_function("el => el.isConnected && el.checkVisibility()", arg=grid)
    assert page.locator(pager).inner_text() == paged  # on the page of rows it was left at
    outputs = settled(page, sent)
    assert len(outputs) == 1 and "shell-slot" in outputs[0], outputs  # the router's: no rows, no later parts
    assert not page.locator("#card-drilldown").is_visible() and page.locator("#card-drilldown").count() == 1
    assert not errors


# The pages in the content's slots, on screen or not.
MOUNTED = "() => [...document.querySelectorAll('#shell-content [data-page]')].map(d => d.dataset.page).sort()"


def test_a_page_is_drawn_ahead_while_the_user_reads(page, live, errors):
    """A user who reads 红线 a moment has 下钻 drawn ahead, out of sight, in one request, and nothing more. A
    candidate's link opens its org on 下钻: the page drawn at the top of the campaign moves there in place, its
    breakdown cards built for that org. From 下钻 opened afresh, 红线 is drawn ahead: the navbar's link shows
    the very page drawn ahead, in the router's one request and one for its parts below."""
    asked, refused = dash_requests(page, ahead=True), []
    # Dash refuses a callback whose inputs are not all on the page, and says so only in the console.
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    log_in(page, live, f"/redline?as_of={live['as_of']}")
    first_cell(page, "redline", "c0")
    page.wait_for_function(f"() => ({MOUNTED})().length === 2", timeout=20_000)
    assert page.evaluate(MOUNTED) == ["drill", "redline"]
    assert not page.locator("#card-drilldown").is_visible()  # out of sight
    page.locator("#card-drilldown .ag-row[row-id]").first.wait_for(state="attached")  # its rows came with it
    page.wait_for_timeout(2000)
    assert len(asked) == 1 and page.evaluate(MOUNTED) == ["drill", "redline"]  # one page, no more
    code = first_cell(page, "redline", "c0").inner_text().strip()
    first_cell(page, "redline", "c1").click()
    page.wait_for_url(re.compile(rf"/drill\?.*org={code}"))
    wait_crumbs(page, 2, at_least=True)
    first_cell(page, "items", "c0")  # its breakdown cards, built for that org
    page.goto(live["base"] + f"/drill?as_of={live['as_of']}")
    first_cell(page, "drilldown", "c0")
    page.wait_for_function(f"() => ({MOUNTED})().length === 2", timeout=20_000)
    grid = page.locator("#card-redline .ag-root").element_handle()
    page.wait_for_timeout(400)
    sent = dash_requests(page)
    page.locator("#shell-navbar a[href^='/redline?']").first.click()
    page.wait_for_function("el => el.isConnected && el.checkVisibility()", arg=grid)  # the very grid drawn ahead
    first_cell(page, "ranking", "c0")  # its parts below, asked once on screen
    assert page_requests("/redline", settled(page, sent)), [(r["output"][:40], r.get("changedPropIds")) for r in sent]
    assert not errors and not refused, refused


def test_a_navbar_link_back_to_a_page_goes_to_the_address_it_was_left_at(page, live, errors):
    """下钻 left at a node and come back to from the navbar: the address names that node again (the link alone
    names only the round and date), so the page kept on screen and a reload or a copied link agree."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    first_cell(page).click()
    wait_crumbs(page, 2)
    page.wait_for_url(re.compile(r"/drill\?.*system="))
    left, shown = page.url, crumbs(page)
    page.locator("#shell-navbar a[href^='/redline?']").first.click()
    first_cell(page, "redline", "c0")
    page.wait_for_timeout(400)
    sent = dash_requests(page)
    page.locator("#shell-navbar a[href^='/drill?']").first.click()
    page.wait_for_function("() => document.querySelector('#card-drilldown .ag-root')?.checkVisibility()")
    assert page.url == left and crumbs(page) == shown
    assert len(settled(page, sent)) == 1  # the router's, showing the page kept
    page.reload()
    wait_crumbs(page, 2)
    assert crumbs(page) == shown
    assert not errors


def test_a_click_that_changes_the_address_asks_the_server_only_for_its_answers(page, live, errors):
    """The tab's icon is in the page: Chromium asked the server for Dash's favicon again at every change of
    address, a request beside each 下钻 click's and page change's own."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    first_cell(page)
    page.wait_for_timeout(400)
    asked: list = []
    page.on("request", lambda r: asked.append(r.url))
    first_cell(page).click()
    wait_crumbs(page, 2)
    page.locator("#shell-navbar a[href^='/redline?']").first.click()
    first_cell(page, "redline", "c0")
    page.wait_for_timeout(700)
    # Besides the answers only the scripts a component loads when first drawn (the funnel's Plotly chunk).
    assert asked and not [u for u in asked if not urlsplit(u).path.startswith(
        ("/_dash-update-component", "/_dash-component-suites/"))], asked
    assert page.evaluate("() => document.querySelector('link[rel=icon]').href").startswith("data:image/svg+xml,")
    assert not errors


def test_a_page_left_before_its_lower_parts_were_asked_for_gets_them_once_back(page, live, errors):
    """Leaving 红线 the moment its first grid has rows, before its parts below (薄弱排名, the funnel) are asked
    for: they are asked for once the page is on screen again, not lost with the page kept out of sight."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "items", "c0")
    page.wait_for_timeout(400)
    # Away to 下钻 as the rows come, in the same task: before any frame in which the later parts could be asked.
    page.evaluate("""() => new MutationObserver((records, observer) => {
        if (!document.querySelector('#card-redline .ag-row[row-id]')) return;
        observer.disconnect();
        document.querySelector("#shell-navbar a[href^='/drill?']").click();
    }).observe(document.querySelector('#shell-content'), {childList: true, subtree: true})""")
    page.locator("#shell-navbar a[href^='/redline?']").first.click()
    page.wait_for_url(re.compile(r"/drill\?"))
    page.wait_for_timeout(600)
    assert page.locator("#card-ranking").count() == 0  # not asked for while out of sight
    page.locator("#shell-navbar a[href^='/redline?']").first.click()
    first_cell(page, "ranking", "c0")
    assert not errors


def test_the_first_grid_is_on_screen_before_the_rest_of_the_page(page, live, errors):
    """A page's parts below its first grid (layouts.components.Later) are asked for and drawn after that
    grid's rows are painted, not with them; they come whole and working, in one more request."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "items", "c0")
    # Whether the first grid showed rows of data when the later parts were asked for. A row with an id holds
    # data: AG Grid's infinite model first draws a placeholder row without one, until its rows are answered.
    page.evaluate("""() => { const send = window.fetch; window.fetch = function (url, options) {
        if (window.__first && window.__laterAsked === null && String((options || {}).body).includes('page-later-ask'))
            window.__laterAsked = !!document.querySelector(`#card-${window.__first} .ag-row[row-id]`);
        return send.apply(this, arguments); }; }""")
    for path, first, rest, menu in (("/rectifications", "rectifications", "rectification-summary", True),
                                    ("/pledges", "pledges", "pledge-summary", True)):  # pages not yet visited
        page.wait_for_timeout(400)
        page.evaluate("first => { window.__first = first; window.__laterAsked = null; }", first)
        # The animation frame in which each shows first, counted from the click.
        page.evaluate("""([first, rest]) => {
            const seen = window.__seen = {frame: 0};
            const tick = () => {
                seen.frame += 1;
                if (!seen.rows && document.querySelector(`#card-${first} .ag-row[row-id] .ag-cell`)) seen.rows = seen.frame;
                if (!seen.rest && document.querySelector(`#card-${rest}`)) seen.rest = seen.frame;
                if (!seen.rows || !seen.rest) requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
        }""", [first, rest])
        sent = dash_requests(page)
        if menu:
            page.locator("#shell-ledger-menu .dropdown-toggle").click()
        page.locator(f"#shell-navbar a[href^='{path}?']").first.click()
        first_cell(page, rest, "c0")
        seen = page.wait_for_function("() => window.__seen.rows && window.__seen.rest && window.__seen").json_value()
        assert seen["rows"] < seen["rest"], (path, seen)
        assert page.evaluate("() => window.__laterAsked") is True, path
        assert page_requests(path, settled(page, sent))
        page.locator(f"#card-{rest} .export-buttons button").first.wait_for()  # its tools work as any card's
    assert not errors


def test_the_rest_of_a_page_follows_a_move_made_while_it_was_computed(page, live, errors):
    """A 下钻 row clicked while the parts below the grid are still being computed (their request held here):
    they come built for the node the page shows then, not for the one it opened on."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "items", "c0")
    top = data_columns(page, "items", ("c0", "c1", "c2"))
    held = []

    def hold_first_later(route):
        if not held and "page-later-ask" in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()
    page.route(lambda url: "_dash-update-component" in url, hold_first_later)
    page.goto(live["base"] + f"/drill?as_of={live['as_of']}")
    page.wait_for_function("() => document.querySelector('#card-drilldown .ag-row')")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held and page.locator("#card-items").count() == 0
    first_cell(page, "drilldown", "c0").click()
    wait_crumbs(page, 2)
    sent = dash_requests(page)
    held[0].continue_()  # built for the top level, which the page no longer shows: asked again
    settled(page, sent)
    page.wait_for_function("""top => JSON.stringify([...document.querySelectorAll(
        '#card-items .ag-center-cols-container .ag-row[row-id]')].sort((a, b) => a.getAttribute('row-index')
        - b.getAttribute('row-index')).map(r => r.querySelector(".ag-cell[col-id='c1']")?.innerText)) !== top""",
                           arg=json.dumps(top[1], ensure_ascii=False, separators=(",", ":")))  # the node's figures, not the top level's
    shown = data_columns(page, "items", ("c0", "c1", "c2"))
    page.unroute_all(behavior="ignoreErrors")
    page.goto(page.url)  # the same node opened afresh
    wait_crumbs(page, 2)
    first_cell(page, "items", "c0")
    assert shown == data_columns(page, "items", ("c0", "c1", "c2")) != top
    assert not errors


def test_a_page_opened_directly_comes_with_the_layout(page, live, errors):
    """A link, a bookmark or a reload: the page is drawn from the app's layout itself, without waiting for a
    Dash request (all held here), in the language this browser keeps; the parts below its first grid follow
    once the requests go."""
    log_in(page, live, f"/redline?as_of={live['as_of']}")
    first_cell(page, "redline", "c0")
    page.locator("#lang-toggle").click()
    page.wait_for_function("() => document.querySelector('#shell-content h1')?.innerText.includes('Red line')")
    held = []
    page.route(lambda url: "_dash-update-component" in url, lambda route: held.append(route))
    page.goto(live["base"] + f"/drill?as_of={live['as_of']}")
    assert first_cell(page, "drilldown", "c0").inner_text().strip()
    assert page.locator("#shell-content h1").inner_text() == "Drill-down"
    assert "Drill-down" in page.locator("#shell-navbar .nav-link.active").inner_text()
    page.wait_for_timeout(300)
    assert held and page.locator("#card-items").count() == 0  # asked for, not yet come
    page.unroute_all(behavior="ignoreErrors")
    assert first_cell(page, "items", "c0").inner_text().strip()
    assert not errors


def test_a_page_still_being_computed_shows_a_spinner(page, live, errors):
    """While the router computes the next page (held here), the old page dims and a spinner shows after a
    moment; both go when the page comes."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "drilldown", "c0")
    page.wait_for_timeout(400)
    held = []
    page.route(lambda url: "_dash-update-component" in url, lambda route: held.append(route))
    page.locator("#shell-navbar a[href^='/redline?']").first.click()
    page.wait_for_function(f"() => document.querySelector('{SHOWN}[data-dash-is-loading]')")
    page.wait_for_timeout(400)  # the spinner waits 0.2 s, so a quick page does not flash one
    looks = page.evaluate("""shown => { const box = document.querySelector(shown);
        const veil = getComputedStyle(box, '::before'), under = box.getBoundingClientRect();
        return [getComputedStyle(box, '::after').opacity, getComputedStyle(box, '::after').animationName,
                veil.opacity, veil.backgroundColor, Math.abs(parseFloat(veil.width) - under.width) < 1,
                Math.abs(parseFloat(veil.height) - under.height) < 1]; }""", SHOWN)
    # The spinner turns; a veil covers the whole old page (its rows are still read through it).
    assert looks[0] == "1" and "spinner-border" in looks[1] and looks[2] == "1", looks
    assert looks[3] == "rgba(255, 255, 255, 0.4)" and looks[4] and looks[5], looks
    assert held
    page.unroute_all(behavior="ignoreErrors")  # the held request goes on
    first_cell(page, "redline", "c0")
    # The page's own veil goes with its rows; the parts below the first grid follow in a request of their own
    # (page-later: no veil, nothing drawn yet), so they may still be asked for here.
    assert page.locator(f"{SHOWN}[data-dash-is-loading], .grid-box[data-dash-is-loading]").count() == 0
    assert page.evaluate("shown => [getComputedStyle(document.querySelector(shown), '::after').content,"
                         " getComputedStyle(document.querySelector(shown), '::before').content]", SHOWN) == ["none", "none"]
    page.wait_for_function(f"() => document.querySelector('{SHOWN} .page-later').children.length > 0"
                           " && !document.querySelector('[data-dash-is-loading]')")
    assert not errors


def test_rows_still_on_their_way_show_loading_bars_not_no_data(page, live, errors):
    """The next page of a ledger, asked of the server (held here): its rows show grey bars while they come, not
    "—", which in every table means no data; the rows then show their figures."""
    log_in(page, live, f"/rectifications?as_of={live['as_of']}")
    first = first_cell(page, "rectifications", "c0").inner_text()
    page.wait_for_timeout(400)
    held = []
    page.route(lambda url: "_dash-update-component" in url,
               lambda route: held.append(route) if "report-grid-ask" in (route.request.post_data or "")
               else route.continue_())
    page.locator("#card-rectifications .ag-paging-button:has(.ag-icon-next)").first.click()
    page.wait_for_function("() => document.querySelector('#card-rectifications .ag-row:not([row-id])')")
    looks = page.evaluate("""() => [...document.querySelectorAll(
        '#card-rectifications .ag-center-cols-container .ag-row:not([row-id]) .ag-cell-value')].map(cell => {
            const style = getComputedStyle(cell);
            return [cell.innerText.trim(), style.color, style.backgroundImage.startsWith('linear-gradient')]; })""")
    assert len(looks) > 20 and all(text == "—" for text, _, _ in looks), looks[:3]  # what the formatters print
    assert all(color == "rgba(0, 0, 0, 0)" and bar for _, color, bar in looks), looks[:3]  # … is not shown
    for _ in range(40):
        if held:
            break
        page.wait_for_timeout(50)
    assert held
    page.unroute_all(behavior="ignoreErrors")
    page.wait_for_function("""first => { const c = document.querySelector(
        "#card-rectifications .ag-row[row-index='20'][row-id] .ag-cell[col-id='c0'] .ag-cell-value");
        return c && c.innerText.trim() !== '' && c.innerText.trim() !== first
            && getComputedStyle(c).color !== 'rgba(0, 0, 0, 0)'; }""", arg=first)
    assert not errors


def test_a_dimmed_card_waits_for_its_figures_and_takes_no_clicks(page, live, errors):
    """After a 下钻 click the breakdown cards show the old node's figures until their request comes (held
    here): dimmed, and their export buttons and pager take no click, so nothing old is exported."""
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "items", "c0")
    page.wait_for_timeout(400)
    held, passed = [], []

    def hold_the_second(route):  # the click's own request goes; the cards' follow-up waits
        if drawn_ahead(route.request.post_data_json):  # a page drawn ahead is no part of the click
            route.continue_()
        elif passed:
            held.append(route)
        else:
            passed.append(route)
            route.continue_()
    page.route(lambda url: "_dash-update-component" in url, hold_the_second)
    first_cell(page).click()
    wait_crumbs(page, 2)
    stale = f"{SHOWN} .page-later.stale .part-cover"  # the page's later parts wait (callbacks.drill.dim)
    page.wait_for_function(f"() => document.querySelectorAll('{stale}').length === 2")
    # What a click on a card's export button reaches: the cover laid over the card (dimmed), not the button.
    reached = """() => ['items', 'categories'].map(card => {
        const button = document.querySelector(`#card-${card} .export-buttons button`);
        button.scrollIntoView({block: 'center', behavior: 'instant'});
        const box = button.getBoundingClientRect();
        const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return hit === button || button.contains(hit) ? 'button' : hit.className; })"""
    assert page.evaluate(reached) == ["part-cover"] * 2
    assert page.evaluate(f"() => getComputedStyle(document.querySelector('{stale}')).backgroundColor") \
        != "rgba(0, 0, 0, 0)"  # dimmed
    page.unroute_all(behavior="ignoreErrors")
    page.wait_for_function("() => document.querySelectorAll('.stale').length === 0")
    assert page.evaluate(reached) == ["button"] * 2
    assert not errors


def test_grid_cells_read_report_sentences_in_english_as_the_server_does(page, live):
    """assets/dashAgGridFunctions.js txt (a grid cell in English) gives the sentence layouts.i18n.phrase gives,
    lists written with "、", "/" or ", " alike."""
    from layouts.i18n import VALUES_EN, grid_phrases, phrase, value

    log_in(page, live, f"/quality?as_of={live['as_of']}")
    page.wait_for_function("() => window.dashAgGridFunctions && window.dashAgGridFunctions.txt")
    for text in ("测评数21，没有一票不满意（满意13/基本满意8/不满意0）", "测评数21，没有一票不满意（满意13, 基本满意8, 不满意0）",
                 "测评数21，没有一票不满意（满意13、基本满意8、不满意0）"):
        cell = page.evaluate("([v, ctx]) => window.dashAgGridFunctions.txt(v, ctx)",
                             [text, {"values": VALUES_EN, "phrases": grid_phrases()}])
        assert cell == phrase("en", text) == ("N 21, not one dissatisfied (Satisfied 13"
                                              + ("/" if "/" in text else ", ") + "Basically satisfied 8"
                                              + ("/" if "/" in text else ", ") + "Dissatisfied 0)"), cell
    # a region's own-level row (下钻's 名称, the breadcrumb): its name stays, 本级 reads in English
    for text, english in (("江南省本级", "江南省 (own level)"), ("省本级", "Province level"), ("江南省", "江南省")):
        cell = page.evaluate("([v, ctx]) => window.dashAgGridFunctions.txt(v, ctx)", [text, {"values": VALUES_EN}])
        assert cell == value("en", text) == english, cell


def test_the_browser_writes_urls_as_the_server_parses_them(page, live):
    """The URL writes made in the browser (assets/clientside.js) give the links urlstate.encode gives."""
    from urllib.parse import urlencode

    from layouts import urlstate

    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    js = page.evaluate_handle("() => window.dash_clientside")
    call = lambda fn, *args: page.evaluate(f"([js, args]) => js.{fn}(...args)", [js, list(args)])  # noqa: E731
    no_update = page.evaluate("() => window.dash_clientside.no_update")
    at = "?" + urlencode({"system": "交通运输系统", "region": "510104", "org": "A2", "as_of": live["as_of"]})
    # a picked system starts the drill there, without the region of the old one
    assert call("drill.pick", "卫生健康系统", "510104", at) == "?" + urlencode(
        {"system": "卫生健康系统", "as_of": live["as_of"]})
    assert call("drill.pick", "交通运输系统", "510100", at) == "?" + urlencode(
        {"system": "交通运输系统", "region": "510100", "as_of": live["as_of"]})
    assert call("drill.pick", None, None, "?as_of=" + live["as_of"]) == no_update
    assert call("drill.pick", "交通运输系统", "510104", at) == no_update  # pickers drawn at an org below
    # a grid's sort and filter, written as urlstate.encode_grid writes them (characters quote_plus escapes too)
    sort, filters = [{"colId": "c2", "sort": "desc"}], {"c0": {"filterType": "text", "type": "contains",
                                                               "filter": "交通 (A*)!'~"}}
    want = urlstate.encode({"as_of": live["as_of"], "org": "A2", **urlstate.encode_grid(sort, filters)})
    got = call("grids.toUrl", {"startRow": 0, "endRow": 20, "sortModel": sort, "filterModel": filters},
               "?org=A2&as_of=" + live["as_of"] + "&sort=c1:asc")
    assert got == want and urlstate.decode_grid(urlstate.parse(got)) == (sort, filters)
    assert call("grids.toUrl", {"startRow": 0, "endRow": 20, "sortModel": sort, "filterModel": filters},
                want) == no_update


def test_the_red_line_page_prints_on_a4_with_title_scope_and_date_and_no_controls(page, live):
    log_in(page, live, f"/redline?as_of={live['as_of']}")
    first_cell(page, "redline", "c1")
    page.emulate_media(media="print")
    header = page.locator(".print-header")
    assert header.is_visible()
    assert live["as_of"] in header.inner_text() and "范围：全部" in header.inner_text()
    assert page.get_by_role("heading", name="红线/薄弱组织").is_visible()
    for control in ("#shell-navbar .navbar-brand", "#shell-round", f"{SHOWN} .brief-button", ".export-buttons",
                    "#shell-user-menu"):
        assert not page.locator(control).first.is_visible(), control
    pdf = page.pdf(format="A4", print_background=True, path=str(SHOTS / "redline-print.pdf"))
    assert pdf.startswith(b"%PDF") and b"/MediaBox [0 0 595" in pdf  # A4: 595 x 842 points
    page.emulate_media(media="screen")
    page.goto(f"{live['base']}/drill?as_of={live['as_of']}&org=JY-0088")  # a single org's view
    wait_crumbs(page, 3, at_least=True)
    first_cell(page)
    page.emulate_media(media="print")
    assert page.locator(".print-header").is_visible() and not page.locator("#shell-round").is_visible()
    page.pdf(format="A4", print_background=True, path=str(SHOTS / "drill-print.pdf"))


def test_the_overview_downloads_the_brief_of_what_it_shows(page, live):
    log_in(page, live, f"/?as_of={live['as_of']}")
    page.locator("#overview-kpis").wait_for()
    with page.expect_download() as download:
        page.locator(f"{SHOWN} .brief-button").click()
    assert download.value.suggested_filename == f"情况通报_全部_{live['as_of']}.docx"
    from docx import Document

    text = "\n".join(p.text for p in Document(download.value.path()).paragraphs)
    assert f"截至{live['as_of'][:4]}年" in text and "制作：测试管理员" in text


# Holds up by 0.8 s the answers to Dash's requests set off by TRIGGER ("id.property") while window.__hold is set:
# an answer a later move overtakes. __slowSent and __slowCame count those requests sent and their answers come.
HELD_ANSWERS = """(() => {
  const send = window.fetch;
  window.__slowSent = window.__slowCame = 0;
  window.fetch = function (url, init) {
    const slow = window.__hold && init && typeof init.body === 'string'
      && init.body.includes('"changedPropIds":["TRIGGER"]');
    const answer = send.apply(this, arguments);
    if (!slow) return answer;
    window.__slowSent += 1;
    return answer.then(r => new Promise(done => setTimeout(() => { window.__slowCame += 1; done(r); }, 800)));
  };
})();"""


def held_answers(trigger: str) -> str:
    return HELD_ANSWERS.replace("TRIGGER", trigger)


def test_back_then_forward_before_the_answer_shows_where_the_address_is(page, live, errors):
    """The back button pressed and, while its level is on its way, the forward button: the page ends on the
    level the address names (the answer for the level gone back to, come late, does not overwrite it)."""
    page.add_init_script(held_answers("drill-move.data"))
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page).click()
    wait_crumbs(page, 2)
    deeper = crumbs(page)
    page.evaluate("window.__hold = true")
    page.go_back()
    page.wait_for_function("() => window.__slowSent > 0")  # the back's level asked, its answer held up
    page.go_forward()
    page.wait_for_url(re.compile(r"system="))
    page.wait_for_function("() => window.__slowCame > 0")  # the back's answer has come
    page.wait_for_timeout(300)  # and Dash has done with it what it does
    assert crumbs(page) == deeper
    assert not errors


def point_at_ledger(page):
    """The 台账 menu opened and the mouse resting on its 整改台账 item: the item."""
    page.locator("#shell-ledger-menu .dropdown-toggle").click()
    item = page.locator("#shell-navbar a.dropdown-item[href^='/rectifications?']").first
    item.hover()
    return item


def test_a_page_pointed_at_in_the_navbar_is_drawn_ahead_and_the_click_shows_it(page, live, errors):
    """The mouse resting on a navbar link a moment draws its page ahead, out of sight, in one request, beside
    the pages mounted; the click then shows that very page and its rows, the router's one request drawing
    nothing, and its parts below follow."""
    asked = dash_requests(page, ahead=True)
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "drilldown", "c0")
    page.wait_for_function(f"() => ({MOUNTED})().length === 2", timeout=20_000)  # 红线, drawn as the user reads
    asked.clear()
    link = page.locator("#shell-navbar a.nav-link[href^='/contact-points?']").first
    link.hover()
    page.wait_for_function(f"() => ({MOUNTED})().includes('contact-points')", timeout=20_000)
    assert page.evaluate(MOUNTED) == ["contact-points", "drill", "redline"]
    assert not page.locator("#card-contact-points").is_visible()
    page.locator("#card-contact-points .ag-row[row-id]").first.wait_for(state="attached")  # its rows came with it
    assert [r["inputs"][1]["value"]["path"] for r in asked] == ["/contact-points"]
    grid = page.locator("#card-contact-points .ag-root").element_handle()
    sent = dash_requests(page)
    link.click()
    page.wait_for_function("el => el.isConnected && el.checkVisibility()", arg=grid)  # the very grid drawn ahead
    assert first_cell(page, "contact-points", "c0").inner_text().strip()
    first_cell(page, "contact-point-detail", "c0")  # its parts below, asked once on screen
    assert page_requests("/contact-points", settled(page, sent))
    assert len(asked) == 1 and not errors


LEDGER_MENU = "#shell-ledger-menu .dropdown-toggle"


def ledger_item(page, path: str):
    return page.locator(f"#shell-navbar a.dropdown-item[href^='{path}?']").first


def test_a_menu_opened_has_the_item_last_picked_from_it_drawn_ahead(page, live, errors):
    """Opening the 台账 menu draws ahead, out of sight, the page of the item last picked from it (its first,
    整改台账, before any pick), so the item pressed at once shows that very page; picked 承诺践诺 once, the menu
    opened on a later visit to the app draws 承诺践诺."""
    asked = dash_requests(page, ahead=True)
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "drilldown", "c0")
    page.wait_for_function(f"() => ({MOUNTED})().length === 2", timeout=20_000)  # 红线, drawn as the user reads
    asked.clear()
    page.locator(LEDGER_MENU).click()
    page.wait_for_function(f"() => ({MOUNTED})().includes('rectifications')", timeout=20_000)
    assert [r["inputs"][1]["value"]["path"] for r in asked] == ["/rectifications"]
    assert not page.locator("#card-rectifications").is_visible()
    page.locator("#card-rectifications .ag-row[row-id]").first.wait_for(state="attached")
    grid = page.locator("#card-rectifications .ag-root").element_handle()
    sent = dash_requests(page)
    ledger_item(page, "/rectifications").click()
    page.wait_for_function("el => el.isConnected && el.checkVisibility()", arg=grid)  # the very grid drawn ahead
    assert page_requests("/rectifications", settled(page, sent))
    page.locator(LEDGER_MENU).click()  # its last pick, 整改台账, is on screen: nothing drawn
    ledger_item(page, "/pledges").click()
    assert first_cell(page, "pledges", "c0").inner_text().strip()
    assert len(asked) == 1
    page.goto(f"{live['base']}/drill?as_of={live['as_of']}")  # another visit: the pick is remembered
    first_cell(page, "drilldown", "c0")
    asked.clear()
    page.locator(LEDGER_MENU).click()
    page.wait_for_function(f"() => ({MOUNTED})().includes('pledges')", timeout=20_000)
    assert [r["inputs"][1]["value"]["path"] for r in asked] == ["/pledges"]
    ledger_item(page, "/pledges").click()
    assert first_cell(page, "pledges", "c0").inner_text().strip()
    assert not errors


def test_a_menu_item_pressed_while_the_page_drawn_ahead_is_on_its_way_sends_nothing_early_to_miss(page, live, errors):
    """The item pressed while the page its menu's opening asked for is on its way: the router's request is not
    sent at the press (that answer, landing before the click, changes what the click's request carries, so the
    one sent early would miss, and three misses turn sending early off); it leaves as the click sets the router's
    key, and Dash's own is answered with it."""
    warned = []
    page.on("console", lambda m: warned.append(m.text) if m.type == "warning" else None)
    page.add_init_script(held_answers("shell-prefetch.data"))
    page.add_init_script(FETCH_ORDER)
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "drilldown", "c0")
    page.wait_for_function(f"() => ({MOUNTED})().length === 2", timeout=20_000)
    page.evaluate("window.__hold = true")
    page.locator(LEDGER_MENU).click()
    page.wait_for_function("() => window.__slowSent > 0")  # 整改台账 asked as the menu opened, its answer held up
    page.evaluate("window.__fetchOrder.length = 0")
    box = ledger_item(page, "/rectifications").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_function("() => window.__slowCame > 0")  # the page drawn ahead has come before the click
    page.wait_for_timeout(300)
    assert fetch_order(page, "shell-route.data") == []  # nothing sent at the press
    page.mouse.up()
    page.wait_for_url(re.compile(r"/rectifications\?"))
    assert first_cell(page, "rectifications", "c0").inner_text().strip()
    assert fetch_order(page, "shell-route.data") == ["net", "dash"]  # sent as the click set the key: a hit
    assert not errors and not warned, warned


def test_a_navbar_link_touched_asks_the_server_before_the_finger_is_lifted(browser, live):
    """On a touch screen the router's request leaves as the finger touches a navbar link, not once it is lifted
    (a finger's mousedown comes only then): Dash's own, after the tap, is answered with it. A touch the browser
    takes for a scroll asks Dash nothing and leaves no request early that a later tap would count as a miss."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", has_touch=True)
    page = context.new_page()
    errors, warned = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: warned.append(m.text) if m.type == "warning" else None)
    page.add_init_script(FETCH_ORDER)
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    wait_crumbs(page, 1)
    page.wait_for_function(f"() => ({MOUNTED})().length === 2", timeout=20_000)
    touch = context.new_cdp_session(page)

    def finger(kind: str, link) -> None:
        box = link.bounding_box()
        points = [{"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}] if kind != "touchEnd" else []
        touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    for _ in range(4):  # touches taken for scrolls: more than the misses after which nothing is sent early
        page.evaluate("window.__fetchOrder.length = 0")
        link = page.locator("#shell-navbar a.nav-link[href^='/contact-points?']").first
        finger("touchStart", link)
        page.wait_for_function("() => window.__fetchOrder.length > 0")
        touch.send("Input.dispatchTouchEvent", {"type": "touchCancel", "touchPoints": []})
        page.wait_for_timeout(200)
        assert fetch_order(page, "shell-route.data") == ["net"]  # and Dash was asked nothing
    page.evaluate("window.__fetchOrder.length = 0")
    finger("touchStart", link)
    page.wait_for_timeout(150)  # a finger rests on the glass a moment
    assert fetch_order(page, "shell-route.data") == ["net"]
    finger("touchEnd", link)
    page.wait_for_url(re.compile(r"/contact-points\?"))
    first_cell(page, "contact-points", "c0")
    assert fetch_order(page, "shell-route.data") == ["net", "dash"]
    assert not errors and not warned, warned
    context.close()


FOCUSED_HREF = "() => document.activeElement && document.activeElement.getAttribute('href')"


def test_a_navbar_link_the_keyboard_rests_on_has_its_page_drawn_ahead(page, live, errors):
    """Tab passing over the navbar's links asks for nothing; the focus resting on one a moment draws its page
    ahead, out of sight, and Enter then shows that very page, the router's one request drawing nothing."""
    asked = dash_requests(page, ahead=True)
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "drilldown", "c0")
    page.wait_for_function(f"() => ({MOUNTED})().length === 2", timeout=20_000)
    asked.clear()
    for _ in range(40):  # a key every 80 ms, as a user tabbing on to a link further along
        page.keyboard.press("Tab")
        page.wait_for_timeout(80)
        if (page.evaluate(FOCUSED_HREF) or "").startswith("/contact-points"):
            break
    assert (page.evaluate(FOCUSED_HREF) or "").startswith("/contact-points")
    assert asked == []  # 总览, 督导工作台 … passed over
    page.wait_for_function(f"() => ({MOUNTED})().includes('contact-points')", timeout=20_000)
    assert [r["inputs"][1]["value"]["path"] for r in asked] == ["/contact-points"]
    assert not page.locator("#card-contact-points").is_visible()
    page.locator("#card-contact-points .ag-row[row-id]").first.wait_for(state="attached")
    grid = page.locator("#card-contact-points .ag-root").element_handle()
    sent = dash_requests(page)
    page.keyboard.press("Enter")
    page.wait_for_function("el => el.isConnected && el.checkVisibility()", arg=grid)  # the very grid drawn ahead
    page.wait_for_url(re.compile(r"/contact-points\?"))
    assert page_requests("/contact-points", settled(page, sent))
    assert len(asked) == 1 and not errors


def test_a_link_pressed_while_its_page_is_drawn_ahead_shows_that_page(page, live, errors):
    """Pressed while the page pointed at is still on its way: the click's page is drawn by the router, on screen
    with its rows, once, and nothing the late answer held could put another page there."""
    page.add_init_script(held_answers("shell-prefetch.data"))
    log_in(page, live, f"/drill?as_of={live['as_of']}")
    first_cell(page, "drilldown", "c0")
    page.wait_for_function(f"() => ({MOUNTED})().length === 2", timeout=20_000)
    page.evaluate("window.__hold = true")
    item = point_at_ledger(page)
    page.wait_for_function("() => window.__slowSent > 0")  # the page pointed at asked, its answer held up
    item.click()
    page.wait_for_url(re.compile(r"/rectifications\?"))
    assert first_cell(page, "rectifications", "c0").inner_text().strip()
    page.wait_for_function("() => window.__slowCame > 0")  # the held answer has come
    page.wait_for_timeout(300)  # and Dash has done with it what it does
    assert page.evaluate(MOUNTED) == ["drill", "rectifications", "redline"]
    assert page.locator("#card-rectifications").is_visible() and not page.locator("#card-drilldown").is_visible()
    # The router's record says so too: the next move starts from the page on screen.
    assert page.evaluate("() => { const r = window.dash_component_api.getLayout('shell-rendered').props.data;"
                         " return r.slots[r.shown].path; }") == "/rectifications"
    page.locator("#shell-navbar a[href^='/drill?']").first.click()
    page.wait_for_function("() => document.querySelector('#card-drilldown').checkVisibility()")
    assert not page.locator("#card-rectifications").is_visible()
    assert not errors
