"""Issue 15: the campaign as its documents run it — names as people type them, values in every import error,
the round's 文件号 and red line in the title block, rates named by the scale."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from dashboard import reports
from data import queries
from data.importers import import_uploads
from data.models import Org, Round
from domain.rules import RuleProfile
from domain.scope import EVERYTHING
from domain.tables import Filters
from tests.importer_helpers import ORG_HEADER, ORG_ROWS, csv_bytes, issues, xlsx
from tests import report_dataset as rd

_build, _overview, _drilldown = rd.build, rd.overview, rd.drilldown


T0 = datetime(2012, 3, 1, 9, 0)
BRACKETED = "2012年上半年群众评议(某乡)"  # what the importer stores: half-width, no spaces
TALLY = ["评议批次", "组织编码", "测评项目", "参评人员类别", "满意", "基本满意", "不满意"]


def _load(sessions, round_name: str, scale: str = "三级", doc_no: str = "") -> None:
    base = xlsx({"评议批次": [["评议批次", "评分标准", "文件号"], [round_name, scale, doc_no]],
                 "组织架构": [ORG_HEADER, *ORG_ROWS]})
    result = import_uploads(sessions, [("base.xlsx", base)], "admin", now=T0)
    assert result.accepted, issues(result)


def test_round_names_and_codes_are_found_however_they_are_typed(sessions):
    _load(sessions, "2012年上半年群众评议（某乡）")
    with sessions() as s:
        assert s.scalars(select(Round.name)).all() == [BRACKETED]
    # A tally file with the name typed with a space and half-width brackets, the org code in full width.
    tallies = csv_bytes([TALLY, ["2012年 上半年群众评议(某乡)", "ＪＴ０１", "总体评价", "服务对象", 8, 1, 1]])
    result = import_uploads(sessions, [("t.csv", tallies)], "admin", now=T0)
    assert result.accepted, issues(result)
    assert not any(f.would_create_rounds for f in result.files)
    with sessions() as s:
        assert s.scalars(select(Round.name)).all() == [BRACKETED]
        for typed in ("2012年上半年群众评议（某乡）", "2012年上半年群众评议(某乡)", " 2012 年上半年群众评议（某乡） "):
            assert queries.find_round(s, typed).name == BRACKETED
            table = _drilldown(s, Filters(round=typed, org="ｊt".upper() + "０１"), date(2012, 6, 30),
                                      EVERYTHING)
            assert table.title.endswith(BRACKETED)
        with pytest.raises(queries.NotFound):
            queries.find_round(s, "2012年上半年群众评议（某县）")


def test_every_import_error_names_the_value_it_is_about(sessions):
    _load(sessions, "R")
    header = ["问题编号", "评议批次", "组织编码", "问题描述", "登记日期", "整改时限", "状态"]
    bad = csv_bytes([header, ["Z1", "R", "JT99", "窗口排队", "2012-03-01", "2012-13-40", "办结"]])
    result = import_uploads(sessions, [("90_整改.csv", bad)], "admin", now=T0)
    assert {e.cli_line() for e in result.errors} == {
        "90_整改.csv:90_整改:2:组织编码: 未知的组织编码（值：JT99）",
        "90_整改.csv:90_整改:2:整改时限: 不是有效日期（值：2012-13-40）",
        "90_整改.csv:90_整改:2:状态: 应为 未启动/整改中/已完成/已销号 之一（值：办结）",
    }
    assert {e.value for e in result.errors} == {"JT99", "2012-13-40", "办结"}


def test_title_block_states_the_rounds_document_and_red_line(sessions):
    _load(sessions, "R", doc_no="湘组通〔2012〕15号")
    with sessions() as s:
        table = _drilldown(s, Filters(round="R"), date(2012, 6, 30), EVERYTHING)
    block = dict(table.title_block("u", T0))
    assert block["文件号"] == "湘组通〔2012〕15号"
    assert block["红线"] == "综合满意率 ≥ 2/3，最小样本 10"
    assert RuleProfile(redline_metric="满意率", redline=0.8, min_sample=20).redline_text() == \
        "满意率 ≥ 80%，最小样本 20"


def test_member_scale_names_its_rates_as_its_users_do(sessions):
    _load(sessions, "党员评议", scale="民主评议党员")
    with sessions() as s:
        table = _drilldown(s, Filters(round="党员评议"), date(2012, 6, 30), EVERYTHING)
        block = dict(table.title_block("u", T0))
    assert {"合格率", "优秀率", "优秀合格率", "基本合格率", "不合格率", "合格率（选项）"} <= set(table.headers)
    assert "综合满意率" not in table.headers and "满意率" not in table.headers
    assert block["红线"] == "合格率 ≥ 2/3，最小样本 10"


RECT = ["问题编号", "措施编号", "评议批次", "组织编码", "问题来源", "问题描述", "整改措施", "登记日期", "整改时限",
        "状态", "完成日期"]


def _rects(rows) -> bytes:
    return csv_bytes([RECT, *rows])


def test_a_problem_holds_several_measures_and_is_done_when_all_are(sessions):
    _load(sessions, "R")
    ledger = _rects([
        ["P1", "", "R", "JT01", "回头看", "窗口排队", "增设窗口", "2012-03-01", "2012-04-30", "已完成", "2012-04-01"],
        ["P1", "2", "R", "JT01", "回头看", "窗口排队", "网上预约", "2012-03-01", "2012-05-30", "整改中", ""],
        ["P2", "1", "R", "JT02", "群众来信", "作风漂浮", "专题会", "2012-03-01", "2012-04-30", "已完成", "2012-04-10"],
    ])
    result = import_uploads(sessions, [("z.csv", ledger)], "admin", now=T0)
    assert result.accepted, issues(result)
    again = import_uploads(sessions, [("z.csv", ledger)], "admin", now=T0)
    assert (again.files[0].inserted, again.files[0].unchanged) == (0, 3)  # key: 批次 + 问题编号 + 措施编号
    from data.lookups import sources_in_scope
    with sessions() as s:
        table = _drilldown(s, Filters(round="R", org="JT"), date(2012, 6, 1), EVERYTHING)
        ledger_table = _build("rectifications", s, Filters(round="R"), date(2012, 6, 1), EVERYTHING)
        summary = _build("rectification-summary", s, Filters(round="R"), date(2012, 6, 1), EVERYTHING)
        # Any 问题来源 is kept and offered after the known ones; 回头看 is a known one.
        assert sources_in_scope(s, EVERYTHING) == ["群众评议", "领导点评", "督导反馈", "个别访谈", "回头看", "群众来信"]
        filtered = _build("rectifications", s, Filters(round="R", extra=(("source", "群众来信"),)),
                                 date(2012, 6, 1), EVERYTHING)
        # The overview counts both, from the index (whole round) and from SQL (a system's view).
        for narrowed in (Filters(round="R"), Filters(round="R", system="交通运输系统")):
            kpis = _overview(s, narrowed, date(2012, 6, 1), EVERYTHING)["kpis"]
            assert (kpis["整改问题数"], kpis["整改措施数"], kpis["整改完成率"]) == (2, 3, pytest.approx(2 / 3))
    rows = {row[0]: dict(zip(table.headers, row)) for row in table.rows}
    assert (rows["JT01"]["整改问题数"], rows["JT01"]["整改措施数"]) == (1, 2)
    assert rows["JT01"]["整改完成率"] == pytest.approx(0.5)  # counts measures
    by_measure = {(r[0], r[-1]): r for r in ledger_table.rows}
    assert set(by_measure) == {("P1", 1), ("P1", 2), ("P2", 1)} and ledger_table.headers[-1] == "措施编号"
    assert [r[0] for r in filtered.rows] == ["P2"]
    org_rows = {r[0]: dict(zip(summary.headers, r)) for r in summary.rows}
    assert (org_rows["JT01"]["整改问题数"], org_rows["JT01"]["整改措施数"], org_rows["JT01"]["完成措施数"]) == (1, 2, 1)
    from domain import metrics
    states = [metrics.rect_state("已完成", date(2012, 3, 1), date(2012, 4, 1), date(2012, 3, 5), None,
                                 date(2012, 6, 1), RuleProfile()),
              metrics.rect_state("整改中", date(2012, 3, 1), date(2012, 4, 1), None, None, date(2012, 6, 1),
                                 RuleProfile())]
    both = metrics.rect_summary(states, ["P1", "P1"])
    assert (both.problems, both.problems_done, both.registered, both.done) == (1, 0, 2, 1)
    assert metrics.rect_summary(states[:1], ["P1"]).problems_done == 1


def test_measure_numbers_are_whole_numbers_and_unique_per_problem(sessions):
    _load(sessions, "R")
    bad = _rects([
        ["P1", "0", "R", "JT01", "", "排队", "", "2012-03-01", "2012-04-30", "整改中", ""],
        ["P2", "1", "R", "JT01", "", "排队", "", "2012-03-01", "2012-04-30", "整改中", ""],
        ["P2", "", "R", "JT01", "", "排队", "", "2012-03-01", "2012-04-30", "整改中", ""],
        ["P3", "1", "R", "JT01", "", "排队", "", "2012-03-01", "2012-04-30", "整改中", ""],
        ["P3", "2", "R", "JT02", "", "排队", "", "2012-03-01", "2012-04-30", "整改中", ""],
    ])
    result = import_uploads(sessions, [("z.csv", bad)], "admin", now=T0)
    assert [(e.row, e.column, e.value, e.reason) for e in result.errors] == [
        (2, "措施编号", "0", "措施编号应为从 1 起的整数"),
        (4, "评议批次+问题编号+措施编号", "R/P2/1", "与第 3 行重复（评议批次+问题编号+措施编号相同）"),
        (6, "组织编码", "JT02", "同一问题的各项措施应属同一组织（与第 5 行不同）"),
    ]


def test_contact_point_limits_are_the_rounds_and_groups_belong_to_their_round(sessions):
    rounds = xlsx({"评议批次": [["评议批次", "联系点下限", "联系点上限"], ["R", "", ""], ["R2", 1, 1]],
                   "组织架构": [ORG_HEADER, *ORG_ROWS,
                            ["JT03", "机关第三党支部", "JT", "党支部", "交通运输系统", "湖南省/长沙市/望城区"],
                            ["JT04", "机关第四党支部", "JT", "党支部", "交通运输系统", "湖南省/长沙市/望城区"]]})
    assert import_uploads(sessions, [("base.xlsx", rounds)], "admin", now=T0).accepted
    groups = csv_bytes([["督导组", "组织编码", "是否联系点", "评议批次"],
                        ["第一组", "JT", "否", ""], *[["第一组", c, "是", ""] for c in ("JT01", "JT02", "JT03", "JT04")],
                        ["第一组", "WS", "否", ""],
                        ["二轮组", "JT", "否", "R2"], ["二轮组", "JT01", "是", "R2"]])
    result = import_uploads(sessions, [("g.csv", groups)], "admin", now=T0)
    assert result.accepted, issues(result)
    with sessions() as s:
        first = _build("contact-points", s, Filters(round="R"), date(2012, 6, 1), EVERYTHING)
        second = _build("contact-points", s, Filters(round="R2"), date(2012, 6, 1), EVERYTHING)
    rows = [dict(zip(first.headers, r)) for r in first.rows]
    # Four contact points against the default 2–3: 联系点过多; WS has none: 联系点不足. 二轮组 is R2's only.
    assert [(r["督导组"], r["单位编码"], r["联系点数"], r["联系点不足"], r["联系点过多"]) for r in rows] == [
        ("第一组", "JT", 4, "否", "是"), ("第一组", "WS", 0, "是", "否")]
    assert first.red_rows == {0, 1} and "本批次每个督导单位应有 2–3 个联系点" in first.notes
    rows = [dict(zip(second.headers, r)) for r in second.rows]
    assert [(r["督导组"], r["单位编码"], r["联系点不足"], r["联系点过多"]) for r in rows] == [
        ("二轮组", "JT", "否", "否"), ("第一组", "JT", "否", "是"), ("第一组", "WS", "是", "否")]
    bad = csv_bytes([["督导组", "组织编码", "评议批次"], ["三组", "JT", "R9"], ["四组", "JT", "R"], ["四组", "WS", "R2"]])
    assert [(e.row, e.column, e.reason) for e in import_uploads(sessions, [("b.csv", bad)], "admin").errors] == [
        (2, "评议批次", "未知的评议批次（请先导入评议批次）"), (4, "评议批次", "同一督导组的评议批次与第 3 行不一致")]
    limits = csv_bytes([["评议批次", "联系点下限", "联系点上限"], ["R", 4, ""]])
    assert [(e.column, e.reason) for e in import_uploads(sessions, [("l.csv", limits)], "admin").errors] == [
        ("联系点下限", "联系点上限（3）小于联系点下限（4）")]


def _reporting(sessions, round_name: str, as_of: date) -> dict[str, str]:
    with sessions() as s:
        table = _build("reporting", s, Filters(round=round_name), as_of, EVERYTHING)
    return {row[0]: row[4] for row in table.rows}


def test_an_org_reports_for_everything_under_it_at_the_rounds_reporting_level(sessions):
    base = xlsx({"评议批次": [["评议批次", "上报截止日期", "上报层级"], ["叶", "2012-03-31", ""],
                          ["逐级", "2012-03-31", "党委"]],
                 "组织架构": [ORG_HEADER, *ORG_ROWS]})
    assert import_uploads(sessions, [("base.xlsx", base)], "admin", now=T0).accepted
    tallies = csv_bytes([TALLY, *[[r, "JT01", "总体评价", "服务对象", 8, 1, 1] for r in ("叶", "逐级")],
                         *[[r, "WS", "总体评价", "服务对象", 8, 1, 1] for r in ("叶", "逐级")]])
    assert import_uploads(sessions, [("t.csv", tallies)], "admin", now=T0).accepted
    # Leaves by default: JT02 has nothing. At 上报层级 党委 the two 党委 are expected, and JT's branch's
    # rows make JT reported.
    assert _reporting(sessions, "叶", date(2012, 3, 10)) == {"JT02": "未上报", "JT01": "已上报", "WS": "已上报"}
    assert _reporting(sessions, "逐级", date(2012, 3, 10)) == {"JT": "已上报", "WS": "已上报"}
    with sessions() as s:
        done = _build("reporting-completeness", s, Filters(round="逐级"), date(2012, 3, 10), EVERYTHING)
    assert [r[2:6] for r in done.rows if r[0] == "系统"] == [[1, 1, 0, 0], [1, 1, 0, 0]]
    bad = csv_bytes([["评议批次", "上报层级"], ["逐级", "乡镇"]])
    assert [(e.column, e.reason) for e in import_uploads(sessions, [("b.csv", bad)], "admin").errors] == [
        ("上报层级", "应为 党委/党总支/党支部/领导班子/单位 之一")]


def test_tallies_default_blank_item_and_category_and_take_any_category_and_report_dates(sessions):
    _load(sessions, "R")
    header = ["评议批次", "组织编码", "测评项目", "参评人员类别", "上报日期", "满意", "基本满意", "不满意"]
    # A township's one-line total: no item, no category; a second org's categories from a real plan.
    tallies = csv_bytes([header, ["R", "JT01", "", "", "2012年3月5日", 900, 50, 10],
                         ["R", "JT02", "总体评价", "离退休干部", "", 20, 1, 1],
                         ["R", "JT02", "总体评价", "党外人士", "", 10, 0, 0]])
    result = import_uploads(sessions, [("t.csv", tallies)], "admin", now=datetime(2012, 4, 1, 8, 0))
    assert result.accepted, issues(result)
    from data.models import Item, Tally
    with sessions() as s:
        rows = {(code, cat): (item, first) for code, cat, item, first in s.execute(
            select(Org.code, Tally.category, Item.name, Tally.first_reported_at)
            .join(Org, Org.id == Tally.org_id).join(Item, Item.id == Tally.item_id))}
        cats = _build("categories", s, Filters(round="R", org="JT"), date(2012, 4, 30), EVERYTHING)
    assert rows[("JT01", "未分类")] == ("总体评价", datetime(2012, 3, 5))  # dated in the file
    assert rows[("JT02", "离退休干部")] == ("总体评价", datetime(2012, 4, 1, 8, 0))  # blank: the import time
    assert {r[0] for r in cats.rows} >= {"未分类", "离退休干部", "党外人士"}
    # A later file with an earlier 上报日期 moves the first report back; a later one does not.
    later = csv_bytes([header, ["R", "JT02", "总体评价", "离退休干部", "2012-03-10", 20, 1, 1]])
    assert import_uploads(sessions, [("l.csv", later)], "admin", now=datetime(2012, 5, 1)).accepted
    assert _reporting(sessions, "R", date(2012, 3, 20)) == {"JT01": "已上报", "JT02": "已上报"}


def test_a_blank_system_is_the_parents_and_a_top_org_needs_one(sessions):
    orgs = xlsx({"组织架构": [ORG_HEADER, ["XZ", "某镇党委", "", "党委", "乡镇系统", "湖南省/长沙市/望城区"],
                          ["XZ01", "某村党支部", "XZ", "党支部", "", "湖南省/长沙市/望城区"],
                          ["XZ0101", "某村第一党小组", "XZ01", "党支部", "", "湖南省/长沙市/望城区"]]})
    result = import_uploads(sessions, [("o.xlsx", orgs)], "admin", now=T0)
    assert result.accepted, issues(result)
    with sessions() as s:
        from data.models import System
        systems = dict(s.execute(select(Org.code, System.name).join(System, System.id == Org.system_id)).all())
    assert systems == {"XZ": "乡镇系统", "XZ01": "乡镇系统", "XZ0101": "乡镇系统"}
    top = xlsx({"组织架构": [ORG_HEADER, ["YZ", "另一镇党委", "", "党委", "", "湖南省/长沙市/望城区"]]})
    assert [(e.row, e.column, e.reason) for e in import_uploads(sessions, [("t.xlsx", top)], "admin").errors] == [
        (2, "所属系统*", "顶层组织须填写所属系统（下级组织留空则沿用上级的）")]


def _redline(sessions, as_of: date) -> dict[str, dict]:
    with sessions() as s:
        table = _build("redline", s, Filters(round="R"), as_of, EVERYTHING)
    return {row[0]: dict(zip(table.headers, row)) for row in table.rows}


def test_rework_order_and_recheck_replace_the_figures_and_keep_the_first_visible(sessions):
    _load(sessions, "R")
    header = ["评议批次", "组织编码", "参评人员类别", "测评轮次", "上报日期", "满意", "基本满意", "不满意"]
    first = csv_bytes([header, ["R", "JT01", "服务对象", "", "2012-03-10", 5, 0, 10],
                       ["R", "JT02", "服务对象", "首评", "2012-03-10", 4, 0, 11],
                       ["R", "WS", "服务对象", "", "2012-03-10", 20, 0, 0]])
    assert import_uploads(sessions, [("first.csv", first)], "admin", now=T0).accepted
    orders = csv_bytes([["评议批次", "组织编码", "认定日期", "认定单位", "文件号", "复评截止日期", "备注"],
                        ["R", "JT01", "2012-04-01", "县委督导办", "督办〔2012〕3号", "2012-05-01", ""],
                        ["R", "JT02", "2012-04-01", "县委督导办", "督办〔2012〕3号", "2012-05-01", ""]])
    result = import_uploads(sessions, [("orders.csv", orders)], "admin", now=T0)
    assert result.accepted, issues(result)
    before = _redline(sessions, date(2012, 3, 20))
    assert {k: v["返工状态"] for k, v in before.items()} == {"JT": "待认定", "JT01": "待认定", "JT02": "待认定"}
    recheck = csv_bytes([header, ["R", "JT01", "服务对象", "复评", "2012-04-20", 18, 2, 0],
                         ["R", "JT02", "服务对象", "复评", "2012-05-20", 5, 0, 10]])
    assert import_uploads(sessions, [("re.csv", recheck)], "admin", now=datetime(2012, 6, 1)).accepted
    mid = _redline(sessions, date(2012, 4, 25))
    assert mid["JT01"]["返工状态"] == "复评达标" and mid["JT01"]["红线判定"] == "达标"
    assert mid["JT01"]["首评综合满意率"] == pytest.approx(5 / 15) and mid["JT01"]["复评综合满意率"] == 1.0
    assert mid["JT02"]["返工状态"] == "已认定待复评" and mid["JT02"]["复评综合满意率"] is None
    # JT02's figures now are its 复评 rows (reported after this day): its 首评 column is still its 首评 rows
    assert mid["JT02"]["首评综合满意率"] == pytest.approx(4 / 15)
    late = _redline(sessions, date(2012, 5, 10))
    assert late["JT02"]["返工状态"] == "逾期未复评"
    after = _redline(sessions, date(2012, 6, 30))
    assert after["JT02"]["返工状态"] == "复评仍低于" and "WS" not in after
    with sessions() as s:  # current figures everywhere are the 复评 ones: the drill-down of JT
        table = _drilldown(s, Filters(round="R", org="JT"), date(2012, 6, 30), EVERYTHING)
    rows = {r[0]: dict(zip(table.headers, r)) for r in table.rows}
    assert rows["JT01"]["测评数"] == 20 and rows["JT01"]["综合满意率"] == 1.0
    with sessions() as s:
        overview = _overview(s, Filters(round="R"), date(2012, 6, 30), EVERYTHING)
        scoped = _overview(s, Filters(round="R", system="交通运输系统"), date(2012, 6, 30), EVERYTHING)
    assert overview["返工状态"]["复评达标"] == 1 and overview["返工状态"]["复评仍低于"] == 1
    assert scoped["返工状态"] == overview["返工状态"]  # the index path and the SQL path agree
    assert from_metrics_status_order() == ("待认定", "已认定待复评", "复评达标", "复评仍低于", "逾期未复评")


def test_the_first_evaluation_column_counts_the_rows_reported_by_the_as_of_day(sessions):
    _load(sessions, "R")
    header = ["评议批次", "组织编码", "参评人员类别", "测评轮次", "上报日期", "满意", "基本满意", "不满意"]
    rows = csv_bytes([header, ["R", "JT01", "服务对象", "首评", "2012-03-10", 5, 0, 10],
                      ["R", "JT01", "党员", "首评", "2012-03-25", 0, 0, 15]])
    assert import_uploads(sessions, [("first.csv", rows)], "admin", now=datetime(2012, 4, 1)).accepted
    assert _redline(sessions, date(2012, 3, 20))["JT01"]["首评综合满意率"] == pytest.approx(5 / 15)
    assert _redline(sessions, date(2012, 3, 30))["JT01"]["首评综合满意率"] == pytest.approx(5 / 30)


def from_metrics_status_order():
    from domain import metrics
    return metrics.REWORK_STATUSES


def test_a_supervisor_records_the_order_on_the_orgs_drill_down_and_it_is_audited(engine):
    from flask_login import login_user

    from app import create_app
    from callbacks import drill
    from data.db import make_session_factory
    from data.models import AuditLog, ReworkOrder
    from data.users import create_user
    from layouts import urlstate
    from web.auth import WebUser
    sessions = make_session_factory(engine)
    _load(sessions, "R")
    app = create_app({"ENGINE": engine, "SECRET_KEY": "t", "TESTING": True})
    with sessions.begin() as s:
        sup = WebUser.of(create_user(s, "sup", "a-long-password-1", "supervisor", ["JT"]))
        lead = WebUser.of(create_user(s, "lead", "a-long-password-1", "leader", ["all"]))
    state = {"round": "R", "org": "JT01", "as_of": "2012-06-30"}
    with app.test_request_context("/_dash-update-component", method="POST"):
        login_user(lead)
        assert drill.show_rework(state, "zh") is None  # a leader reads, does not order
    with app.test_request_context("/_dash-update-component", method="POST"):
        login_user(sup)
        assert drill.show_rework(state, "zh") is not None
        message = drill.save_rework(1, "2012-04-01", "2012-05-01", "县委督导办", "督办〔2012〕3号", "",
                                   urlstate.encode(state), "zh")
        assert "已保存认定" in str(message.children)
        refused = drill.save_rework(1, "2012-04-01", "", "", "", "", urlstate.encode({**state, "org": "WS"}), "zh")
        assert "无权认定" in str(refused.children)
    with sessions() as s:
        order = s.scalars(select(ReworkOrder)).one()
        assert (order.ordered_on, order.recheck_due, order.recorded_by) == (date(2012, 4, 1), date(2012, 5, 1), "sup")
        assert "JT01" in s.scalars(select(AuditLog.detail).where(AuditLog.action == "rework")).one()



def test_ballots_take_the_report_date_and_the_recheck_round(sessions):
    """原始测评表 takes 上报日期 (the org's first report is the earliest one, not the import time) and 测评轮次:
    the 复评 ballots are tallied apart from the 首评 ones and become the org's current figures."""
    _load(sessions, "R")
    header = ["评议批次", "组织编码", "测评表编号", "参评人员类别", "测评轮次", "上报日期", "总体评价"]
    rows = [["R", "JT01", f"A{i}", "服务对象", "", "2012-03-08" if i else "2012-03-06 16:30", "不满意" if i < 12 else "满意"]
            for i in range(15)]
    rows += [["R", "JT01", f"B{i}", "服务对象", "复评", "2012-05-02", "满意" if i < 13 else "不满意"] for i in range(15)]
    result = import_uploads(sessions, [("b.csv", csv_bytes([header, *rows]))], "admin", now=datetime(2012, 6, 1))
    assert result.accepted, issues(result)
    from data.models import Tally
    with sessions() as s:
        tallies = {phase: (first, opt1, opt3) for phase, first, opt1, opt3 in s.execute(
            select(Tally.phase, Tally.first_reported_at, Tally.opt1, Tally.opt3))}
    assert tallies == {"首评": (datetime(2012, 3, 6, 16, 30), 3, 12), "复评": (datetime(2012, 5, 2), 13, 2)}
    assert _reporting(sessions, "R", date(2012, 3, 7))["JT01"] == "已上报"  # imported in June, reported in March
    red = _redline(sessions, date(2012, 6, 30))["JT01"]
    assert (red["首评综合满意率"], red["复评综合满意率"]) == (pytest.approx(3 / 15), pytest.approx(13 / 15))
    assert red["返工状态"] == "复评达标" and red["测评数"] == 15
