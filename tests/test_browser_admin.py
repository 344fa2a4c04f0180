"""The admin pages in real Chromium: upload a CSV on 导入, read the check, confirm, see the log row; add a user
on 用户 and log in as that user in a fresh browser context. Screenshots go to test-artifacts/screenshots/."""
from __future__ import annotations

from pathlib import Path

from tests.test_browser_app import (  # noqa: F401 - fixtures shared with the main browser test
    browser_context_args, browser_type_launch_args, errors, live, log_in, shot)

ROUND = "2012年下半年创先争优群众评议"
CSV = ("承诺编号,评议批次,组织编码,党员编号,承诺内容,承诺时限,状态,兑现日期\n"
       f"UI-0001,{ROUND},JT-0007,,开设便民服务窗口,2012-11-30,已兑现,2012-11-20\n"
       f"UI-0002,{ROUND},JT-0008,,公开办事流程,2012-12-31,推进中,\n").encode("utf-8-sig")


def test_import_check_confirm_and_log(page, live, errors):
    log_in(page, live, "/import")
    page.get_by_role("heading", name="导入数据").wait_for()
    page.locator("#import-upload input[type=file]").set_input_files(
        files=[{"name": "承诺台账.csv", "mimeType": "text/csv", "buffer": CSV}])
    page.get_by_text("校验通过（试运行，未写入）").wait_for()
    assert "承诺台账.csv" in page.locator("#import-files").inner_text()
    shot(page, "import-checked")
    confirm = page.get_by_role("button", name="确认导入")
    assert confirm.is_enabled()
    confirm.click()
    page.get_by_text("导入完成").wait_for()
    # The log is the shared server-side grid: the newest import is its first row, with export buttons.
    page.locator("#import-log").get_by_text("承诺台账.csv").wait_for()
    row = page.locator("#import-log .ag-center-cols-container .ag-row[row-index='0']")
    assert "承诺台账.csv" in row.inner_text() and "admin" in row.inner_text()
    with page.expect_download() as download:
        page.locator("#card-imports").get_by_role("button", name="导出 Excel").click()
    assert download.value.suggested_filename.startswith("导入记录_")
    assert page.get_by_role("button", name="确认导入").is_disabled()
    shot(page, "import-done")
    # A file with errors: the table of errors and the download button.
    bad = CSV.replace(b"JT-0007", b"NO-SUCH-ORG")
    page.locator("#import-upload input[type=file]").set_input_files(
        files=[{"name": "有错.csv", "mimeType": "text/csv", "buffer": bad}])
    page.get_by_text("有错.csv：已拒绝").wait_for()
    page.locator("#import-error-grid .ag-row").first.wait_for()
    assert "NO-SUCH-ORG" in page.locator("#import-error-grid").inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载错误清单（Excel）").click()
    assert download.value.suggested_filename == "导入错误清单.xlsx"
    shot(page, "import-errors")
    assert errors == []


def pick(page, dropdown_id: str, text: str):
    """Choose an option of a Dash 4 dropdown by searching for it."""
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(text)
    page.locator(".dash-dropdown-option", has_text=text).first.click()
    page.keyboard.press("Escape")
    page.wait_for_function("([id, text]) => document.getElementById(id).innerText.includes(text)",
                           arg=[dropdown_id, text])


def test_add_a_user_then_log_in_as_that_user(page, live, errors, browser):
    log_in(page, live, "/users")
    page.get_by_role("heading", name="用户管理").wait_for()
    page.locator("#users-list .ag-row").first.wait_for()
    page.locator("#users-new-name").fill("wang")
    page.locator("#users-new-display").fill("王督导")
    pick(page, "users-new-role", "领导（leader）")
    pick(page, "users-new-scopes", "系统：交通运输系统")
    page.locator("#users-new-password").fill("wang-pass-2012")
    page.locator("#users-new-password2").fill("wang-pass-2012")
    page.get_by_role("button", name="添加用户").click()
    page.get_by_text("已添加用户 wang").wait_for()
    page.locator("#users-list").get_by_text("王督导").wait_for()
    assert "system:交通运输系统" in page.locator("#users-list").inner_text()
    shot(page, "users-added")
    with page.expect_download() as download:  # the list's export has the users, header first
        page.locator("#card-users").get_by_role("button", name="导出 CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert exported.startswith("用户名,") and "wang,王督导,领导,system:交通运输系统,启用,0" in exported
    assert "admin,测试管理员,管理员,全部,启用" in exported

    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    other = context.new_page()
    other.goto(live["base"] + "/")
    other.get_by_label("用户名").fill("wang")
    other.get_by_label("密码").fill("wang-pass-2012")
    other.get_by_role("button", name="登录").click()
    other.wait_for_selector("#shell-navbar .navbar")
    assert "系统 交通运输系统" in other.locator("#shell-scope").inner_text()
    nav = other.locator("#shell-navbar").inner_text()
    assert "用户" not in nav.split("\n") and "导入" not in nav.split("\n")
    other.goto(live["base"] + "/users")
    other.get_by_text("无权访问").wait_for()
    other.locator("#shell-round").wait_for()
    shot(other, "users-refused")
    context.close()
    assert errors == []


def test_settings_edit_is_saved_and_listed(page, live, errors):
    log_in(page, live, "/settings")
    page.get_by_role("heading", name="设置 · 评议批次").wait_for()
    field = page.locator("#settings-field-min_sample")
    page.wait_for_function("() => document.getElementById('settings-field-min_sample').value !== ''")
    assert page.locator("#settings-scale-note").inner_text() == "该批次已有测评数据，评分标准不能再改。"
    field.fill("15")
    page.locator("#settings-field-doc_no").fill("江南评〔2012〕8号")
    page.get_by_role("button", name="保存修改").click()
    page.get_by_text("已保存：").wait_for()
    history = page.locator("#settings-history")
    history.get_by_text("最小样本").wait_for()
    assert "江南评〔2012〕8号" in history.inner_text() and "admin" in history.inner_text()
    shot(page, "settings-saved")
    assert errors == []
