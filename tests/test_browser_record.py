"""逐级审核 and 领导点评 in real Chromium: approve one ticked unit, return two at once with a reason, see the
grid change in place; the 领导点评 page with its grade filter. Screenshots at 1440 px in Chinese and English
go to test-artifacts/screenshots/. Reuses the app's browser fixtures (small demo, served from a thread)."""
from __future__ import annotations

import re

from tests.test_browser_app import (  # noqa: F401  (fixtures)
    browser_context_args, browser_type_launch_args, errors, first_cell, live, log_in, shot)
from tests.test_browser_supervision import column, pick

ROUND = "2012年下半年创先争优群众评议"
STATE, BY = "c5", "c8"  # 审核状态 (beside 上报状态), 审核人 in the 应上报组织 grid
OPEN = ("JT-0007", "JY-0013")  # the demo keeps these open for the example files; leave them so


def tick(page, index: int):
    page.locator(f"#card-reporting .ag-row[row-index='{index}'] input.ag-checkbox-input").first.check()


def cell(page, index: int, col: str) -> str:
    return page.locator(f"#card-reporting .ag-row[row-index='{index}'] .ag-cell[col-id='{col}']").first.inner_text()


def wait_cell(page, index: int, col: str, value: str):
    page.wait_for_function("""([i, col, v]) => {
        const c = document.querySelector(`#card-reporting .ag-row[row-index='${i}'] .ag-cell[col-id='${col}']`);
        return c && c.innerText === v; }""", arg=[index, col, value])


def test_approve_one_and_return_two_on_the_reporting_page(page, live, errors):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live, f"/reporting?round={ROUND}&as_of={live['as_of']}&status=已上报")
    first_cell(page, "reporting", STATE)
    states, codes = column(page, STATE, "reporting"), column(page, "c0", "reporting")
    # 审核状态 stands beside 上报状态 and reads as the API (the grid's first page of 20 rows).
    assert [page.locator(f"#card-reporting .ag-header-cell[col-id='{c}'] .ag-header-cell-text").inner_text()
            for c in ("c4", STATE)] == ["上报状态", "审核状态"]
    body = page.request.get(f"{live['base']}/api/v1/reports/reporting",
                            params={"round": ROUND, "as_of": live["as_of"], "status": "已上报"}).json()
    assert states == [r[body["columns"].index("审核状态")] for r in body["rows"]][:len(states)]
    pending = [i for i, (s, c) in enumerate(zip(states, codes)) if s == "已上报" and c not in OPEN][:3]
    assert len(pending) == 3 and "已审核" in states  # the demo has approved units too

    page.get_by_role("button", name="审核通过").click()  # nothing ticked: told so, nothing done
    page.get_by_text("请先在下表勾选要审核的组织").wait_for()

    tick(page, pending[0])
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text(f"已处理 1 个组织：{codes[pending[0]]}").wait_for()
    wait_cell(page, pending[0], STATE, "已审核")
    assert cell(page, pending[0], BY) == "admin"

    page.locator("#reporting-reason").fill("汇总表与测评场次不符，请核实后重新上报")
    tick(page, pending[1])
    tick(page, pending[2])
    page.get_by_role("button", name="退回").click()
    page.get_by_text(re.compile(r"已处理 2 个组织")).wait_for()
    for i in pending[1:]:
        wait_cell(page, i, STATE, "退回")
        wait_cell(page, i, "c10", "汇总表与测评场次不符，请核实后重新上报")
    assert page.locator("#card-reporting input.ag-checkbox-input:checked").count() == 0  # cleared after acting
    # Approving what is already approved is refused with who did it.
    tick(page, pending[0])
    page.get_by_role("button", name="审核通过").click()
    page.get_by_text(re.compile(r"已由 admin 于 .* 审核通过")).wait_for()
    shot(page, "reporting-approval-zh")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Reporting", exact=True).wait_for()
    page.get_by_role("button", name="Approve").wait_for()
    first_cell(page, "reporting", STATE)
    shot(page, "reporting-approval-en")
    page.get_by_role("button", name="中文").click()
    page.get_by_role("heading", name="上报进度", exact=True).wait_for()
    assert not errors


def test_comments_page_filters_by_grade(page, live, errors):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live, f"/comments?round={ROUND}&as_of={live['as_of']}")
    first_cell(page, "comments", "c6")
    body = page.request.get(f"{live['base']}/api/v1/reports/comments",
                            params={"round": ROUND, "as_of": live["as_of"]}).json()
    grades = [r[body["columns"].index("点评等次")] or "—" for r in body["rows"]]
    assert {"好", "较好"} <= set(grades)
    # The grid reads as the API, newest first (wait for its first row: the grid fills in blocks).
    page.wait_for_function("""g => {
        const c = document.querySelector("#card-comments .ag-row[row-index='0'] .ag-cell[col-id='c5']");
        return c && c.innerText === g; }""", arg=grades[0])
    shown = column(page, "c5", "comments")
    assert shown and shown == grades[:len(shown)]
    assert any(text for text in column(page, "c7", "comments") if "ZG" in text)  # problems it raised
    shot(page, "comments-zh")
    pick(page, "comments-grade", "较好")
    page.wait_for_url(re.compile(r"grade="))
    page.wait_for_function("""() => {
        const cells = [...document.querySelectorAll("#card-comments .ag-row .ag-cell[col-id='c5']")];
        return cells.length > 0 && cells.every(c => c.innerText === '较好'); }""")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Comments", exact=True).wait_for()
    first_cell(page, "comments", "c6")
    shot(page, "comments-en")
    page.get_by_role("button", name="中文").click()
    page.get_by_role("heading", name="领导点评", exact=True).wait_for()
    assert not errors
