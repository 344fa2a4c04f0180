"""The leader's question in real Chromium: "which are our three weakest organizations?" — the red-line page's
薄弱排名 answers it (its first rows equal the API's ranking), a click opens the first org's 单位画像 with the
API's figures; the red-line page printed to PDF carries every ranked row, not one page of 20. Screenshots of
the profile and the ranking at 1440 and 390 px, Chinese and English, go to test-artifacts/screenshots/."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine

from tests.conftest import skip_or_fail
from tests.test_browser_app import (  # noqa: F401  (fixtures)
    SHOTS, browser_context_args, browser_type_launch_args, dash_requests, errors, first_cell, live, shot, whole_cells)

PASSWORD = "leader-password-1"


@pytest.fixture(scope="module")
def leader(live):
    """The demo leader (the first system, as the first start creates it), added to the served database."""
    from data.db import make_session_factory
    from data.lookups import demo_user_grants
    from data.users import create_user

    engine = create_engine(live["url"])
    with make_session_factory(engine).begin() as s:
        _, role, grants, display = next(u for u in demo_user_grants(s) if u[0] == "leader")
        create_user(s, "leader", PASSWORD, role, grants, display_name=display)
    engine.dispose()
    return "leader"


def log_in_as(page, live, name, path):
    page.goto(live["base"] + path)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_selector("#shell-navbar .navbar")


def api(page, live, view, **params):
    answer = page.request.get(f"{live['base']}/api/v1/reports/{view}", params={"as_of": live["as_of"], **params})
    assert answer.ok, answer.text()
    body = answer.json()
    return [dict(zip(body["columns"], row)) for row in body["rows"]]


def pct(value) -> str:
    return f"{value * 100:.1f}%"


def ranking_rows(page, n: int) -> list[tuple[str, str]]:
    """(名称, 置信下限) of the ranking grid's first n rows as shown."""
    first_cell(page, "ranking", "c2")
    return page.evaluate("""(n) => [...document.querySelectorAll('#card-ranking .ag-center-cols-container .ag-row')]
        .filter(r => Number(r.getAttribute('row-index')) < n)
        .sort((a, b) => Number(a.getAttribute('row-index')) - Number(b.getAttribute('row-index')))
        .map(r => [r.querySelector("[col-id='c2']").innerText, r.querySelector("[col-id='c8']").innerText])""", n)


def test_the_leaders_three_weakest_organizations(page, live, leader, errors):
    log_in_as(page, live, leader, f"/redline?as_of={live['as_of']}")
    weakest = api(page, live, "ranking", limit="3")
    assert len(weakest) == 3
    page.wait_for_function("() => document.querySelectorAll('#card-ranking .ag-center-cols-container .ag-row').length >= 3")
    assert ranking_rows(page, 3) == [[r["名称"], pct(r["置信下限"])] for r in weakest]
    shot(page, "redline-ranking-zh-1440")
    page.locator("#card-ranking .ag-row[row-index='0'] .ag-cell[col-id='c2']").first.click()
    page.wait_for_url("**/org?**")
    first = weakest[0]
    page.wait_for_function("code => (document.querySelector('#profile-title') || {}).innerText?.includes(code)",
                           arg=first["组织编码"])
    assert first["名称"] in page.locator("#profile-title").inner_text()
    profile = api(page, live, "profile", org=first["组织编码"])[0]
    figure = page.locator("[data-figure='测评数']")
    assert figure.inner_text() == f"{profile['测评数']:,}" == f"{first['测评数']:,}"
    metric = page.locator("[data-figure='综合满意率']").inner_text()
    assert metric.startswith(pct(profile["综合满意率"])) and profile["红线判定"] in metric
    assert f"{pct(profile['置信下限'])}–{pct(profile['置信上限'])}" in page.locator("[data-n='综合满意率']").inner_text()
    page.wait_for_selector("#profile-trend .main-svg")
    shot(page, "profile-zh-1440")
    page.locator("#lang-toggle").click()
    page.wait_for_function("() => document.querySelector('#profile-body').innerText.includes('Org profile') || "
                           "document.querySelector('#profile-body').innerText.includes('Ledgers')")
    shot(page, "profile-en-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "profile-en-390")
    page.goto(f"{live['base']}/redline?as_of={live['as_of']}")
    first_cell(page, "ranking", "c2")
    assert whole_cells(page, "ranking", "Type")  # "Party branch", not "Party …"
    shot(page, "redline-ranking-en-390")
    page.locator("#shell-toggler").click()  # on a phone the language button is in the folded navbar
    # Unfolded, as a user sees it before tapping: a click while it still unfolds was lost now and then on a
    # loaded machine (seen 1 in 8 runs at the session's start commit and 3 in 8 after, with two CPU hogs).
    page.locator("#shell-collapse.show").wait_for()
    page.locator("#lang-toggle").click()
    page.wait_for_function("() => document.querySelector('#card-ranking')?.innerText.includes('薄弱排名')")
    first_cell(page, "ranking", "c2")
    shot(page, "redline-ranking-zh-390")
    page.goto(f"{live['base']}/org?org={first['组织编码']}&as_of={live['as_of']}")
    page.wait_for_selector("[data-figure='测评数']")
    shot(page, "profile-zh-390")
    assert not errors


def test_picking_how_many_weakest_shows_that_many_and_keeps_it_in_the_address(page, live, leader, errors):
    """薄弱排名's N picked on the page: the grid shows that many, the weakest first as the API ranks them, the
    address keeps it (assets/clientside.js filters.ranking writes it), and the page is not drawn again."""
    log_in_as(page, live, leader, f"/redline?as_of={live['as_of']}")
    page.wait_for_function("() => document.querySelectorAll('#card-ranking .ag-center-cols-container .ag-row').length > 3")
    heading = page.locator("#shell-content h1").element_handle()
    page.locator("#ranking-limit").click()
    page.locator(".dash-dropdown-option", has_text=re.compile(r"^\s*3\s*$")).first.click()
    page.wait_for_url(re.compile(r"/redline\?.*limit=3"))
    page.wait_for_function("() => document.querySelectorAll('#card-ranking .ag-center-cols-container .ag-row').length === 3")
    weakest = api(page, live, "ranking", limit="3")
    assert ranking_rows(page, 3) == [[r["名称"], pct(r["置信下限"])] for r in weakest]
    assert page.evaluate("el => el.isConnected", heading)  # moved in place
    assert not errors


def test_the_red_line_page_prints_every_ranked_row(page, live, leader):
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext not found: apt-get install poppler-utils")
    log_in_as(page, live, leader, f"/redline?as_of={live['as_of']}&limit=50")
    ranked = api(page, live, "ranking", limit="50")
    assert len(ranked) > 20  # more than the grid's page of 20 rows
    first_cell(page, "ranking", "c2")
    page.evaluate("() => window.dashboardPrint.prepare()")
    assert page.locator("#card-ranking .ag-center-cols-container .ag-row").count() == len(ranked)
    page.emulate_media(media="print")
    pdf = SHOTS / "redline-print.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "统计截止日期：" + live["as_of"] in text and "薄弱排名" in text
    missing = [r["组织编码"] for r in ranked if r["组织编码"] not in text]
    assert not missing, missing
    assert "导出 Excel" not in text and "下载情况通报" not in text  # controls stay off the paper
    page.evaluate("() => window.dashboardPrint.restore()")


def test_a_unit_user_lands_on_its_own_profile(page, live):
    """A unit logs in at the site's address and finds its own 单位画像, not the overview."""
    from data.db import make_session_factory
    from data.lookups import demo_user_grants
    from data.users import create_user

    engine = create_engine(live["url"])
    with make_session_factory(engine).begin() as s:
        _, role, grants, display = next(u for u in demo_user_grants(s) if u[0] == "unit")
        create_user(s, "unit-user", PASSWORD, role, grants, display_name=display)
    engine.dispose()
    log_in_as(page, live, "unit-user", "/")
    page.wait_for_url("**/org")
    page.wait_for_function("code => (document.querySelector('#profile-title') || {}).innerText?.includes(code)",
                           arg=grants[0])
    page.locator("#profile-publication").wait_for()


def test_the_profile_states_publication_approval_and_the_newest_comments(page, live, errors):
    """An admin opens the profile of the demo supervisor's unit with comments, then of the org returned to it:
    公示状态, 审核状态 and the comments are the API's; the link opens /comments with that many rows."""
    from tests.test_browser_app import log_in

    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, live, f"/?as_of={live['as_of']}")
    units = api(page, live, "scorecard", group="省委第一督导组")
    unit = max(units, key=lambda u: u["领导点评数"])
    assert unit["领导点评数"] >= 2
    page.goto(f"{live['base']}/org?org={unit['单位编码']}&as_of={live['as_of']}")
    page.locator("#profile-publication").wait_for()
    row = api(page, live, "profile", org=unit["单位编码"])[0]
    assert page.locator("#profile-publication [data-state]").get_attribute("data-state") == row["公示状态"] \
        == unit["公示状态"]
    assert row["公示日期"] in page.locator("#profile-publication").inner_text()
    assert page.locator("#profile-approval [data-state]").get_attribute("data-state") == row["审核状态"]
    assert page.locator("[data-figure='领导点评数']").inner_text() == str(row["领导点评数"])
    comments = api(page, live, "comments", org=unit["单位编码"])
    shown = page.locator("#profile-comments tbody tr")
    assert shown.count() == min(10, len(comments)) == min(10, row["领导点评数"])
    assert [shown.nth(i).locator("td").first.inner_text() for i in range(shown.count())] == \
        [c["点评日期"] for c in comments[:10]]
    shot(page, "profile-record-zh-1440")
    page.locator("#lang-toggle").click()
    page.get_by_text("Publication and approval").wait_for()
    shot(page, "profile-record-en-1440")
    page.locator("#lang-toggle").click()
    page.get_by_text("公示与审核").wait_for()
    page.locator("#profile-comments-link").click()
    page.wait_for_url("**/comments?**")
    page.wait_for_function("n => document.querySelectorAll('#card-comments .ag-center-cols-container .ag-row').length"
                           " === n", arg=len(comments))
    returned = next(r for r in api(page, live, "reporting") if r["审核状态"] == "退回")
    page.goto(f"{live['base']}/org?org={returned['组织编码']}&as_of={live['as_of']}")
    page.locator("#profile-approval").wait_for()
    text = page.locator("#profile-approval").inner_text()
    assert "退回" in text and returned["退回原因"] in text and returned["审核人"] in text
    assert not errors


def test_the_ranking_s_n_follows_the_back_and_forward_buttons(page, live, leader, errors):
    """薄弱排名's N changed is one request and goes into the address; the back button brings the earlier N back
    (grid and selector), the forward button the new one again."""
    log_in_as(page, live, leader, f"/redline?as_of={live['as_of']}")
    rows = "() => document.querySelectorAll('#card-ranking .ag-center-cols-container .ag-row').length"
    page.wait_for_function(rows + " >= 5")
    before = page.evaluate(rows)
    sent = dash_requests(page)
    page.locator("#ranking-limit").click()
    page.locator(".dash-dropdown-option", has_text="3").first.click()
    page.wait_for_url(re.compile(r"limit=3"))
    page.wait_for_function(rows + " === 3")
    page.wait_for_timeout(500)
    assert len(sent) == 1
    page.go_back()
    page.wait_for_function(f"{rows} === {before}")
    assert "limit=" not in page.url and page.locator("#ranking-limit").inner_text().strip() == str(before)
    page.go_forward()
    page.wait_for_function(rows + " === 3")
    assert "limit=3" in page.url and page.locator("#ranking-limit").inner_text().strip() == "3"
