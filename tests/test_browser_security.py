"""The Content-Security-Policy in real Chromium: every page of the app (callbacks.shell.PAGES, so new pages
are covered) loads and renders its charts and grids with the CSP on, without a single CSP violation."""
from __future__ import annotations

from callbacks.shell import PAGES
from tests.test_browser_app import (browser_context_args, browser_type_launch_args, errors, live,  # noqa: F401
                                    log_in, shot)


def test_every_page_runs_under_the_csp_without_violations(page, live, errors):  # noqa: F811
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
    page.add_init_script("""document.addEventListener('securitypolicyviolation',
        e => console.error('Refused to ' + e.violatedDirective + ' ' + e.blockedURI));""")
    log_in(page, live)
    for path in PAGES:
        response = page.goto(live["base"] + path + f"?as_of={live['as_of']}")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        page.wait_for_selector("#shell-navbar .navbar")
        # The page did render its content (Dash's renderer ran under the policy).
        page.wait_for_function("() => document.querySelector('#shell-content').innerText.trim().length > 0")
        page.wait_for_load_state("networkidle")
        shot(page, "csp" + path.replace("/", "_"))
    assert not violations, violations
    assert not errors, errors


def test_the_admin_reads_the_audit_log_in_the_browser(page, live, errors):  # noqa: F811
    log_in(page, live)
    page.locator("#shell-admin-menu").get_by_role("button", name="管理").click()
    page.locator("#shell-admin-menu .dropdown-item", has_text="审计日志").click()
    page.wait_for_selector("#card-audit .ag-row[row-index='0']")
    # The admin's own login is the newest row. Asked of the cell as it is now, on every poll: the grid may
    # replace its row elements when its data arrives again, and a handle to the old cell never changes.
    page.wait_for_function("""() => {
        const cell = document.querySelector("#card-audit .ag-row[row-index='0'] .ag-cell[col-id='c2']");
        return cell !== null && cell.innerText.trim() === '登录';
    }""")
    shot(page, "audit")
    page.get_by_label("用户名").fill("nobody-at-all")
    page.get_by_label("用户名").press("Enter")
    page.wait_for_selector("text=没有符合条件的审计记录")  # the empty state says what to widen
    page.wait_for_selector("text=放宽日期范围，或清除动作、用户名条件。")
    shot(page, "audit_filtered")
    assert not errors, errors


def test_logout_from_the_navbar_ends_the_session_for_good(page, live, browser, errors):  # noqa: F811
    log_in(page, live)
    # A second browser with a copy of the session cookie (as a thief would replay it): it reads the API now.
    replay = browser.new_context()
    replay.add_cookies(page.context.cookies())
    api = live["base"] + f"/api/v1/reports/drilldown?as_of={live['as_of']}"
    try:
        assert replay.request.get(api).status == 200
        page.locator("#shell-user-menu").get_by_role("button").first.click()
        page.locator("#shell-logout").wait_for()
        shot(page, "user_menu")
        with page.expect_navigation():
            page.locator("#shell-logout").click()  # a POST form carrying the session's CSRF token
        assert "/login" in page.url
        shot(page, "after_logout")
        # After the logout the copied cookie opens nothing: no page, no API, no callback.
        again = replay.new_page()
        again.goto(live["base"] + "/drill")
        assert "/login" in again.url
        assert replay.request.get(api).status == 401
        assert replay.request.post(live["base"] + "/_dash-update-component", data={"output": "x"}).status == 401
    finally:
        replay.close()
    assert not errors, errors
