"""领导点评, 公示反馈 and 逐级审核 (issue 20) on SQLite and PostgreSQL: the templates' errors, the comments view
and counts, 公示状态 with its overdue 待办, who may approve, the import lock and the audit trail."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from dashboard import record_reports, reports
from dashboard.cli import main as cli_main
from data import approvals
from data.importers import import_uploads
from data.models import Approval, AuditLog, LeaderComment, Org, Publication, SupervisionGroup, SupervisionLink, Tally
from data.users import create_user, user_scope
from domain.request import Request
from domain.scope import EVERYTHING, scope_for
from domain.tables import Filters
from tests.importer_helpers import ROUND, base_file, issues, table_counts, xlsx

T0 = datetime(2012, 3, 1, 9, 0)
TALLY_HEADER = ["评议批次*", "组织编码*", "满意", "基本满意", "不满意"]
RECT_HEADER = ["问题编号*", "评议批次*", "组织编码*", "问题来源", "问题描述*", "登记日期*", "整改时限*", "状态*"]
COMMENT_HEADER = ["评议批次*", "组织编码*", "点评编号*", "点评人*", "点评日期*", "点评等次", "点评意见*", "问题编号"]
PUBLICATION_HEADER = ["评议批次*", "组织编码*", "公示日期", "公示方式", "反馈日期", "反馈对象"]


def load(sessions, *sheets: tuple[str, list[list]], user: str = "admin", allowed=None, now=T0):
    return import_uploads(sessions, [(f"{sheets[0][0]}.xlsx", xlsx(dict(sheets)))], user, allowed_org_ids=allowed,
                          now=now)


@pytest.fixture
def campaign(sessions):
    """Rounds and orgs (JT > JT01, JT02; WS), tallies of JT01 and JT02, two problems of JT01, one of WS."""
    assert import_uploads(sessions, [("基础.xlsx", base_file())], "admin", now=T0).accepted
    result = load(sessions, ("测评汇总", [TALLY_HEADER, [ROUND, "JT01", 20, 5, 1], [ROUND, "JT02", 12, 3, 2]]),
                  ("整改台账", [RECT_HEADER, ["ZG-1", ROUND, "JT01", "领导点评", "窗口排队长", "2012-03-02", "2012-04-30", "整改中"],
                               ["ZG-2", ROUND, "JT01", "领导点评", "公示栏未更新", "2012-03-02", "2012-04-30", "整改中"],
                               ["ZG-9", ROUND, "WS", "群众评议", "另一系统的问题", "2012-03-02", "2012-04-30", "整改中"]]))
    assert result.accepted, issues(result)
    return sessions


def ask(sessions, scope=EVERYTHING, as_of=date(2012, 12, 31), **extra) -> Request:
    return reports.request("comments", {"round": ROUND, "as_of": as_of.isoformat(), **extra}, scope)


def org(session, code: str) -> Org:
    return session.scalar(select(Org).where(Org.code == code))


# ---------------------------------------------------------------------------------------- 领导点评
def test_comment_errors_name_cell_and_reason_and_write_nothing(campaign):
    before = table_counts(campaign)
    result = load(campaign, ("领导点评", [COMMENT_HEADER,
        [ROUND, "JT01", "DP-1", "王部长", "2012-03-10", "很好", "作风扎实", "ZG-1"],  # 等次 not on the scale
        [ROUND, "JT01", "DP-2", "", "2012-03-10", "好", "作风扎实", ""],  # 点评人 blank
        [ROUND, "JT01", "DP-3", "王部长", "2012-13-10", "好", "", ""],  # bad date, blank 意见
        [ROUND, "JT01", "DP-4", "王部长", "2012-03-10", "差", "问题不少", "ZG-1、ZG-404、ZG-9"],  # unknown, other org
        ["没有的批次", "JT01", "DP-5", "王部长", "2012-03-10", "好", "好", ""],
        [ROUND, "JT01", "DP-4", "王部长", "2012-03-10", "差", "重复", ""],
        [ROUND, "NOPE", "DP-6", "王部长", "2012-03-10", "好", "好", ""]]))
    assert not result.accepted
    got = {(e.row, e.column): e.reason for e in result.errors}
    assert "应为 好/较好/一般/差 之一" in got[(2, "点评等次")]
    assert got[(3, "点评人*")] == "必填项为空"
    assert got[(4, "点评意见*")] == "必填项为空" and (4, "点评日期*") in got
    assert got[(5, "问题编号")].endswith("ZG-404、ZG-9")  # ZG-1 is JT01's: fine; ZG-9 is WS's
    assert "未知的评议批次" in got[(6, "评议批次*")]
    assert "与第 5 行重复" in got[(7, "评议批次*+点评编号*")]
    assert got[(8, "组织编码*")] == "未知的组织编码"
    assert all(e.file == "领导点评.xlsx" and e.sheet == "领导点评" for e in result.errors)
    assert table_counts(campaign) == before


def test_unit_user_imports_comments_of_its_subtree_only(campaign):
    with campaign() as s:
        allowed = {org(s, "JT01").id}
    result = load(campaign, ("领导点评", [COMMENT_HEADER, [ROUND, "WS", "DP-1", "王部长", "2012-03-10", "好", "好", ""],
                                          [ROUND, "JT01", "DP-2", "王部长", "2012-03-10", "好", "好", "ZG-9"]]),
                  user="jt01", allowed=allowed)
    assert {(e.row, e.column, e.reason) for e in result.errors} == {
        (2, "组织编码*", "不在本单位范围内"),
        (3, "问题编号", "整改台账中没有本组织（或其下级组织）该批次的问题编号：ZG-9")}


def test_comments_view_counts_and_filter(campaign):
    result = load(campaign, ("领导点评", [COMMENT_HEADER,
        [ROUND, "JT01", "DP-1", "王部长", "2012-03-10", "差", "排队时间长", "ZG-1，ZG-2"],
        [ROUND, "JT02", "DP-2", "李书记", "2012-03-12", "好", "服务规范", ""],
        [ROUND, "WS", "DP-3", "赵主任", "2012-03-15", "", "尚可", ""],
        [ROUND, "JT01", "DP-4", "王部长", "2012-06-01", "较好", "有改进", "ZG-1"]]))
    assert result.accepted, issues(result)
    with campaign() as s:
        table = reports.build("comments", s, ask(campaign, as_of=date(2012, 5, 1)))
        assert table.headers[:3] == ["点评编号", "组织编码", "组织名称"]
        assert [r[0] for r in table.rows] == ["DP-3", "DP-2", "DP-1"]  # newest first; DP-4 is after the as-of day
        dp1 = table.rows[2]
        assert dp1[7] == "ZG-1、ZG-2" and dp1[8] == 2 and 2 in table.red_rows  # 差 is marked
        assert [r[0] for r in reports.build("comments", s, ask(campaign, grade="好")).rows] == ["DP-2"]
        transport = reports.build("comments", s, ask(campaign, scope_for("leader", [("system", "交通运输系统")])))
        assert {r[0] for r in transport.rows} == {"DP-1", "DP-2", "DP-4"}
        counts = record_reports.comment_counts(s, ask(campaign), ["JT", "JT01", "JT02", "WS"])
        assert counts == {"JT": 3, "JT01": 2, "JT02": 1, "WS": 1}
        unit = ask(campaign, scope_for("unit", [("org", "JT02")]))
        assert record_reports.comment_counts(s, unit, ["JT", "JT02", "WS"]) == {"JT02": 1}  # nothing it may not see
    with pytest.raises(reports.BadParameter):
        ask(campaign, grade="极好")


# ---------------------------------------------------------------------------------------- 公示反馈
def test_publication_errors_and_status_with_overdue_todo(campaign):
    bad = load(campaign, ("公示反馈", [PUBLICATION_HEADER, [ROUND, "JT01", "2012-07-10", "公示栏", "2012-07-01", "群众"],
                                       [ROUND, "JT02", "", "公示栏", "", "群众"],
                                       [ROUND, "JT02", "2012-07-10", "", "", ""],  # JT02 twice
                                       [ROUND, "WS", "明天", "", "", ""]]))
    got = {(e.row, e.column): e.reason for e in bad.errors}
    assert got == {(2, "反馈日期"): "反馈日期早于公示日期", (3, "公示日期"): "填了公示方式但未填公示日期",
                   (3, "反馈日期"): "填了反馈对象但未填反馈日期", (4, "评议批次*+组织编码*"): "与第 3 行重复（评议批次*+组织编码*相同）",
                   (5, "公示日期"): got[(5, "公示日期")]}
    good = load(campaign, ("公示反馈", [PUBLICATION_HEADER, [ROUND, "JT01", "2012-04-10", "公示栏", "2012-04-20", "群众代表"],
                                        [ROUND, "JT02", "2012-04-18", "门户网站", "", ""]]))
    assert good.accepted, issues(good)
    with campaign() as s:
        assert s.scalar(select(Publication.method).join(Org).where(Org.code == "JT02")) == "门户网站"
        # The base round ends 2012-03-31 (40999): 公示 is due by 04-15 with the default 15 days.
        status = record_reports.publication_status(s, ask(campaign, as_of=date(2012, 4, 15)), ["JT01", "JT02", "WS"])
        assert {k: (v.status, v.overdue) for k, v in status.items()} == {
            "JT01": ("已公示", False), "JT02": ("未公示", False), "WS": ("未公示", False)}
        later = record_reports.publication_status(s, ask(campaign, as_of=date(2012, 4, 19)), ["JT01", "JT02", "WS"])
        assert {k: (v.status, v.overdue) for k, v in later.items()} == {
            "JT01": ("已公示", False), "JT02": ("已公示", False), "WS": ("未公示", True)}
        assert later["WS"].todo == "结果未公示（应于 2012-04-15 前公示）"
        assert record_reports.publication_status(s, ask(campaign, as_of=date(2012, 4, 20)), ["JT01"])["JT01"].status == "已反馈"
    # The rule profile's 公示期限 moves the due day.
    assert load(campaign, ("评议批次", [["评议批次*", "公示期限"], [ROUND, 30]])).accepted
    with campaign() as s:
        assert not record_reports.publication_status(s, ask(campaign, as_of=date(2012, 4, 19)), ["WS"])["WS"].overdue


# ---------------------------------------------------------------------------------------- 逐级审核
@pytest.fixture
def people(campaign):
    with campaign.begin() as s:
        group = SupervisionGroup(name="第一督导组")
        s.add(group)
        s.flush()
        s.add(SupervisionLink(group_id=group.id, org_id=org(s, "JT").id))
        for name, role, grants in (("jt01", "unit", ["JT01"]), ("jt", "unit", ["JT"]),
                                   ("health", "leader", ["system:卫生健康系统"]),
                                   ("transport", "leader", ["system:交通运输系统"]),
                                   ("sup", "supervisor", ["group:第一督导组"]), ("boss", "admin", [])):
            create_user(s, name, "a-long-password", role, grants)
    return campaign


def who(session, name: str):
    from data.users import get_user
    user = get_user(session, name)
    return dict(username=user.username, role=user.role, scope=user_scope(user))


def test_who_may_approve(people):
    with people() as s:
        jt01, jt = org(s, "JT01"), org(s, "JT")
        allowed = {name: approvals.may_approve(s, jt01, who(s, name)["role"], who(s, name)["scope"])
                   for name in ("jt01", "jt", "health", "transport", "sup", "boss")}
        assert allowed == {"jt01": False, "jt": True, "health": False, "transport": True, "sup": True, "boss": True}
        # A root org: no level above in a unit's or a system leader's scope; its group and admins may.
        assert not approvals.may_approve(s, jt, "unit", who(s, "jt")["scope"])
        assert not approvals.may_approve(s, jt, "leader", who(s, "transport")["scope"])
        assert approvals.may_approve(s, jt, "supervisor", who(s, "sup")["scope"])
    # Refused, nothing stored; another system's leader is not even told the org exists.
    for name, message in (("jt01", "只有上级组织、其督导组或管理员可以审核"), ("health", "未找到或无权查看的组织：JT01")):
        with people.begin() as s, pytest.raises(approvals.ApprovalError, match=message):
            approvals.act(s, round_name=ROUND, org_code="JT01", **who(s, name))
    with people() as s:
        assert s.scalar(select(Approval)) is None


def test_lock_rejects_changing_imports_until_an_admin_unlocks(people):
    tallies_v2 = ("测评汇总", [TALLY_HEADER, [ROUND, "JT01", 25, 5, 1]])
    with people.begin() as s:
        assert approvals.act(s, round_name=ROUND, org_code="JT01", **who(s, "jt"), now=datetime(2012, 4, 2, 10)) == "已审核"
    with people() as s, pytest.raises(approvals.ApprovalError, match="已由 jt 于 2012-04-02 10:00 审核通过"):
        approvals.act(s, round_name=ROUND, org_code="JT01", **who(s, "transport"))
    before = table_counts(people)
    for sheet in (tallies_v2,
                  ("整改台账", [RECT_HEADER, ["ZG-1", ROUND, "JT01", "领导点评", "窗口排队长", "2012-03-02", "2012-05-30", "整改中"]]),
                  ("承诺台账", [["承诺编号*", "评议批次*", "组织编码*", "承诺内容*", "承诺时限*", "状态*"],
                                ["CN-1", ROUND, "JT01", "每周接待日", "2012-06-30", "推进中"]]),
                  ("测评场次", [["评议批次*", "组织编码*", "有效份数"], [ROUND, "JT01", 40]])):
        result = load(people, sheet)
        assert not result.accepted, sheet[0]
        assert [e.value for e in result.errors] == ["JT01"]
        assert "JT01 机关第一党支部" in result.errors[0].reason and "已由 jt 于 2012-04-02 10:00 审核通过" in result.errors[0].reason
        assert table_counts(people) == before
    # The same figures again change nothing, so they pass; another org is not locked.
    assert load(people, ("测评汇总", [TALLY_HEADER, [ROUND, "JT01", 20, 5, 1], [ROUND, "JT02", 13, 3, 2]])).accepted
    # Approving the parent locks its subtree: a branch's change would change its 汇总.
    with people.begin() as s:
        approvals.act(s, round_name=ROUND, org_code="JT", **who(s, "boss"))
    refused = load(people, ("测评汇总", [TALLY_HEADER, [ROUND, "JT02", 14, 3, 2]]))
    assert "下级组织 JT02" in refused.errors[0].reason and refused.errors[0].value == "JT"
    for name, reason, message in (("jt", "数据有误", "只有管理员"), ("boss", " ", "请填写解锁原因")):
        with people() as s, pytest.raises(approvals.ApprovalError, match=message):
            approvals.unlock(s, round_name=ROUND, org_code="JT01", reason=reason, **who(s, name))
    with people.begin() as s:
        approvals.unlock(s, round_name=ROUND, org_code="JT01", reason="单位申请更正", **who(s, "boss"))
        approvals.unlock(s, round_name=ROUND, org_code="JT", reason="单位申请更正", **who(s, "boss"))
    assert load(people, tallies_v2).accepted
    with people() as s:
        assert s.scalar(select(Tally.opt1).join(Org, Org.id == Tally.org_id).where(Org.code == "JT01")) == 25
        trail = [(a.username, a.action, a.detail) for a in s.scalars(select(AuditLog).where(
            AuditLog.action == "approval").order_by(AuditLog.id))]
    assert trail == [("jt", "approval", f"审核通过：{ROUND} · JT01 机关第一党支部"),
                     ("boss", "approval", f"审核通过：{ROUND} · JT 交通运输局党委"),
                     ("boss", "approval", f"解锁：{ROUND} · JT01 机关第一党支部 · 原因：单位申请更正"),
                     ("boss", "approval", f"解锁：{ROUND} · JT 交通运输局党委 · 原因：单位申请更正")]


def test_return_goes_back_to_the_unit_until_it_reports_again(people):
    with people.begin() as s:
        with pytest.raises(approvals.ApprovalError, match="请填写退回原因"):
            approvals.act(s, round_name=ROUND, org_code="JT02", return_reason="", **who(s, "sup"))
        approvals.act(s, round_name=ROUND, org_code="JT02", return_reason="不满意票数与场次不符", **who(s, "sup"),
                      now=datetime(2012, 4, 2, 10))
    with people() as s:
        status = record_reports.approval_status(s, ask(people), ["JT01", "JT02", "WS"])
        assert {k: v.state for k, v in status.items()} == {"JT01": "已上报", "JT02": "退回", "WS": "未上报"}
        assert (status["JT02"].acted_by, status["JT02"].reason) == ("sup", "不满意票数与场次不符")
        with pytest.raises(approvals.ApprovalError, match="已退回"):
            approvals.act(s, round_name=ROUND, org_code="JT02", **who(s, "sup"))
        with pytest.raises(approvals.ApprovalError, match="未上报"):
            approvals.act(s, round_name=ROUND, org_code="WS", **who(s, "boss"))
    assert load(people, ("测评汇总", [TALLY_HEADER, [ROUND, "JT02", 12, 3, 1]]), now=datetime(2012, 4, 3)).accepted
    with people() as s:
        assert record_reports.approval_status(s, ask(people), ["JT02"])["JT02"].state == "已上报"
        table = reports.build("reporting", s, reports.request("reporting", {"round": ROUND, "as_of": "2012-04-03"},
                                                               EVERYTHING))
    row = {r[0]: dict(zip(table.headers, r)) for r in table.rows}
    assert row["JT02"]["审核状态"] == "已上报" and row["JT01"]["公示状态"] == "未公示"


def test_cli_approve_and_unlock(people, engine, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli_main(["approve", "--round", ROUND, "--org", "JT01", "--user", "jt01"]) == 1
    assert "只有上级组织" in capsys.readouterr().err
    assert cli_main(["approve", "--round", ROUND, "--org", "JT01", "--return", "缺少场次", "--user", "jt"]) == 0
    assert cli_main(["approve", "--round", ROUND, "--org", "JT02", "--user", "transport"]) == 0
    assert "JT02：已审核" in capsys.readouterr().out
    assert cli_main(["unlock", "--round", ROUND, "--org", "JT02", "--user", "jt", "--reason", "更正"]) == 1
    assert cli_main(["unlock", "--round", ROUND, "--org", "JT02", "--user", "boss"]) == 2  # --reason is required
    assert cli_main(["unlock", "--round", ROUND, "--org", "JT02", "--user", "boss", "--reason", "更正"]) == 0
    with people() as s:
        stored = {o: (a.state, a.reason) for o, a in s.execute(
            select(Org.code, Approval).join(Approval, Approval.org_id == Org.id))}
    assert stored == {"JT01": ("退回", "缺少场次"), "JT02": ("已解锁", "更正")}


def test_export_title_block_counts_approved_rows(people):
    from dashboard.exports import export_bytes
    import openpyxl, io

    with people.begin() as s:
        approvals.act(s, round_name=ROUND, org_code="JT01", **who(s, "boss"))
    with people() as s:
        table = reports.build("reporting", s, reports.request("reporting", {"round": ROUND, "as_of": "2012-12-31"},
                                                               EVERYTHING))
    book = openpyxl.load_workbook(io.BytesIO(export_bytes(table, "xlsx", exported_by="t", exported_at=T0)))
    lines = {r[0]: r[1] for r in book.active.iter_rows(max_row=12, max_col=2, values_only=True) if r[0]}
    assert lines["审核情况"] == "已审核 1 行，未审核 1 行：JT02（已上报）"


def test_brief_units_table_counts_comments(campaign):
    from dashboard import brief, brief_text

    assert load(campaign, ("领导点评", [COMMENT_HEADER, [ROUND, "JT01", "DP-1", "王部长", "2012-03-10", "差", "慢", "ZG-1"],
                                        [ROUND, "JT01", "DP-2", "王部长", "2012-03-11", "好", "快", ""]])).accepted
    with campaign() as s:
        facts = brief.gather(s, brief.brief_request({"round": ROUND, "as_of": "2012-12-31", "org": "JT"}, EVERYTHING),
                             EVERYTHING)
    _title, _lines, (headers, rows) = brief_text.basics(facts)
    assert headers[-1] == "领导点评数"
    assert {row[0]: row[-1] for row in rows} == {"机关第一党支部": 2, "机关第二党支部": 0}


def _record_campaign(people):
    """JT01 published and fed back, approved by jt; JT02 returned by the group; comments on both."""
    assert load(people, ("领导点评", [COMMENT_HEADER, [ROUND, "JT01", "DP-1", "王部长", "2012-03-10", "差", "慢", "ZG-1"],
                                      [ROUND, "JT02", "DP-2", "李书记", "2012-03-11", "好", "快", ""]]),
                ("公示反馈", [PUBLICATION_HEADER, [ROUND, "JT01", "2012-04-10", "公示栏", "2012-04-20", "群众代表"]])).accepted
    with people.begin() as s:
        approvals.act(s, round_name=ROUND, org_code="JT01", **who(s, "jt"), now=datetime(2012, 4, 2, 10))
        approvals.act(s, round_name=ROUND, org_code="JT02", return_reason="有效份数不符", **who(s, "sup"),
                      now=datetime(2012, 4, 3, 9))


def profile_row(s, code: str, scope=EVERYTHING, as_of="2012-12-31") -> dict:
    from dashboard import views

    table = views.build("profile", s, views.request("profile", {"round": ROUND, "org": code, "as_of": as_of}, scope))
    return dict(zip(table.headers, table.rows[0]))


def test_profile_states_publication_approval_and_comments(people):
    _record_campaign(people)
    with people() as s:
        jt01, jt02, jt = profile_row(s, "JT01"), profile_row(s, "JT02"), profile_row(s, "JT")
        early = profile_row(s, "JT02", as_of="2012-04-12")
        own = profile_row(s, "JT02", scope_for("unit", [("org", "JT02")]))
    assert {k: jt01[k] for k in ("公示状态", "公示日期", "公示方式", "反馈日期", "反馈对象", "审核状态", "审核人", "审核时间",
                                 "退回原因", "领导点评数")} == {
        "公示状态": "已反馈", "公示日期": date(2012, 4, 10), "公示方式": "公示栏", "反馈日期": date(2012, 4, 20),
        "反馈对象": "群众代表", "审核状态": "已审核", "审核人": "jt", "审核时间": "2012-04-02 10:00", "退回原因": None,
        "领导点评数": 1}
    # The round ended 03-31: unpublished on 04-12 is not late yet, on 12-31 it is (due 04-15).
    assert (jt02["审核状态"], jt02["审核人"], jt02["退回原因"]) == ("退回", "sup", "有效份数不符")
    assert (early["公示状态"], jt02["公示状态"], jt02["公示截止日期"]) == ("未公示", "逾期未公示", date(2012, 4, 15))
    assert jt["领导点评数"] == 2 and jt["审核状态"] == "已上报"  # the parent: its subtree's comments, not acted on
    assert own["领导点评数"] == 1 and own["退回原因"] == "有效份数不符"  # the unit sees why it was returned


def test_brief_says_comments_approvals_and_publication(people):
    from dashboard import brief, brief_text

    _record_campaign(people)
    with people() as s:
        facts = brief.gather(s, brief.brief_request({"round": ROUND, "as_of": "2012-12-31", "org": "JT"}, EVERYTHING),
                             EVERYTHING)
    sections = {heading: lines for heading, lines, _ in brief_text.sections(facts)}
    assert "各级领导共点评2条，涉及组织2个，其中评为好1条、差1条；点评等次为一般或差的组织：机关第一党支部；点评提出的问题1个已录入整改台账。" \
        in sections["一、基本情况"]
    record = sections["六、上报、审核和公示情况"]
    assert ("逐级审核方面，已上报的2个组织中，上级已审核通过1个，退回1个，待审核0个。退回的组织：机关第二党支部（JT02），"
            "原因：有效份数不符。") in record
    assert ("评议结果公示方面，应上报的2个组织中已公示1个（其中已向参评群众和被评议组织反馈1个），尚未公示1个"
            "（公示期限为评议结束后15天，即2012年4月15日前）。超过公示期限仍未公示的1个：机关第二党支部（JT02）。") in record
    steps = sections["七、下步工作"][0]
    assert "督促1个被退回的组织核实修改后重新上报" in steps and "督促1个逾期未公示的组织公示评议结果并反馈" in steps
    with people() as s:  # before anything was recorded in the other system: nothing to say, said plainly
        facts = brief.gather(s, brief.brief_request({"round": ROUND, "as_of": "2012-12-31", "org": "WS"}, EVERYTHING),
                             EVERYTHING)
    assert brief_text.comments_line(facts) == "截至统计日，尚未录入领导点评。"
