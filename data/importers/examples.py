"""One example file per import template (`python -m dashboard templates --out DIR`, docs/import-templates.md):
plausible rows that name the demo campaign's rounds, orgs and groups, so each file imports cleanly into a
database loaded with `python -m dashboard demo` (tests/test_import_examples.py checks it)."""
from __future__ import annotations

from pathlib import Path

from data.importers.templates import TEMPLATE_LIST, template_xlsx

_R1, _R2 = "2012年上半年创先争优群众评议", "2012年下半年创先争优群众评议"
_BRANCH = "JT-0007"  # 双城区机动车驾驶人考试中心第一党支部, a leaf org of the demo

# Rows by template, the cells in the order of the template's columns (then its example extra columns).
EXAMPLE_ROWS: dict[str, list[list[object]]] = {
    "评议批次": [
        ["2013年上半年创先争优群众评议", "2013-03-01", "2013-06-30", "2013-06-15", "三级", "综合满意率", "2/3",
         10, 3, "否", 5, "江南组通〔2013〕8号", 2, 3, "党委", "", "", "", "", 15],
    ],
    "组织架构": [
        ["JT-9001", "双城区机动车驾驶人考试中心第四党支部", "JT-0006", "党支部", "交通运输系统", "390102", ""],
        ["JT-9002", "双城区机动车驾驶人考试中心第五党支部", "JT-0006", "党支部", "", "390102", ""],  # the parent's
    ],
    "党员名册": [
        ["DY-9000001", "林晓岚", _BRANCH, "正式", "党员"],
        ["DY-9000002", "程立新", _BRANCH, "预备", ""],
    ],
    "督导分组": [
        ["省委第一督导组", "XZ-0069", "是", "付鹏", ""],  # 评议批次 blank: the group works in every round
        ["省委第一督导组", "JY-0053", "是", "付鹏", ""],
    ],
    "测评场次": [
        [_R2, _BRANCH, "党组织", 18, 16, 16, 16, "2012-11-23"],
    ],
    "测评汇总": [
        [_R2, _BRANCH, "", "总体评价", "单位参评人员", "首评", "2012-11-25", 3, 1, 0, 0, 0],
        [_R2, _BRANCH, "", "", "服务对象", "", "2012年11月26日", 2, 1, 1, 0, 0],  # blank 测评项目: 总体评价
    ],
    "原始测评表": [
        [_R2, "JY-0013", "2012B-0039", "党员", "首评", "2012-11-20", "基本满意"],
        [_R2, "JY-0013", "2012B-0040", "党员", "", "", "满意"],
    ],
    "承诺台账": [
        ["CN2012B-09001", _R2, _BRANCH, "", "开设考试预约绿色通道，老年人当日办结", "2012-12-20", "推进中", ""],
        ["CN2012B-09002", _R2, _BRANCH, "DY-0000001", "每月走访服务对象不少于 2 次", "2012-11-30", "已兑现",
         "2012-11-28"],
    ],
    "整改台账": [
        ["ZG2012B-09001", 1, _R2, _BRANCH, "群众评议", "考试预约电话长期占线", "增设预约专线",
         "孟鹏艳（支部书记）", "2012-10-15", "2012-11-30", "已完成", "2012-11-20", "", "专线开通通知"],
        ["ZG2012B-09001", 2, _R2, _BRANCH, "群众评议", "考试预约电话长期占线", "开通网上预约",
         "孟鹏艳（支部书记）", "2012-10-15", "2012-12-31", "整改中", "", "", ""],
        ["ZG2012B-09002", "", _R2, _BRANCH, "回头看", "服务窗口公示信息未更新", "更新公示栏并指定专人每月核对",
         "薛洋刚（组织委员）", "2012-10-15", "2012-11-15", "已完成", "2012-11-10", "", "更新后的公示栏照片"],
    ],
    "领导点评": [
        [_R2, _BRANCH, "DP2012B-09001", "王建国（区委组织部副部长）", "2012-11-28", "较好", "窗口服务规范，预约渠道仍需拓宽",
         "ZG2012B-00090、ZG2012B-00094"],
        [_R2, "JT-0006", "DP2012B-09002", "王建国（区委组织部副部长）", "2012-11-28", "好", "支部带头作用明显", ""],
    ],
    "公示反馈": [
        [_R2, _BRANCH, "2012-12-05", "公示栏、门户网站", "2012-12-08", "参评群众代表、服务对象"],
        [_R2, "JT-0006", "2012-12-05", "公示栏", "", ""],
    ],
    "返工补课": [
        [_R1, "JY-0053", "2012-07-01", "省委督导办", "江督办〔2012〕8号", "2012-09-30", "首评综合满意率低于红线"],
    ],
}


def write_examples(out: Path) -> list[Path]:
    """Write `<template>.xlsx` for every template into `out`; returns the files in import order."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for template in TEMPLATE_LIST:
        path = out / f"{template.name}.xlsx"
        path.write_bytes(template_xlsx(template.name, EXAMPLE_ROWS[template.name]))
        written.append(path)
    return written
