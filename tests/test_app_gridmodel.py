"""The grid's sort/filter model applied on the server (domain.gridmodel): what the screen and the
export both show. Pure: a hand-made table, no database."""
from datetime import date

import pytest

from domain import gridmodel
from domain.tables import INT, PERCENT, Column, Filters, ReportTable


def table():
    rows = [["A", "甲", 30, 0.9], ["B", "乙", None, None], ["C", "丙", 10, 0.5], ["D", "丁", 20, "<5"]]
    return ReportTable("drilldown", "下钻", [Column("组织编码"), Column("名称"), Column("测评数", INT),
                                          Column("综合满意率", PERCENT)], rows, Filters(), date(2024, 1, 1),
                       "全部", red_rows={2})


def codes(t):
    return [r[0] for r in t.rows]


def test_no_model_keeps_the_reports_order():
    assert codes(gridmodel.apply(table())) == ["A", "B", "C", "D"]


@pytest.mark.parametrize("direction,expected", [("asc", ["C", "D", "A", "B"]), ("desc", ["A", "D", "C", "B"])])
def test_sort_puts_no_data_last_either_way(direction, expected):
    t = gridmodel.apply(table(), [{"colId": "c2", "sort": direction}])
    assert codes(t) == expected
    assert t.red_rows == {expected.index("C")}  # the red mark follows its row


def test_percent_filters_are_typed_as_percents():
    t = gridmodel.apply(table(), filter_model={"c3": {"filterType": "number", "type": "lessThan", "filter": 60}})
    assert codes(t) == ["C"]  # 50% < 60%; "<5" and no data are not numbers
    both = {"c3": {"filterType": "number", "operator": "OR", "conditions": [
        {"filterType": "number", "type": "greaterThan", "filter": 85},
        {"filterType": "number", "type": "blank"}]}}
    assert codes(gridmodel.apply(table(), filter_model=both)) == ["A", "B"]


def test_text_filters_ignore_case_and_blank_means_no_data():
    assert codes(gridmodel.apply(table(), filter_model={"c0": {"filterType": "text", "type": "equals",
                                                               "filter": "c"}})) == ["C"]
    assert codes(gridmodel.apply(table(), filter_model={"c1": {"filterType": "text", "type": "contains",
                                                               "filter": "丁"}})) == ["D"]


@pytest.mark.parametrize("sort,filters", [([{"colId": "c9", "sort": "asc"}], None), (None, {"x": {}}),
                                          (None, {"c2": {"filterType": "number", "type": "near", "filter": 1}}),
                                          (None, {"c2": {"filterType": "number", "type": "equals",
                                                         "filter": "abc"}})])
def test_a_model_the_grid_cannot_send_is_refused_clearly(sort, filters):
    with pytest.raises(gridmodel.GridModelError):
        gridmodel.apply(table(), sort, filters)


def test_equals_matches_the_value_as_displayed():
    t = ReportTable("x", "x", [Column("r", PERCENT)], [[0.71699], [0.7176]], Filters(), date(2024, 1, 1), "")
    got = gridmodel.apply(t, filter_model={"c0": {"filterType": "number", "type": "equals", "filter": 71.7}})
    assert got.rows == [[0.71699]]


def test_the_grid_state_is_described_for_the_title_block():
    words = gridmodel.describe(table(), [{"colId": "c2", "sort": "desc"}],
                               {"c3": {"filterType": "number", "type": "lessThan", "filter": 60},
                                "c1": {"filterType": "text", "type": "contains", "filter": "甲"}})
    assert words == (("表格筛选", "综合满意率 小于 60%，名称 包含 甲"), ("排序", "测评数 降序"))
    assert gridmodel.describe(table()) == ()
