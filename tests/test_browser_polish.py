"""Every page on a phone and in English (issue 16 points 7 and 8), walked in real Chromium as an admin on the
small demo. The pages come from the app's page registry (callbacks.shell.PAGES), so a page added there is
walked too. Screenshots: test-artifacts/screenshots/polish-<page>-<width>-<lang>.png.

English: no Han character may remain outside data values. Data values are the strings the database holds
(names of orgs, systems, regions, rounds, groups, people, items; the ledgers' free text; file names) and the
evaluator categories; they are removed from the page's text first, longest first. The language toggle's
"中文" is the way back to Chinese and is the one UI word left in Chinese."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, select

from callbacks.shell import PAGES
from tests.test_browser_app import SHOTS, browser_context_args, browser_type_launch_args, live, log_in  # noqa: F401

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
PHONE = {"width": 390, "height": 844}


def _name(path: str) -> str:
    path, _, query = path.partition("?")
    org = dict(part.partition("=")[::2] for part in query.split("&")).get("org") if query else None
    return (path.strip("/").replace("/", "_") or "overview") + (f"-{org}" if org else "")


def _open(page, live, path: str) -> None:
    page.goto(f"{live['base']}{path}{'&' if '?' in path else '?'}as_of={live['as_of']}")
    page.wait_for_selector("#shell-navbar .navbar")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(400)  # grids and charts paint after their data arrives


@pytest.fixture
def phone(browser, live):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live)
    yield page
    context.close()


def test_every_page_fits_a_phone_and_the_navbar_folds(phone, live):
    widths = {}
    for path in PAGES:
        _open(phone, live, path)
        widths[path] = phone.evaluate("[document.body.scrollWidth, window.innerWidth]")
        phone.screenshot(path=str(SHOTS / f"polish-{_name(path)}-390-zh.png"), full_page=True)
    assert {p: w for p, w in widths.items() if w[0] != w[1]} == {}, "pages wider than the phone"
    # The navbar folds behind its toggler: the links are hidden until it is tapped.
    link = phone.locator("#shell-navbar .nav-link").first
    assert not link.is_visible()
    phone.locator("#shell-toggler").click()
    link.wait_for(state="visible")
    assert phone.locator("#shell-round").is_visible() and phone.locator("#shell-as-of").is_visible()
    phone.locator("#shell-toggler").click()
    link.wait_for(state="hidden")
    # A link tapped in the open menu opens its page and folds the menu, which would hide the page.
    phone.locator("#shell-toggler").click()
    phone.locator("#shell-navbar a.nav-link[href^='/redline?']").click()
    phone.locator("#card-redline .ag-row").first.wait_for()
    link.wait_for(state="hidden")
    assert phone.locator("#card-redline").is_visible()


GRID_TEXT = """() => { const out = [];
    for (const el of document.querySelectorAll('div.report-grid[id]')) {
        let id = el.id; try { id = JSON.parse(id); } catch (e) { /* a plain string id */ }
        const api = window.dash_ag_grid.getApi(id);
        const cols = api.getColumns() || [];
        for (const c of cols) { out.push(c.getColDef().headerName || '', c.getColDef().headerTooltip || ''); }
        api.forEachNode(node => { if (!node.data) return;
            for (const c of cols) { out.push(String(api.getCellValue({rowNode: node, colKey: c, useFormatter: true}))); } });
    }
    return out; }"""


def _deep_paths(url: str) -> list[str]:
    """Beyond each page's first screen: the profile and the drill-down of the org with the most rectification
    items (its ledgers, notes, the 认定 form), and of an org with members evaluated, in the round of its
    members' evaluation (the members' table and its notes, the 民主评议党员 scale's words)."""
    from sqlalchemy import func

    from data import models as m
    engine = create_engine(url)
    with engine.connect() as conn:
        busy = conn.scalar(select(m.Org.code).join(m.Rectification, m.Rectification.org_id == m.Org.id)
                           .group_by(m.Org.code).order_by(func.count().desc(), m.Org.code).limit(1))
        members = conn.execute(select(m.Org.code, m.Round.name).join(m.Tally, m.Tally.org_id == m.Org.id)
                               .join(m.Round, m.Round.id == m.Tally.round_id).where(m.Tally.member_id.is_not(None))
                               .order_by(m.Org.code).limit(1)).first()
    engine.dispose()
    assert busy and members, "the demo has rectifications and a members' evaluation"
    return [f"{path}?org={busy}" for path in ("/org", "/drill")] + [
        f"{path}?org={members[0]}&round={members[1]}" for path in ("/org", "/drill")]


def _data_strings(url: str) -> list[str]:
    from data import models as m
    from domain.rules import EVALUATOR_CATEGORIES

    columns = [m.Org.name, m.System.name, m.Region.name, m.Region.full_name, m.Round.name, m.SupervisionGroup.name,
               m.SupervisionGroup.leader, m.Member.name, m.Item.name, m.Rectification.description,
               m.Rectification.measure, m.Rectification.owner, m.Rectification.source, m.Rectification.evidence,
               m.Pledge.content, m.Visit.findings, m.Visit.follow_up, m.Visit.recorded_by, m.User.display_name, m.LeaderComment.commenter,
               m.LeaderComment.opinion, m.LeaderComment.problem_codes, m.Publication.method, m.Publication.feedback_to,
               m.Approval.reason, m.ReworkOrder.office, m.ReworkOrder.doc_no, m.ReworkOrder.note]
    engine = create_engine(url)
    found: set[str] = set(EVALUATOR_CATEGORIES)
    with engine.connect() as conn:
        for column in columns:
            found |= {v for v in conn.scalars(select(column).distinct()) if v}
    engine.dispose()
    return sorted(found, key=len, reverse=True)


def test_every_page_in_english_has_no_han_outside_data(page, live):
    data = _data_strings(live["url"])
    log_in(page, live)
    page.evaluate("localStorage.setItem('lang', JSON.stringify('en'))")
    left = {}
    for path in [*PAGES, *_deep_paths(live["url"])]:
        _open(page, live, path)
        page.screenshot(path=str(SHOTS / f"polish-{_name(path)}-1440-en.png"), full_page=True)
        text = page.evaluate("""() => { const t = document.getElementById('lang-toggle');
            return document.body.innerText.replace(t ? t.innerText : '', ''); }""")
        # Every cell of every row the grids hold, as formatted: also the columns scrolled out of view
        # (AG Grid draws only what is on screen), and the headers' definitions shown on hover.
        text += "\n" + "\n".join(page.evaluate(GRID_TEXT))
        for value in data:
            text = text.replace(value, " ")
        han = sorted({line.strip()[:60] for line in text.splitlines() if HAN.search(line)})
        if han:
            left[path] = han
    assert left == {}, "\n".join(f"{p}: {h}" for p, h in left.items())


def _han_left(page) -> list[str]:
    text = page.evaluate("""() => { const t = document.getElementById('login-lang');
        return document.body.innerText.replace(t ? t.innerText : '', '') + '\\n' + document.title; }""")
    return sorted({line.strip() for line in text.splitlines() if HAN.search(line)})


def test_the_login_page_speaks_english_and_hands_the_language_on(page, live):
    # /login?lang=en: every word in English (the toggle's 中文 is the way back), a wrong password too.
    page.goto(f"{live['base']}/login?lang=en")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Wrong username or password.").wait_for()
    assert _han_left(page) == []
    page.screenshot(path=str(SHOTS / "polish-login-1440-en.png"), full_page=True)
    # Logging in from there opens the app in English …
    page.get_by_label("Password").fill(live["password"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("#shell-navbar .navbar")
    page.get_by_role("link", name="Overview").wait_for()
    # … and logging out of the English app comes back to the English login page.
    page.locator("#shell-user-menu").get_by_role("button").first.click()
    page.locator("#shell-logout").click()
    page.get_by_role("button", name="Log in").wait_for()
    assert "lang=en" in page.url and _han_left(page) == []
    # The toggle goes back to Chinese, for the login page and the app after it.
    page.locator("#login-lang").click()
    page.get_by_role("button", name="登录").wait_for()
    assert page.locator("#login-lang").inner_text() == "English"
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(live["password"])
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="总览").wait_for()
