"""Rates with their N and metric definitions on hover (issue 16 point 6), values in English (point 7), on
SQLite and PostgreSQL (the hand-made campaign of tests/report_dataset.py)."""
from __future__ import annotations

import pytest

from callbacks import overview
from layouts.components import column_defs
from layouts.i18n import LABELS, PHRASES, VALUES_EN, definition, phrase
from domain.tables import PERCENT, Column
from tests import report_dataset as rd
from tests.test_app_callbacks import text_of, users  # noqa: F401  (fixture)


def _cards(body):
    return body.children[0].children  # the KPI row's columns


def test_cards_give_each_rate_its_n_and_a_definition(as_user):
    with as_user("ada"):
        body = overview.show({"as_of": rd.AS_OF.isoformat()}, "zh")
    cards = {text_of(c.children.children.children[0]): c.children.children.children for c in _cards(body)}
    # 承诺兑现率 of the pledges due by the day, 综合满意率 of all N answers (report_dataset's hand counts)
    label, figure = cards["承诺兑现率"]
    assert "N = " in text_of(figure) and label.title == definition("zh", "承诺兑现率")
    from dashboard import reports
    from callbacks import common
    with as_user("ada"):
        data = common.call(reports.overview, {"as_of": rd.AS_OF.isoformat()}, cache_as="overview")
    assert f"N = {data['kpi_n']['综合满意率']:,}" in text_of(cards["综合满意率"][1])
    assert data["kpi_n"]["综合满意率"] == sum(r[2] for r in data["by_system"].rows)
    assert "N = " not in text_of(cards["超期整改"][1])  # a count has no N


def test_every_metric_header_has_a_definition_in_both_languages():
    for name in ("测评数", "综合满意率", "承诺兑现率", "整改完成率", "超期天数", "灯", "红线判定", "差距"):
        zh, en = definition("zh", name), definition("en", name)
        assert zh and en and zh != en and not any("\u4e00" <= ch <= "\u9fff" for ch in en)
    d = column_defs([Column("综合满意率", PERCENT)], "en")[0]
    assert d["headerName"] == "Satisfied + basically" and d["headerTooltip"].startswith("Satisfied + basically =")


def test_english_values_and_labels_have_no_chinese():
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in en) for en in VALUES_EN.values())
    assert [k for k, en in LABELS["en"].items() if any("\u4e00" <= ch <= "\u9fff" for ch in en)
            and k != "lang_toggle"] == []


def test_every_phrase_carries_the_same_figures_over_and_reads_english():
    import re
    slots = re.compile(r"\{(\w+)(?::num)?\}")
    for zh, en in PHRASES.items():
        assert sorted(slots.findall(zh)) == sorted(set(re.findall(r"\{(\w+)\}", en))), zh
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in slots.sub("", en)), en


def test_report_sentences_read_in_english_with_their_figures():
    # a red-line reason of several parts, a 数据质量 finding naming a scale's options, a check's explanation
    assert phrase("en", "综合满意率54.5%，低于红线66.7%；置信上限也低于红线；超期整改 2 项") == (
        "Satisfied + basically 54.5%, below the red line of 66.7%; the interval's upper bound is below the line too;"
        " 2 overdue rectification(s)")
    assert phrase("en", "测评数21，没有一票不满意（满意13/基本满意8/不满意0）") == (
        "N 21, not one dissatisfied (Satisfied 13/Basically satisfied 8/Dissatisfied 0)")
    assert phrase("en", "测评数21，没有一票不满意（满意13, 基本满意8, 不满意0）") == (  # a list written with ", "
        "N 21, not one dissatisfied (Satisfied 13, Basically satisfied 8, Dissatisfied 0)")
    assert phrase("en", "同日销号：已销号整改≥3项且全部同一天销号") == (
        "Closed the same day: 3 or more closed rectifications, all closed on one day")
    assert phrase("en", "⚠ 优秀比例超标：3/5 名正式党员评为优秀，超过三分之一。").startswith("⚠ Too many rated excellent: 3/5")
    # Chinese stays as written; a sentence with no phrase (a name, data) stays as it is
    assert phrase("zh", "置信上限也低于红线") == "置信上限也低于红线"
    assert phrase("en", "柳泉县公安局领导班子") == "柳泉县公安局领导班子"


def test_user_management_refusals_read_in_english():
    from data.users import UserError, check_role_grants

    with pytest.raises(UserError) as refused:
        check_role_grants("unit", ["system:教育系统"])
    english = phrase("en", str(refused.value))
    assert english.startswith("The role “Unit” cannot hold these scopes: system:教育系统 (a unit holds")
    assert phrase("en", "密码至少 8 位") == "The password needs at least 8 characters"


def test_empty_tables_say_what_is_missing_and_what_to_do(as_user):
    from callbacks import tables

    with as_user("ada"):  # the hand-made campaign has no visits and no 督导组 第九
        visits = text_of(tables.render({"table": "visits", "state": {"as_of": rd.AS_OF.isoformat()}, "lang": "zh"}))
        assert "还没有走访记录" in visits and "登记走访" in visits
        none = text_of(tables.render({"table": "rectifications", "lang": "en",
                                      "state": {"as_of": rd.AS_OF.isoformat(), "source": "督导反馈"}}))
        assert "Nothing matches the current filters" in none and "Clear filters" in none and "督导反馈" in none
        early = text_of(tables.render({"table": "rectifications", "lang": "zh", "state": {"as_of": "2024-01-02"}}))
        assert "还没有登记整改事项" in early and "整改台账" in early
        # Before any data no org is expected to report: nothing to approve, and how rows come to be approved.
        for lang, said in (("zh", ("没有可审核的数据", "勾选审核通过或退回")), ("en", ("nothing to approve", "approve or return"))):
            reporting = text_of(tables.render({"table": "reporting", "lang": lang, "state": {"as_of": "2024-01-02"}}))
            assert all(part in reporting for part in said), reporting


def test_a_rate_reads_with_its_n_from_its_row_and_the_n_columns_stay_hidden():
    from domain.tables import INT
    cols = [Column("单位编码"), Column("单位综合满意率", PERCENT), Column("承诺兑现率", PERCENT), Column("到期承诺", INT),
            Column("综合满意率", PERCENT), Column("测评数", INT), Column("单位测评数", INT, hidden=True)]
    defs = {d["headerName"]: d for d in column_defs(cols, "zh")}
    # a survey rate whose N is a hidden column: "(N=…)"; a share of countable things: "(k/n)"
    assert defs["单位综合满意率"]["valueFormatter"]["function"] == "pctn(params.value, params.data, 'c6', false)"
    assert defs["承诺兑现率"]["valueFormatter"]["function"] == "pctn(params.value, params.data, 'c3', true)"
    # beside its own 测评数 column the rate is shown alone; the N kept for a rate is not a column on screen
    assert defs["综合满意率"]["valueFormatter"]["function"] == "pct(params.value)"
    assert defs["单位测评数"].get("hide") is True and not defs["到期承诺"].get("hide")


def test_a_provinces_count_of_answers_is_read_whole():
    """At a province's top level 测评数 runs to 665,123 answers a system: its column holds seven digits and their
    commas with the cell's padding (32 px), not "665,…". (督导工作台's dense grid of units keeps its narrow one.)"""
    from domain.tables import INT
    from layouts.components import _text_width
    d = column_defs([Column("测评数", INT)], "zh")[0]
    assert d["minWidth"] >= _text_width("1,234,567") + 32


def test_contact_points_keep_their_rates_n_as_last_columns(as_user):
    from callbacks import common
    with as_user("ada"):
        table = common.table("contact-points", {"as_of": rd.AS_OF.isoformat()})
    tail = [c.name for c in table.columns][-4:]
    assert tail == ["联系点过多", "单位测评数", "联系点测评数", "其余测评数"]
    assert all(c.hidden for c in table.columns[-3:]) and not any(c.hidden for c in table.columns[:-3])
    at = {c.name: i for i, c in enumerate(table.columns)}
    assert table.rows
    for row in table.rows:  # the unit's N is its contact points' and the rest's together
        assert row[at["单位测评数"]] == row[at["联系点测评数"]] + row[at["其余测评数"]]
        assert (row[at["单位综合满意率"]] is None) == (row[at["单位测评数"]] == 0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_dropdowns_speak_the_reader_s_language(lang):
    """Dash writes a dropdown's own words (its search box, "No options found", select all) in English: every
    dropdown of the pages gets them in the reader's language (layouts.components.dropdown)."""
    from pathlib import Path

    from dash import dcc
    from layouts import admin, contact_points, drill, ids, ranking, rectifications, shell
    from layouts.i18n import t

    state = {"as_of": "2024-12-31"}
    trees = [shell.navbar("/", state, lang, shell.UserInfo("艾达", "管理员", "全部"), ["R"], "2024-12-31"),
             rectifications.filter_bar(ids.Rectifications, ["甲"], [("510000", "四川省")], state, lang, ("整改中",)),
             admin.users_layout(state, lang), drill.pickers(["甲"], [("510000", "四川省")], state, lang),
             ranking.controls(["县级"], state, lang), contact_points.group_filter(["第一督导组"], state, lang)]
    found = [c for tree in trees for c in tree._traverse() if isinstance(c, dcc.Dropdown)]
    assert len(found) > 5
    for box in found:
        assert box.labels["search"] == t(lang, "dropdown_search")
        assert box.labels["no_options_found"] == t(lang, "dropdown_no_options_found")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in box.labels["search"]) == (lang == "zh")
    root = Path(__file__).resolve().parents[1]
    built_elsewhere = [str(p.relative_to(root)) for p in (root / "layouts").glob("*.py")
                       if "dcc.Dropdown(" in p.read_text(encoding="utf-8") and p.name != "components.py"]
    assert built_elsewhere == []
