"""导入, 用户 and 设置 · 评议批次 callbacks called as plain functions inside a logged-in request: a check writes
nothing, the confirm imports the bytes kept on the server, errors come as a table and a sheet, a unit user
cannot touch another subtree, leaders cannot import, and only admins manage users and rounds."""
from __future__ import annotations

import base64
import io
from datetime import date

import openpyxl
import pytest
from dash.exceptions import PreventUpdate
from sqlalchemy import func, select

from callbacks import admin, imports, shell
from layouts import ids
from dashboard.web_auth import WebUser
from data import admin_queries as aq
from data import users as du
from data.audit import recent
from data.db import transaction
from data.models import ApiToken, ImportLog, Pledge, Round, RoundChange, User
from tests import report_dataset as rd
from tests.importer_helpers import csv_bytes
from tests.test_app_callbacks import text_of

PLEDGE_HEADER = ["承诺编号", "评议批次", "组织编码", "党员编号", "承诺内容", "承诺时限", "状态", "兑现日期"]


def pledge_csv(*rows) -> bytes:
    return csv_bytes([PLEDGE_HEADER, *rows])


def upload(data: bytes, mime="text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


@pytest.fixture
def users(web_app, sessions, tmp_path):
    web_app.config["PENDING_IMPORT_DIR"] = str(tmp_path / "pending")
    with sessions() as s:
        rd.load(s)
    with transaction(sessions) as s:
        made = {name: WebUser.of(create) for name, create in (
            (name, du.create_user(s, name, "password-123", role, grants, display_name=display))
            for name, role, grants, display in (
                ("ada", "admin", [], "艾达"), ("uma", "unit", ["A2"], "运输公司"),
                ("leo", "leader", ["all"], "领导")))}
    return made


def pledges(sessions) -> dict[str, str]:
    with sessions() as s:
        return dict(s.execute(select(Pledge.code, Pledge.status)).all())


GOOD = pledge_csv(["P9", rd.R2, "A21", "", "开设便民窗口", "2024-12-01", "已兑现", "2024-11-28"],
                  ["P10", rd.R2, "A2", "", "公开办事流程", "2025-01-15", "推进中", ""])


# ---------------------------------------------------------------------------------------- import
def test_check_writes_nothing_and_confirm_imports_the_kept_bytes(as_user, sessions):
    before = pledges(sessions)
    with as_user("uma"):
        files, result, disabled, errors, button = imports.check_upload([upload(GOOD)], ["承诺.csv"], "zh")
        assert "承诺.csv" in text_of(files) and "字节" in text_of(files)
        assert "校验通过（试运行，未写入）" in text_of(result) and "2 行" in text_of(result)
        assert disabled is False and errors is None and button == {"display": "none"}
        assert pledges(sessions) == before  # a dry run writes nothing
        with sessions() as s:
            assert s.scalar(select(func.count()).select_from(ImportLog)) == 0
        result, disabled, errors, button, done = imports.confirm_import(1, 0, "zh")
        assert "导入完成" in text_of(result) and "新增 2" in text_of(result)
        assert disabled is True and done == 1
        assert pledges(sessions) == {**before, "P9": "已兑现", "P10": "推进中"}
        # The kept bytes are gone: a second click imports nothing again.
        again = imports.confirm_import(2, 1, "zh")
        assert "没有待导入的文件" in text_of(again[0])
        log = imports.show_log(1, "zh")[0]
        assert log.rowData[0]["c1"] == "uma" and log.rowData[0]["c2"] == "承诺.csv" and log.rowData[0]["c4"] == 2
    with sessions() as s:
        actions = [(a.action, a.username) for a in recent(s)]
    assert ("import", "uma") in actions and ("import_check", "uma") in actions


def test_bad_file_gives_every_error_as_a_table_and_a_sheet(as_user, sessions):
    bad = pledge_csv(["P9", rd.R2, "ZZZ", "", "x", "2024-12-01", "推进中", ""],
                     ["P10", rd.R2, "A2", "", "y", "2024-12-01", "已兑现", ""])
    with as_user("ada"):
        _, result, disabled, errors, button = imports.check_upload([upload(bad)], ["坏.csv"], "zh")
        assert disabled is True and button == {}
        assert "已拒绝" in text_of(result)
        by_row = {(e[2], e[3]): e for e in errors}
        assert by_row[(2, "组织编码")][4] == "ZZZ" and "组织编码" in by_row[(2, "组织编码")][5]
        assert (3, "兑现日期") in by_row
        grid = result.children[1]
        assert [c["headerName"] for c in grid.columnDefs] == ["文件", "工作表", "行", "列", "值", "原因"]
        sheet = imports.errors_sheet(1, errors)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sheet["content"])))
        rows = list(book.active.iter_rows(values_only=True))
        assert rows[0] == ("文件", "工作表", "行", "列", "值", "原因") and len(rows) == 1 + len(errors)
        assert rows[1][0] == "坏.csv" and rows[1][2] == 2
        # Nothing was kept, so there is nothing to confirm.
        assert "没有待导入的文件" in text_of(imports.confirm_import(1, 0, "zh")[0])
    assert "P9" not in pledges(sessions)


def test_unit_user_cannot_import_another_subtree(as_user, sessions):
    other = pledge_csv(["P9", rd.R2, "C1", "", "x", "2024-12-01", "推进中", ""])
    with as_user("uma"):
        _, result, disabled, errors, _ = imports.check_upload([upload(other)], ["外单位.csv"], "zh")
        assert disabled is True and "超出本单位范围" in errors[0][5]
    with as_user("ada"):  # the same file is fine for an admin
        assert imports.check_upload([upload(other)], ["外单位.csv"], "zh")[2] is False


def test_leader_may_not_import_even_calling_the_callback(as_user, sessions):
    with as_user("leo"):
        files, result, disabled, errors, _ = imports.check_upload([upload(GOOD)], ["承诺.csv"], "zh")
        assert "无权导入" in text_of(result) and disabled is True
        assert "无权导入" in text_of(imports.confirm_import(1, 0, "zh")[0])
        assert "无权导入" in text_of(imports.show_log(0, "zh")[0])
        page = shell.route("/import", "", "zh")[1]
        assert "无权导入" in text_of(page)
    assert "P9" not in pledges(sessions)


def test_oversized_upload_is_refused_with_the_limit(as_user, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with as_user("ada"):
        files, result, disabled, *_ = imports.check_upload([upload(GOOD)], ["承诺.csv"], "zh")
        assert "文件过大" in text_of(result) and "20 MB" in text_of(result) and disabled is True


def test_template_download_is_the_blank_template(as_user):
    with as_user("uma"):
        sent = imports.template_file(1, "承诺台账")
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
        assert book.worksheets[0].cell(1, 1).value == "承诺编号*"
        with pytest.raises(PreventUpdate):
            imports.template_file(1, "../etc/passwd")


# ---------------------------------------------------------------------------------------- users (data)
def test_users_functions(sessions):
    with transaction(sessions) as s:
        rd.load(s)
        du.create_user(s, "bob", "password-123", "unit", ["A2"], display_name="运输公司")
        du.issue_token(s, du.get_user(s, "bob"))
        du.issue_token(s, du.get_user(s, "bob"))
    with sessions() as s:
        [bob] = du.list_users(s)
        assert bob == du.UserRow("bob", "运输公司", "unit", ("A2",), True, 2)
    with transaction(sessions) as s:
        du.update_user(s, "bob", role="leader", grants=["system:交通运输系统", "A1"])
        assert du.revoke_tokens(s, "bob") == 2
        password = du.reset_password(s, "bob")
        du.set_active(s, "bob", False)
    with sessions() as s:
        [bob] = du.list_users(s)
        assert (bob.role, bob.grants, bob.active, bob.tokens) == ("leader", ("system:交通运输系统", "A1"), False, 0)
        assert du.authenticate(s, "bob", password) is None  # deactivated
    with transaction(sessions) as s:
        du.set_active(s, "bob", True)
    with sessions() as s:
        assert du.authenticate(s, "bob", password) is not None and du.authenticate(s, "bob", "password-123") is None
        with pytest.raises(du.UserError, match="未知组织编码"):
            du.update_user(s, "bob", grants=["NOPE"])
        with pytest.raises(du.UserError, match="不能使用这些范围：system:交通运输系统"):
            du.update_user(s, "bob", role="unit")  # a unit user cannot hold a system
        with pytest.raises(du.UserError, match="未知用户"):
            du.reset_password(s, "nobody")
        choices = dict(du.grant_choices(s))
        assert choices["all"] == "全部" and choices["system:卫生健康系统"] == "系统：卫生健康系统"
        assert choices["A21"] == "组织：A21 运输公司一支部"


# ---------------------------------------------------------------------------------------- users (page)
def test_admin_adds_and_changes_users_and_everything_is_audited(as_user, sessions):
    with as_user("ada"):
        message, refresh, *typed = admin.add_user(1, "bea", "卫健委", "unit", ["C"], "", "", 0, "zh")
        assert refresh == 1 and "初始密码" in text_of(message) and typed == ["", ""]
        password = message.children[1].children
        mismatch = admin.add_user(1, "cat", "", "unit", [], "password-1", "password-2", 1, "zh")[0]
        assert "两次输入的密码不一致" in text_of(mismatch)
        assert "不能使用这些范围" in text_of(admin.add_user(1, "dan", "", "unit", ["all"], "", "", 1, "zh")[0])
        assert "用户已存在" in text_of(admin.add_user(1, "bea", "", "unit", [], "", "", 1, "zh")[0])
        grid = admin.show_users(1, "zh")[0]
        bea = next(r for r in grid.rowData if r["c0"] == "bea")
        assert (bea["c2"], bea["c3"], bea["c4"], bea["c5"]) == ("单位", "C", "启用", 0)
        assert "hash" not in str(grid.rowData) and "scrypt" not in str(grid.rowData)
        token = admin.user_action("token", "bea", None, None, "zh").children[1].children
        assert admin.pick_user("bea") == ("unit", ["C"])
        admin.user_action("save", "bea", "leader", ["system:卫生健康系统"], "zh")
        new_password = admin.user_action("reset", "bea", None, None, "zh").children[1].children
        assert "1 个" in text_of(admin.user_action("revoke", "bea", None, None, "zh"))
        assert "不能停用自己的账号" in text_of(admin.user_action("deactivate", "ada", None, None, "zh"))
        admin.user_action("deactivate", "bea", None, None, "zh")
    with sessions() as s:
        bea = du.get_user(s, "bea")
        assert (bea.role, bea.active) == ("leader", False)
        assert [(g.kind, g.value) for g in bea.scopes] == [("system", "卫生健康系统")]
        assert du.user_by_token(s, token) is None  # revoked
        assert s.scalar(select(ApiToken.token_hash)) != token  # stored hashed
        assert new_password != password and du.authenticate(s, "bea", new_password) is None  # inactive
        details = [a.detail for a in recent(s, "user")]
    assert any("添加用户 bea" in d for d in details) and any("停用用户 bea" in d for d in details)
    assert any("重置密码 bea" in d for d in details) and not any(new_password in d for d in details)


def test_non_admins_are_refused_on_the_server(as_user, sessions):
    for name in ("uma", "leo"):
        with as_user(name):
            assert admin.show_rounds(ids.Settings.ROUND, "zh") == ([], None)
            assert "无权访问" in text_of(admin.show_users(0, "zh")[0])
            assert "无权访问" in text_of(admin.add_user(1, "eve", "", "admin", [], "", "", 0, "zh")[0])
            assert "无权访问" in text_of(admin.user_action("reset", "ada", None, None, "zh"))
            assert "无权访问" in text_of(admin.save_round(1, rd.R2, *[None] * len(admin.FIELDS), "zh")[0])
            assert "无权访问" in text_of(shell.route("/users", "", "zh")[1])
            assert "无权访问" in text_of(shell.route("/settings", "", "zh")[1])
            navbar = str(shell.route("/", "", "zh")[0])
            assert "/users" not in navbar and "/settings" not in navbar
            assert ("/import" in navbar) == (name == "uma")
    with sessions() as s:
        assert s.scalar(select(User.id).where(User.username == "eve")) is None
        assert du.authenticate(s, "ada", "password-123") is not None


# ---------------------------------------------------------------------------------------- rounds
def test_round_edits_are_logged_and_the_scale_locks_with_tallies(as_user, sessions):
    with transaction(sessions) as s:
        s.add(Round(name="2025年评议", scale="三级"))
    with as_user("ada"):
        options, first = admin.show_rounds(ids.Settings.ROUND, "zh")
        # Newest first; a round without a start date comes last.
        assert [o["value"] for o in options] == [rd.R2, rd.R1, "2025年评议"] and first == rd.R2
        values = admin.load_round(rd.R2, "zh")
        form = dict(zip(admin.FIELDS, values[:len(admin.FIELDS)]))
        assert values[len(admin.FIELDS)] is True and "不能再改" in values[len(admin.FIELDS) + 1]
        edited = {**form, "redline": 0.7, "min_sample": 12, "doc_no": "川评〔2024〕3号"}
        message, history = admin.save_round(1, rd.R2, *[edited[f] for f in admin.FIELDS], "zh")
        assert "红线 0.666667 → 0.7" in text_of(message) and "最小样本 10 → 12" in text_of(message)
        assert {r["c2"] for r in history.rowData} == {"红线", "最小样本", "文件号"}
        assert {r["c5"] for r in history.rowData} == {"ada"}
        same = admin.save_round(2, rd.R2, *[edited[f] for f in admin.FIELDS], "zh")[0]
        assert "没有修改" in text_of(same)
        locked = {**edited, "scale": "五级"}
        assert "不能把评分标准从三级改为五级" in text_of(admin.save_round(3, rd.R2, *[locked[f] for f in admin.FIELDS],
                                                                      "zh")[0])
        bad = {**edited, "confidence": 1.5, "warn_days": -1}
        text = text_of(admin.save_round(4, rd.R2, *[bad[f] for f in admin.FIELDS], "zh")[0])
        assert "置信水平" in text and "临期天数" in text
        fresh = dict(zip(admin.FIELDS, admin.load_round("2025年评议", "zh")[:len(admin.FIELDS)]))
        admin.save_round(5, "2025年评议", *[{**fresh, "scale": "四级"}[f] for f in admin.FIELDS], "zh")
    with sessions() as s:
        r2 = s.scalar(select(Round).where(Round.name == rd.R2))
        assert (r2.redline, r2.min_sample, r2.scale, r2.confidence) == (0.7, 12, "三级", 0.95)
        assert s.scalar(select(Round.scale).where(Round.name == "2025年评议")) == "四级"
        assert s.scalar(select(func.count()).select_from(RoundChange)) == 4
        assert any("2025年评议" in a.detail for a in recent(s, "round"))


def test_update_round_checks_everything_first(sessions):
    with transaction(sessions) as s:
        s.add(Round(name="R", start_date=date(2025, 3, 1)))
    with transaction(sessions) as s:
        with pytest.raises(aq.RoundEditError) as err:
            aq.update_round(s, "R", {"end_date": "2025-02-01", "redline": 2, "min_sample": 0}, "ada")
        assert "结束日期早于开始日期" in str(err.value) and "红线" in str(err.value) and "最小样本" in str(err.value)
    with transaction(sessions) as s:
        [c] = aq.update_round(s, "R", {"redline_metric": "测评得分", "redline": 60}, "ada")[1:]
        assert (c.field, c.old_value, c.new_value) == ("redline", "0.666667", "60")
    with sessions() as s:
        assert {(h.field, h.old, h.new, h.changed_by) for h in aq.round_changes(s, "R")} == {
            ("红线指标", "综合满意率", "测评得分", "ada"), ("红线", "0.666667", "60", "ada")}
