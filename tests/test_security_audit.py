"""The audit trail and its page (issue: scope and security, item 4): exports and imports from the web and the
command line write rows; only admins open /audit and read or export it, refused on the server otherwise."""
from __future__ import annotations

import base64
import csv
import io
from datetime import datetime

import openpyxl
import pytest

from callbacks import audit as audit_cb
from callbacks import shell, tables
from dashboard import cli
from web.auth import WebUser
from data import audit
from data.users import create_user
from tests import report_dataset as rd
from tests.importer_helpers import base_file
from tests.test_app_callbacks import text_of


@pytest.fixture
def users(web_app, sessions):
    with sessions() as s:
        rd.load(s)
    with sessions.begin() as s:
        made = {name: WebUser.of(create_user(s, name, "password-123", role, grants))
                for name, role, grants in (("ada", "admin", []), ("lee", "leader", ["all"]),
                                           ("uma", "unit", ["A2"]))}
        audit.record(s, "login", "uma", "", "10.1.1.1", at=datetime(2024, 12, 1, 8, 30))
        audit.record(s, "login_failed", "mallory", "", "10.6.6.6", at=datetime(2024, 12, 2, 23, 59))
        audit.record(s, "export", "lee", "下钻；csv；3 行", "10.1.1.2", at=datetime(2024, 12, 3, 0, 0))
    return made


def store(state=None):
    return {"table": "audit", "state": state or {}, "lang": "zh"}


def grid_rows(state=None):
    out = tables.get_rows({"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}}, store(state))
    return [[r["c0"], r["c1"], r["c2"]] for r in out["rowData"]]


def test_admins_read_the_audit_log_newest_first_and_filter_it(as_user):
    with as_user("ada"):
        assert grid_rows() == [["2024-12-03 00:00:00", "lee", "导出"],
                               ["2024-12-02 23:59:00", "mallory", "登录失败"],
                               ["2024-12-01 08:30:00", "uma", "登录"]]
        assert grid_rows({"action": "login_failed"}) == [["2024-12-02 23:59:00", "mallory", "登录失败"]]
        assert grid_rows({"user": "uma"}) == [["2024-12-01 08:30:00", "uma", "登录"]]
        # Whole days, both ends included: 12-02 23:59 is in, 12-03 00:00 is not.
        assert [r[0] for r in grid_rows({"from": "2024-12-02", "to": "2024-12-02"})] == ["2024-12-02 23:59:00"]
        assert "起始日期无效" in text_of(tables.render(store({"from": "2024-13-01"})))


def test_the_filters_narrow_the_grid_state(as_user):
    new = audit_cb.on_filters("export", " lee ", "2024-12-01", None, store())
    assert new == store({"action": "export", "user": "lee", "from": "2024-12-01"})


@pytest.mark.parametrize("name", ["lee", "uma"])
def test_everyone_else_is_refused_on_the_server(as_user, name):
    """Even a leader who sees every org: the page, the rows and the export are admin-only."""
    with as_user(name):
        _, page, _ = shell.route("/audit", "", "zh")
        assert "仅管理员可查看此页面" in text_of(page)
        assert "mallory" not in str(page)
        assert tables.get_rows({"startRow": 0, "endRow": 100}, store()) == {"rowData": [], "rowCount": 0}
        assert "仅管理员可查看" in text_of(tables.render(store()))
        data, message = tables.export_file(store(), "csv", None)
        assert data is None and "仅管理员可查看" in message
        bar, _, _ = shell.route("/", "", "zh")
        assert "审计日志" not in text_of(bar) and "/audit" not in str(bar)


def test_the_admin_export_has_the_rows_and_is_itself_audited(as_user, sessions):
    with as_user("ada"):
        bar, page, _ = shell.route("/audit", "", "zh")
        assert "审计日志" in text_of(bar) and "审计日志" in text_of(page)
        data, message = tables.export_file(store({"action": "login"}), "csv", None)
        book, _ = tables.export_file(store({"action": "login"}), "xlsx", None)
    assert message == ""
    text = base64.b64decode(data["content"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    title = openpyxl.load_workbook(io.BytesIO(base64.b64decode(book["content"]))).worksheets[0]
    assert ("筛选条件", "动作：登录") in [row[:2] for row in title.iter_rows(max_row=6, values_only=True)]
    header = rows.index(["时间", "用户", "动作", "详情", "地址"])
    assert rows[header + 1:] == [["2024-12-01 08:30:00", "uma", "登录", "", "10.1.1.1"]]
    with sessions() as s:
        last = audit.recent(s, "export", limit=1)[0]
    assert last.username == "ada" and "审计日志" in last.detail and "1 行" in last.detail


def test_cli_exports_and_imports_are_audited(users, engine, sessions, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    out = tmp_path / "d.csv"
    assert cli.main(["export", "drilldown", "--out", str(out), "--as-of", rd.AS_OF.isoformat(),
                     "--system", "交通运输系统"]) == 0
    n_rows = int(capsys.readouterr().out.split(" rows")[0])
    base = tmp_path / "基础.xlsx"
    base.write_bytes(base_file())
    assert cli.main(["import", str(base), "--dry-run"]) == 0
    with sessions() as s:
        export = audit.recent(s, "export", limit=1)[0]
        imported = audit.recent(s, "import", limit=1)[0]
    assert (export.username, export.address) == ("cli", "cli")
    assert "csv" in export.detail and "system=交通运输系统" in export.detail and "d.csv" in export.detail
    assert n_rows == 2 and export.detail.split("；")[2] == "2 行"  # A and B: the system's top level
    assert imported.username == "cli" and imported.detail.startswith("试导入；文件 基础.xlsx")


def test_cli_user_changes_are_audited_without_the_password(engine, sessions, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-Passw0rd\n"))
    assert cli.main(["users", "add", "zoe", "--role", "leader", "--scope", "all"]) == 0
    assert cli.main(["users", "token", "zoe"]) == 0
    with sessions() as s:
        rows = [r.detail for r in reversed(audit.recent(s, "user"))]
    assert rows == ["新增用户 zoe；角色 leader；范围 all", "签发 API 令牌 zoe"]
    assert not any("s3cret" in r for r in rows)
