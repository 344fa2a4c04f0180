"""督导联系点, 上报进度 and 数据质量 in real Chromium: open each page, filter it, record a visit, export and
compare with the CLI for the same filters, open an org from a quality finding. Screenshots go to
test-artifacts/screenshots/. Reuses the app's browser fixtures (small demo, served from a thread)."""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

from tests.test_browser_app import (  # noqa: F401  (fixtures)
    browser_context_args, browser_type_launch_args, errors, first_cell, live, log_in, sheet_values, shot)

SKIP = {"导出人", "导出时间"}  # who and when differ by design; everything else is the same table


def column(page, col, card) -> list[str]:
    """One column's texts in row order, pinned (first) column included."""
    return page.evaluate("""([card, col]) => {
        const seen = new Map();
        document.querySelectorAll(`#card-${card} .ag-row`).forEach(r => {
            const c = r.querySelector(`.ag-cell[col-id='${col}']`);
            if (c) seen.set(Number(r.getAttribute('row-index')), c.innerText); });
        return [...seen.keys()].sort((a, b) => a - b).map(k => seen.get(k)); }""", [card, col])


def wait_all(page, card, col, value):
    page.wait_for_function("""([card, col, v]) => {
        const cells = [...document.querySelectorAll(`#card-${card} .ag-row .ag-cell[col-id='${col}']`)];
        return cells.length > 0 && cells.every(c => c.innerText === v); }""", arg=[card, col, value])


def pick(page, dropdown_id: str, option: str):
    page.locator(f"#{dropdown_id}").click()
    page.get_by_role("option", name=option).first.click()


def export_matches_cli(page, card, view, cli_args, live, tmp_path, monkeypatch):
    from dashboard import cli

    with page.expect_download() as download:
        page.locator(f"#card-{card}").get_by_role("button", name="导出 Excel").click()
    got = tmp_path / f"{view}-grid.xlsx"
    download.value.save_as(got)
    monkeypatch.setenv("DATABASE_URL", live["url"])
    out = tmp_path / f"{view}-cli.xlsx"
    assert cli.main(["export", view, "--out", str(out), *cli_args]) == 0
    ours, theirs = sheet_values(got), sheet_values(out)
    assert [r for r in ours if r[0] not in SKIP] == [r for r in theirs if r[0] not in SKIP]
    return ours


def test_contact_points_filter_record_a_visit_and_export(page, live, errors, tmp_path, monkeypatch):
    # As of today, so a visit made today is listed (a round that is over defaults to its end date).
    log_in(page, live, f"/contact-points?as_of={date.today().isoformat()}")
    first_cell(page, "contact-points", "c2")
    group_col = page.locator("#card-contact-points .ag-header-cell", has_text="督导组").first.get_attribute("col-id")
    assert group_col != "c0"  # the unit's name, 差距 and 超期整改 lead; the group comes after them
    groups = set(column(page, group_col, "contact-points"))
    assert len(groups) > 1
    group = sorted(groups)[0]
    pick(page, "cp-group", group)
    page.wait_for_url(re.compile(r"group="))
    first_cell(page, "contact-points", "c2")
    wait_all(page, "contact-points", group_col, group)
    first_cell(page, "contact-point-detail", "c3")
    first_cell(page, "visits", "c1")
    before = len(column(page, "c0", "visits"))

    # A visit without findings is refused with a message; then a complete one is stored and listed first.
    pick(page, "cp-visit-point", group)
    page.locator("#cp-visit-follow-up").fill("下周回访")
    page.get_by_role("button", name="保存走访记录").click()
    page.get_by_text("请填写发现问题").wait_for()
    page.locator("#cp-visit-findings").fill("浏览器测试：评议台账不完整")
    page.get_by_role("button", name="保存走访记录").click()
    page.get_by_text("已保存走访记录").wait_for()
    page.wait_for_function("""n => document.querySelectorAll("#card-visits .ag-center-cols-container .ag-row").length > n""",
                           arg=before)
    page.wait_for_function("""() => (document.querySelector("#card-visits .ag-row[row-index='0'] .ag-cell[col-id='c4']")
        || {}).innerText === '浏览器测试：评议台账不完整'""")
    shot(page, "contact-points")

    rows = export_matches_cli(page, "visits", "visits", ["--group", group, "--as-of", date.today().isoformat()],
                              live, tmp_path, monkeypatch)
    assert any("浏览器测试：评议台账不完整" in (r[4] or "") for r in rows)
    export_matches_cli(page, "contact-points", "contact-points",
                       ["--group", group, "--as-of", date.today().isoformat()], live, tmp_path, monkeypatch)
    assert not errors


def test_reporting_filter_chart_and_export(page, live, errors, tmp_path, monkeypatch):
    log_in(page, live, f"/reporting?as_of={live['as_of']}")
    page.locator("#reporting-chart .main-svg").first.wait_for()
    first_cell(page, "reporting", "c0")
    first_cell(page, "reporting-completeness", "c1")
    shot(page, "reporting")
    pick(page, "reporting-status", "逾期上报")
    page.wait_for_url(re.compile(r"status="))
    first_cell(page, "reporting", "c0")
    wait_all(page, "reporting", "c4", "逾期上报")
    export_matches_cli(page, "reporting", "reporting", ["--status", "逾期上报", "--as-of", live["as_of"]],
                       live, tmp_path, monkeypatch)
    assert not errors


def test_quality_summary_void_sessions_and_open_an_org(page, live, errors, tmp_path, monkeypatch):
    log_in(page, live, f"/quality?as_of={live['as_of']}")
    first_cell(page, "quality-summary", "c1")
    assert column(page, "c0", "quality-summary")[:3] == ["作废场次", "满意率100%", "无不满意"]
    first_cell(page, "quality", "c1")
    assert column(page, "c0", "quality")[0] == "作废场次"
    export_matches_cli(page, "quality", "quality", ["--as-of", live["as_of"]], live, tmp_path, monkeypatch)
    page.locator("#card-quality").get_by_text("直线作答：").first.wait_for()  # the plain-words notes
    first_cell(page, "quality", "c1").click()  # a void-session finding shows the sessions
    first_cell(page, "void-sessions", "c4")
    shot(page, "quality")
    # A finding of another check opens the org's drill-down in the same round and as-of date.
    codes = column(page, "c1", "quality")
    checks = column(page, "c0", "quality")
    index = next(i for i, c in enumerate(checks) if c != "作废场次")
    page.locator(f"#card-quality .ag-row[row-index='{index}'] .ag-cell[col-id='c1']").click()
    page.wait_for_url(re.compile(r"/drill\?.*org="))
    assert f"org={codes[index]}" in unquote(page.url) and f"as_of={live['as_of']}" in page.url
    assert not errors
