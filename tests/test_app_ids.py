"""Every component id a callback uses exists in a layout, so no callback waits on a missing component."""
from __future__ import annotations

import json

from dash import dcc, html
from dash.development.base_component import Component

from datetime import date

from domain.tables import Column, Filters, ReportTable
from layouts import audit, components, drill, ids, overview, redline, shell


def _ids(node, found):
    if isinstance(node, Component):
        cid = getattr(node, "id", None)
        if cid is not None:
            found.add(json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else cid)
        for child in node._traverse():
            _ids(child, found)
    return found


def _key(cid) -> str:
    if isinstance(cid, dict):  # pattern ids: compare their "type" only
        return "type:" + cid["type"]
    return cid


def test_callback_ids_exist_in_the_layouts(web_app):
    state = {"as_of": "2024-12-31"}
    group = ReportTable("overview", "总览", [Column("系统"), Column("名称"), Column("测评数"), Column("综合满意率")],
                        [["甲", "甲", 10, 0.9]], Filters(), date(2024, 12, 31), "全部")
    data = {"kpis": {"参评人次": 10}, "by_system": group, "by_region": group, "trend": [], "title": "总览",
            "scope": "全部", "as_of": "2024-12-31"}
    user = shell.UserInfo("艾达", "管理员", "全部")
    trees = [shell.app_layout(), shell.navbar("/", state, "zh", user, ["R"], "2024-12-31"),
             overview.layout(state, "zh"), overview.body(data, "zh"), drill.layout(state, "zh"),
             redline.layout(state, "zh"), drill.pickers(["甲"], [("510000", "四川省")], state, "zh"),
             drill.rework_form("甲（A1）", None, "zh"),  # callbacks.drill renders it for one org
             html.Div(components.grid_with_tools("drilldown", [Column("系统")], "zh")),
             dcc.Graph(id=ids.Redline.FUNNEL)]  # callbacks.redline renders it into the funnel box
    # 整改台账 / 承诺践诺: the filter bars are rendered by their callbacks
    from layouts import pledges, rectifications
    trees += [rectifications.layout(state, "zh"), pledges.layout(state, "zh"),
              rectifications.filter_bar(ids.Rectifications, ["甲"], [], state, "zh", ("整改中",), ("红",), ("群众评议",)),
              rectifications.filter_bar(ids.Pledges, ["甲"], [], state, "zh", ("推进中",))]
    from layouts import contact_points, quality, reporting  # 督导联系点 / 上报进度 / 数据质量
    trees += [contact_points.layout(state, "zh"), contact_points.group_filter(["甲组"], state, "zh"),
              contact_points.visit_form([("甲组", "A1", "甲")], "2024-12-31", "zh"), reporting.layout(state, "zh"),
              quality.layout(state, "zh"), quality.sessions_card(state, "A1", "zh"),
              dcc.Graph(id=ids.Reporting.CHART)]  # callbacks.reporting renders it into the chart box
    from layouts import comments  # 领导点评
    trees.append(comments.layout(state, "zh"))
    trees.append(audit.layout(state, "zh"))  # security
    from layouts import workbench  # 督导工作台
    trees += [workbench.layout(state, "zh"), html.Div(workbench.controls(["甲组"], "甲组", state, "zh"))]
    from layouts import admin, imports  # admin pages
    trees += [imports.layout(state, "zh"), admin.users_layout(state, "zh"), admin.settings_layout(state, "zh")]
    from layouts import org_profile, ranking  # 单位画像 / 薄弱排名
    trees += [org_profile.layout(state, "zh"), ranking.controls(["党支部"], state, "zh"),
              drill.rework_form("甲（A1）", None, "zh", ids.Profile)]
    # A page's later parts are not its children (callbacks.shell.later_parts builds them on their own).
    trees += [html.Div(c.parts) for tree in list(trees) if hasattr(tree, "_traverse")
              for c in [tree, *tree._traverse()] if isinstance(c, components.Later)]
    present = set()
    for tree in trees:
        present |= {_key(json.loads(c)) if c.startswith("{") else c for c in _ids(tree, set())}
    app = web_app.extensions["dash"]
    used = set()
    for callback in app.callback_map.values():
        for dep in [*callback["inputs"], *callback["state"]]:
            raw = dep["id"]
            used.add(_key(json.loads(raw)) if raw.startswith("{") else raw)
    for output, callback in app.callback_map.items():  # "id.prop" or "..id1.prop1...id2.prop2.." (+ "@hash")
        if callback.get("no_output"):  # writes only through set_props; its key is a hash
            continue
        for part in output[2:-2].split("...") if output.startswith("..") else [output]:
            raw = part.split("@")[0].rsplit(".", 1)[0]
            used.add(_key(json.loads(raw)) if raw.startswith("{") else raw)
    assert used - present == set()


def test_every_part_filled_with_a_page_lies_in_one_request_of_it(web_app):
    """A page's parts filled together (callbacks.common.on_build) are all in its first part or all in its
    later parts (layouts.components.Later, built by a request of their own): one set straddling both would be
    filled in neither, silently."""
    from callbacks import common, shell as shell_callbacks
    assert web_app.extensions["dash"]  # the builders are registered with the app
    checked = 0
    for path, layout in shell_callbacks.PAGES.items():
        drawn = layout({}, "zh")
        first = set(common.components(drawn))
        later = [c for c in [drawn, *drawn._traverse()] if isinstance(c, components.Later)]
        rest = set(common.components(html.Div(later[0].parts))) if later else set()
        for out_ids in common._BUILDERS:
            where = {("first" if i in first else "later" if i in rest else "none") for i in out_ids}
            assert where in ({"first"}, {"later"}, {"none"}), (path, out_ids, where)
            checked += "none" not in where
    assert checked > 10
