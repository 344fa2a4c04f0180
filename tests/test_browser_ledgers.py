"""整改台账 and 承诺践诺 in real Chromium on the small demo: open the page, set filters, read the rows and
their coloured lights, reopen the copied link, export Excel and compare it with the CLI export for the same
filters. Fixtures and helpers come from tests/test_browser_app.py."""
from __future__ import annotations

import re

from tests.test_browser_app import (browser_context_args, browser_type_launch_args, column, errors,  # noqa: F401
                                    first_cell, live, log_in, mark_kept, sheet_values, shot, wait_column)

SKIP = {"导出人", "导出时间"}  # who and when differ by design; everything else is the same table


def rows_shown(page, card: str) -> int:
    page.wait_for_function(f"() => document.querySelectorAll('#card-{card} .ag-center-cols-container .ag-row')"
                           ".length > 0")
    return page.locator(f"#card-{card} .ag-center-cols-container .ag-row").count()


def export_matches_cli(page, live, tmp_path, monkeypatch, card: str, view: str, argv: list[str]) -> list[list]:
    from dashboard import cli

    with page.expect_download() as download:
        page.locator(f"#card-{card}").get_by_role("button", name="导出 Excel").click()
    got = tmp_path / f"{card}.xlsx"
    download.value.save_as(got)
    monkeypatch.setenv("DATABASE_URL", live["url"])
    out = tmp_path / f"{card}-cli.xlsx"
    assert cli.main(["export", view, "--out", str(out), "--as-of", live["as_of"], *argv]) == 0
    ours, theirs = sheet_values(got), sheet_values(out)
    assert [r for r in ours if r[0] not in SKIP] == [r for r in theirs if r[0] not in SKIP]
    return ours


def test_rectification_ledger_filters_lights_and_export(page, live, errors, tmp_path, monkeypatch):
    log_in(page, live, f"/rectifications?as_of={live['as_of']}")
    first_cell(page, "rectifications", "c0")
    page.locator("#rect-ageing-box .main-svg").first.wait_for()  # the ageing chart
    first_cell(page, "rectification-summary", "c0")
    shot(page, "rectifications")

    page.get_by_text("只看超期", exact=True).click()
    page.wait_for_url(re.compile(r"overdue_only=1"))
    first_cell(page, "rectifications", "c0")
    first_cell(page, "rectifications", "c1")  # 灯 and 超期天数 come first: on screen without scrolling
    page.wait_for_function("""() => { const v = [...document.querySelectorAll(
            "#card-rectifications .ag-center-cols-container .ag-cell[col-id='c1']")].map(c => c.innerText);
        return v.length > 0 && v.every(x => x === '红'); }""")
    assert rows_shown(page, "rectifications") == 7  # the demo's 7 overdue items as of 2012-12-10
    lights = page.locator("#card-rectifications .ag-cell[col-id='c1'].cell-red")
    assert lights.count() == 7  # the light is coloured, not only written
    days = [int(d) for d in column(page, "c2", "rectifications")]
    assert days == sorted(days, reverse=True) and days[-1] > 0  # 超期天数, most overdue first
    shot(page, "rectifications-overdue")
    ours = export_matches_cli(page, live, tmp_path, monkeypatch, "rectifications", "rectifications",
                              ["--overdue-only"])
    assert sum(1 for r in ours if r[0] and str(r[0]).startswith("ZG")) == 7

    # A second filter from a dropdown: 黄 (临期) items only; the link reopens the same rows.
    page.get_by_text("只看超期", exact=True).click()
    page.wait_for_function("() => !location.search.includes('overdue_only')")
    page.wait_for_function("""() => [...document.querySelectorAll(
            "#card-rectifications .ag-center-cols-container .ag-cell[col-id='c1']")].some(c => c.innerText === '黄')""")
    page.locator("#rect-light").click()
    page.get_by_role("option", name="黄").click()
    page.wait_for_url(re.compile(r"light=%E9%BB%84"))
    first_cell(page, "rectifications", "c0")
    first_cell(page, "rectifications", "c1")  # 灯 and 超期天数 come first: on screen without scrolling
    wait_column(page, "c1", ["黄"] * 5, "rectifications")
    assert page.locator("#card-rectifications .ag-cell[col-id='c1'].cell-amber").count() == 5
    codes = column(page, "c0", "rectifications")
    fresh = page.context.new_page()
    fresh.goto(page.url)
    first_cell(fresh, "rectifications", "c0")
    wait_column(fresh, "c0", codes, "rectifications")
    fresh.close()
    export_matches_cli(page, live, tmp_path, monkeypatch, "rectifications", "rectifications", ["--light", "黄"])
    assert not errors


def test_pledge_page_overdue_list_and_export(page, live, errors, tmp_path, monkeypatch):
    log_in(page, live, f"/pledges?as_of={live['as_of']}")
    first_cell(page, "pledges", "c0")
    first_cell(page, "pledge-summary", "c0")
    first_cell(page, "pledges-overdue", "c0")
    assert rows_shown(page, "pledges-overdue") == 8  # the demo's 逾期未兑现 pledges as of 2012-12-10
    assert page.locator("#card-pledges-overdue .ag-center-cols-container .ag-row.row-red").count() == 8
    shot(page, "pledges")
    page.get_by_text("只看逾期未兑现", exact=True).click()
    page.wait_for_url(re.compile(r"overdue_only=1"))
    wait_column(page, "c0", column(page, "c0", "pledges-overdue"), "pledges")
    export_matches_cli(page, live, tmp_path, monkeypatch, "pledges", "pledges", ["--overdue-only"])

    # Sorting the ledger is written into the URL next to its filters; the copied link shows the same rows.
    page.locator("#card-pledges .ag-header-cell[col-id='c1']").click()  # 组织编码
    page.wait_for_url(re.compile(r"sort=c1%3Aasc"))
    assert "overdue_only=1" in page.url
    page.wait_for_function("""() => { const v = [...document.querySelectorAll(
            "#card-pledges .ag-center-cols-container .ag-row")]
        .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
        .map(r => r.querySelector(".ag-cell[col-id='c1']").innerText);
        return v.length > 1 && v.every((x, i) => i === 0 || v[i - 1] <= x); }""")
    orgs, texts = column(page, "c1", "pledges"), column(page, "c4", "pledges")
    assert len(set(orgs)) > 1 and None not in orgs
    fresh = page.context.new_page()
    fresh.goto(page.url)
    first_cell(fresh, "pledges", "c1")
    wait_column(fresh, "c1", orgs, "pledges")
    wait_column(fresh, "c4", texts, "pledges")  # the same rows, not only the same order of orgs
    sorted_icon = "#card-pledges .ag-header-cell[col-id='c1'] .ag-sort-ascending-icon:not(.ag-hidden)"
    assert fresh.locator(sorted_icon).count() == 1
    shot(fresh, "pledges-sorted-link")
    fresh.close()
    assert not errors


def test_member_level_of_the_member_round_shows_the_flags(page, live, errors):
    from urllib.parse import quote

    from sqlalchemy import select

    from data.db import make_engine, make_session_factory
    from data.models import Org, Round, Tally

    engine = make_engine(live["url"])
    with make_session_factory(engine)() as s:
        rnd = s.scalar(select(Round).where(Round.scale == "民主评议党员"))
        branch = s.scalar(select(Org.code).join(Tally, Tally.org_id == Org.id)
                          .where(Tally.round_id == rnd.id).order_by(Org.code))  # the lenient branch
    engine.dispose()
    log_in(page, live, f"/drill?round={quote(rnd.name)}&org={branch}&as_of={live['as_of']}")
    first_cell(page, "drilldown", "c0")
    page.get_by_text(re.compile(r"⚠ 优秀比例超标")).wait_for()
    assert page.locator("#card-drilldown .ag-header-cell-text", has_text="党员编号").count() == 1
    shot(page, "drill-members")
    assert not errors


def test_the_filter_bars_write_the_url_in_the_browser(page, live):
    """The ledgers' filter bars and 督导联系点's group write the URL in the browser (assets/clientside.js), as
    urlstate would: round and date kept, the grid's models dropped (another row set)."""
    from urllib.parse import parse_qs

    log_in(page, live, f"/rectifications?as_of={live['as_of']}")
    page.wait_for_selector("#rect-light")
    js = page.evaluate_handle("() => window.dash_clientside")
    call = lambda fn, *args: page.evaluate(f"([js, args]) => js.{fn}(...args)", [js, list(args)])  # noqa: E731
    no_update = page.evaluate("() => window.dash_clientside.no_update")
    query = lambda s: parse_qs(s.lstrip("?"))  # noqa: E731
    search = "?round=R2&as_of=2024-12-31&sort=c0:asc"
    new = call("filters.rectifications", "交通运输系统", None, " A2 ", "整改中", "红", "群众评议", ["1"], search)
    assert query(new) == {"round": ["R2"], "as_of": ["2024-12-31"], "system": ["交通运输系统"], "org": ["A2"],
                          "status": ["整改中"], "light": ["红"], "source": ["群众评议"], "overdue_only": ["1"]}
    # A new system clears the region chosen for the old one; clearing a filter removes it from the link.
    state = "?system=交通运输系统&region=510104&light=红"
    assert query(call("filters.rectifications", "卫生健康系统", "510104", "", None, "红", None, [], state)) == \
        {"system": ["卫生健康系统"], "light": ["红"]}
    assert call("filters.rectifications", "交通运输系统", "510104", "", None, None, None, [], state) == \
        "?system=%E4%BA%A4%E9%80%9A%E8%BF%90%E8%BE%93%E7%B3%BB%E7%BB%9F&region=510104"
    # the bar showing where the user already is
    assert call("filters.rectifications", "交通运输系统", "510104", "", None, "红", None, [], state) == no_update
    assert query(call("filters.pledges", None, None, "A21", "推进中", ["1"], "?light=红")) == \
        {"org": ["A21"], "status": ["推进中"], "overdue_only": ["1"]}
    assert call("filters.group", "第二督导组", "?as_of=2024-09-25&sort=c1%3Aasc") == \
        "?as_of=2024-09-25&group=%E7%AC%AC%E4%BA%8C%E7%9D%A3%E5%AF%BC%E7%BB%84"
    assert call("filters.group", None, "?as_of=2024-09-25") == no_update


def test_a_light_picked_on_the_ledger_shows_only_that_light_then_its_summary(page, live, errors):
    """One request for the ledger's rows, then one for the dimmed parts below it (summary, ageing chart)."""
    from tests.test_browser_app import dash_requests, settled

    log_in(page, live, f"/rectifications?as_of={live['as_of']}")
    first_cell(page, "rectifications", "c0")
    page.wait_for_timeout(500)
    kept = ["#shell-navbar .navbar", "#rect-filters .row", "#card-rectifications .ag-root-wrapper",
            "#card-rectification-summary .ag-root-wrapper"]
    mark_kept(page, kept)
    sent = dash_requests(page)
    page.locator("#rect-light").click()
    page.locator(".dash-dropdown-option", has_text="黄").first.click()
    page.wait_for_url(re.compile(r"light="))
    page.wait_for_function("""() => { const cells = [...document.querySelectorAll(
        "#card-rectifications .ag-center-cols-container .ag-row .ag-cell[col-id='c1']")];
        return cells.length > 0 && cells.every(c => c.innerText.trim() === '黄'); }""")
    assert len(settled(page, sent)) == 2, [(r["output"][:40], r.get("changedPropIds")) for r in sent]
    assert sent[0]["output"].lstrip(".").split("@")[0] == "rect-shown.data" and page.locator(".stale").count() == 0
    # the page moved in place: the bar and the grids are the same elements, only their contents changed
    assert page.evaluate("sels => sels.every(s => document.querySelector(s)?.dataset.kept === '1')", kept)
    assert page.locator("#card-rectification-summary .ag-center-cols-container .ag-row").count() == 5  # 5 orgs
    shot(page, "ledger-light-filter")
    page.go_back()  # the browser's back button: all lights again, the bar says so
    page.wait_for_function("""() => [...document.querySelectorAll(
        "#card-rectifications .ag-center-cols-container .ag-cell[col-id='c1']")].some(c => c.innerText === '红')""")
    page.wait_for_function("() => !document.querySelector('#rect-light').innerText.includes('黄')")
    assert not errors


def test_a_light_pressed_after_the_ledger_is_opened_again_asks_the_server_at_the_press(page, live, errors):
    """The 灯 picker's option pressed sends the ledger's move at once (filters.rectifications worked out in the
    browser), the first pick after the page is opened again too: its shape was kept from the pick before."""
    from tests.test_browser_app import FETCH_ORDER, dash_requests, fetch_order, held, settled

    asked = "rect-ask.data"
    warned = []
    page.on("console", lambda m: warned.append(m.text) if m.type == "warning" else None)
    page.add_init_script(FETCH_ORDER)
    for light, opened in (("红", False), ("黄", True)):
        if opened:
            page.goto(live["base"] + f"/rectifications?as_of={live['as_of']}")
        else:
            log_in(page, live, f"/rectifications?as_of={live['as_of']}")
        first_cell(page, "rectifications", "c0")
        page.wait_for_timeout(400)
        sent = dash_requests(page)
        page.locator("#rect-light").click()
        page.locator(".dash-dropdown-option", has_text=light).first.hover()
        assert held(page, asked) == (["net"] if opened else [])  # nothing picked yet
        page.wait_for_function("""l => { const cells = [...document.querySelectorAll(
            "#card-rectifications .ag-center-cols-container .ag-row .ag-cell[col-id='c1']")];
            return cells.length > 0 && cells.every(c => c.innerText.trim() === l); }""", arg=light)
        assert len(settled(page, sent)) == 2  # the ledger's rows, then the parts below them
        assert fetch_order(page, asked) == (["net", "dash"] if opened else ["dash", "net"])
    assert not errors and not warned, warned


def test_a_ledger_paged_forward_and_back_then_filtered_shows_only_the_filters_rows(page, live, errors):
    """The first page of another filter goes into the grid on screen only when that grid last asked for its first
    page: one paged forward and back still holds the second page, and shows the new rows from the first."""
    log_in(page, live, f"/rectifications?as_of={live['as_of']}")
    first_cell(page, "rectifications", "c0")
    pager = "#card-rectifications .ag-paging-description"
    first_page = column(page, "c0", "rectifications")
    page.locator("#card-rectifications .ag-paging-button").nth(2).click()  # next page
    page.wait_for_function(f"() => document.querySelector('{pager}').innerText.startsWith('第 2 /')")
    page.locator("#card-rectifications .ag-paging-button").nth(1).click()  # and back
    page.wait_for_function(f"() => document.querySelector('{pager}').innerText.startsWith('第 1 /')")
    wait_column(page, "c0", first_page, "rectifications")
    page.locator("#rect-light").click()
    page.locator(".dash-dropdown-option", has_text="绿").first.click()
    page.wait_for_url(re.compile(r"light="))
    wait_column(page, "c1", ["绿"] * 20, "rectifications")  # a whole first page of green, nothing of before
    assert page.locator(pager).inner_text().startswith("第 1 / 3")
    assert not errors


def test_a_ledger_filtered_to_nothing_then_to_a_light_shows_that_lights_rows(page, live, errors):
    """A filter that leaves no row shows a message instead of the grid; the next filter brings a grid back
    (the move reads the grid's last request only when there is a grid)."""
    log_in(page, live, f"/rectifications?as_of={live['as_of']}")
    first_cell(page, "rectifications", "c0")
    page.locator("#rect-org").fill("NO-SUCH-ORG")
    page.locator("#rect-org").press("Enter")
    page.wait_for_url(re.compile(r"org=NO-SUCH-ORG"))
    # no grid: what the filter is missing (an unknown org: said as an error)
    page.locator("#card-rectifications .empty-state, #card-rectifications .alert").first.wait_for()
    assert page.locator("#card-rectifications .ag-root-wrapper").count() == 0
    page.locator("#rect-org").fill("")
    page.locator("#rect-org").press("Enter")
    page.wait_for_function("() => !location.search.includes('org=')")
    page.locator("#rect-light").click()
    page.locator(".dash-dropdown-option", has_text="红").first.click()
    page.wait_for_url(re.compile(r"light="))
    wait_column(page, "c1", ["红"] * 7, "rectifications")
    assert not errors
