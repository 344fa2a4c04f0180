"""返工补课 in real Chromium: the red-line page shows 首评 and 复评 side by side with 返工状态 (the demo's two
rechecked orgs), and an admin records a 认定 on one org's drill-down page. Screenshots go to
test-artifacts/screenshots/."""
from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import create_engine, select

from tests.test_browser_app import (  # noqa: F401  (fixtures)
    browser_context_args, browser_type_launch_args, errors, first_cell, live, log_in, shot, whole_cells)

FIRST_ROUND = "2012年上半年创先争优群众评议"


def test_redline_shows_first_and_recheck_side_by_side(page, live, errors):
    log_in(page, live, f"/redline?round={quote(FIRST_ROUND)}&as_of={live['as_of']}")
    first_cell(page, "redline", "c1")
    # The grid draws only the columns in view: scroll to its last ones (返工状态, 首评, 复评).
    page.evaluate("""() => document.querySelectorAll('#card-redline .ag-body-horizontal-scroll-viewport,'
                                                    + ' #card-redline .ag-center-cols-viewport')
                        .forEach(v => { v.scrollLeft = 100000; })""")
    page.wait_for_function("() => document.querySelector('#card-redline .ag-header').innerText.includes('复评综合满意率')")
    header = page.locator("#card-redline .ag-header").inner_text()
    assert "返工状态" in header and "首评综合满意率" in header
    page.wait_for_function("() => document.querySelector('#card-redline').innerText.includes('复评达标')")
    assert "复评仍低于" in page.locator("#card-redline").inner_text()
    shot(page, "redline-rework")
    assert whole_cells(page, "redline", "返工状态") and whole_cells(page, "redline", "红线判定")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Red line", exact=True).wait_for()
    first_cell(page, "redline", "c1")
    assert whole_cells(page, "redline", "Rework status") and whole_cells(page, "redline", "Red-line verdict")
    page.wait_for_function("() => document.querySelector('#card-redline').innerText.includes('Recheck passed')")
    assert "Recheck still below" in page.locator("#card-redline").inner_text()
    shot(page, "redline-rework-en")
    page.get_by_role("button", name="中文").click()
    assert not errors


def test_an_admin_records_a_rework_order_on_the_orgs_page(page, live, errors):
    from data.models import Org, RollupHeadline, ReworkOrder, AuditLog
    engine = create_engine(live["url"])
    with engine.connect() as conn:
        code = conn.execute(select(Org.code).join(RollupHeadline, RollupHeadline.org_id == Org.id)
                            .where(RollupHeadline.round_id == 1, Org.is_leaf.is_(True)).order_by(Org.code)).first()[0]
    log_in(page, live, f"/drill?round={quote(FIRST_ROUND)}&org={code}&as_of={live['as_of']}")
    page.locator("#drill-rework-date").fill("2012-07-05")
    page.locator("#drill-rework-due").fill("2012-10-31")
    page.locator("#drill-rework-office").fill("县委督导组")
    page.locator("#drill-rework-doc").fill("督办〔2012〕9号")
    page.get_by_role("button", name="保存认定").click()
    page.wait_for_function("() => document.querySelector('#drill-rework-message').innerText.includes('已保存认定')")
    shot(page, "drill-rework-order")
    with engine.connect() as conn:
        order = conn.execute(select(ReworkOrder.doc_no, ReworkOrder.recorded_by).join(Org, Org.id == ReworkOrder.org_id)
                             .where(Org.code == code)).one()
        assert tuple(order) == ("督办〔2012〕9号", "admin")
        assert conn.execute(select(AuditLog.detail).where(AuditLog.action == "rework")).first()[0].find(code) >= 0
    engine.dispose()
