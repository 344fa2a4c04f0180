"""Helpers for the importer tests: build files in memory, count every table."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import func, select

from data.models import Base

ROUND = "2012年上半年创先争优群众评议"
ORG_HEADER = ["组织编码*", "组织名称*", "上级组织编码", "组织类型*", "所属系统*", "所属地区*"]
ORG_ROWS = [
    ["JT", "交通运输局党委", "", "党委", "交通运输系统", "湖南省/长沙市/望城区"],
    ["JT01", "机关第一党支部", "JT", "党支部", "交通运输系统", "湖南省/长沙市/望城区"],
    ["JT02", "机关第二党支部", "JT", "党支部", "交通运输系统", "湖南省 › 长沙市 › 望城区"],
    ["WS", "卫健委党委", "", "党委", "卫生健康系统", "湖南省/长沙市"],
]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode(encoding)


def base_file() -> bytes:
    """评议批次 + 组织架构 in one workbook, each with a title row above the header."""
    return xlsx({
        "评议批次": [["2012年评议批次设置"],
                 ["评议批次*", "开始日期", "结束日期", "上报截止日期", "评分标准", "红线", "最小样本"],
                 [ROUND, date(2012, 2, 1), 40999, "2012年2月15日", "三级", "66.67%", "１０"]],
        "组织架构": [["组织架构（2012年2月）"], ORG_HEADER, *ORG_ROWS],
    })


def table_counts(sessions) -> dict[str, int]:
    with sessions() as s:
        return {t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def issues(result) -> list[tuple]:
    return [(e.file, e.sheet, e.row, e.column, e.reason) for e in result.errors]
