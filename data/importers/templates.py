"""The import templates (docs/import-templates.md): columns, required flags, English aliases; header-row
recognition and template workbooks."""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

import xlsxwriter


@dataclass(frozen=True)
class Column:
    key: str  # the English snake_case name, also accepted as a header
    label: str  # the Chinese header of docs/import-templates.md
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, self.key, *self.aliases)


@dataclass(frozen=True)
class Template:
    name: str
    columns: tuple[Column, ...]
    # "options": any scale option column (测评汇总); "items": every other column is a 测评项目 (原始测评表)
    extra: str | None = None
    example_extra: tuple[str, ...] = field(default=())

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


def C(key: str, label: str, required: bool = False, *aliases: str) -> Column:
    return Column(key, label, required, aliases)


_ROUND = C("round", "评议批次", True, "round_name")
_ORG = C("org_code", "组织编码", True, "org")
_MEMBER = C("member_code", "党员编号", False, "member")
_PHASE = C("phase", "测评轮次", False, "evaluation_phase")  # 首评 (blank) / 复评
_REPORTED_ON = C("reported_on", "上报日期", False, "report_date")  # when the unit sent it; blank: import time

OPTION_COLUMNS = ("满意", "基本满意", "不满意", "好", "一般", "差", "比较满意", "非常满意", "非常不满意",
                  "优秀", "合格", "基本合格", "不合格", "不了解", "弃权")
OPTION_ALIASES = {"unknown": "不了解", "abstain": "弃权"}

# Every template, in dependency order (the order files and sheets are processed in).
TEMPLATE_LIST: tuple[Template, ...] = (
    Template("评议批次", (
        C("round", "评议批次", True, "round_name", "name"),
        C("start_date", "开始日期"),
        C("end_date", "结束日期"),
        C("report_deadline", "上报截止日期", False, "deadline"),
        C("scale", "评分标准"),
        C("redline_metric", "红线指标"),
        C("redline", "红线", False, "red_line"),
        C("min_sample", "最小样本"),
        C("warn_days", "临期天数"),
        C("working_days", "按工作日计算"),
        C("anonymity_threshold", "匿名阈值"),
        C("doc_no", "文件号", False, "document_no"),
        C("contact_min", "联系点下限", False, "min_contact_points"),
        C("contact_max", "联系点上限", False, "max_contact_points"),
        C("report_level", "上报层级", False, "reporting_level"),
        # The rest of the rule profile (docs/metrics.md), optional.
        C("confidence", "置信水平"),
        C("weight_s", "满意权重"),
        C("weight_b", "基本满意权重"),
        C("weight_u", "不满意权重"),
        C("publish_days", "公示期限", False, "publish_within_days"),  # days after 结束日期 to publish results
    )),
    Template("组织架构", (
        C("org_code", "组织编码", True, "code"),
        C("org_name", "组织名称", True, "name"),
        C("parent_code", "上级组织编码", False, "parent_org_code", "parent"),
        C("org_type", "组织类型", True, "type"),
        C("system", "所属系统", False, "system_name"),  # blank under a parent: the parent's
        C("region", "所属地区", True, "region_code"),
        C("cross_system", "跨系统隶属"),
    )),
    Template("党员名册", (
        C("member_code", "党员编号", True, "code"),
        C("member_name", "姓名", True, "name"),
        _ORG,
        C("member_category", "党员类别", False, "category"),
        C("position", "职务", False, "title"),
    )),
    Template("督导分组", (
        C("group", "督导组", True, "group_name", "supervision_group"),
        _ORG,
        C("is_contact_point", "是否联系点", False, "contact_point"),
        C("leader", "督导组长", False, "group_leader"),
        C("round", "评议批次", False, "round_name"),  # blank: the group works in every round
    )),
    Template("测评场次", (
        _ROUND, _ORG,
        C("target", "测评对象"),
        C("expected", "应到人数"),
        C("issued", "发放份数"),
        C("returned", "收回份数"),
        C("valid", "有效份数"),
        C("held_on", "测评日期", False, "date"),
    )),
    Template("测评汇总", (
        _ROUND, _ORG, _MEMBER,
        C("item", "测评项目", False, "item_name"),  # blank: 总体评价
        C("category", "参评人员类别", False, "evaluator_category"),  # any text; blank: 未分类
        _PHASE, _REPORTED_ON,
    ), extra="options", example_extra=("满意", "基本满意", "不满意", "不了解", "弃权")),
    Template("原始测评表", (
        _ROUND, _ORG,
        C("ballot_no", "测评表编号", True, "ballot"),
        C("category", "参评人员类别", True, "evaluator_category"),
        _PHASE, _REPORTED_ON,
    ), extra="items", example_extra=("总体评价",)),
    Template("返工补课", (
        _ROUND, _ORG,
        C("ordered_on", "认定日期", True, "order_date"),
        C("office", "认定单位", False, "ordered_by"),
        C("doc_no", "文件号", False, "document_no"),
        C("recheck_due", "复评截止日期", False, "recheck_deadline"),
        C("note", "备注", False, "remark"),
    )),
    Template("承诺台账", (
        C("pledge_code", "承诺编号", True, "code"),
        _ROUND, _ORG, _MEMBER,
        C("content", "承诺内容", True),
        C("due_date", "承诺时限", True, "due"),
        C("status", "状态", True),
        C("fulfilled_date", "兑现日期"),
    )),
    Template("整改台账", (
        C("issue_code", "问题编号", True, "code"),
        C("measure_no", "措施编号", False, "measure_number"),
        _ROUND, _ORG,
        C("source", "问题来源"),
        C("description", "问题描述", True),
        C("measure", "整改措施"),
        C("owner", "责任人"),
        C("registered_date", "登记日期", True),
        C("deadline", "整改时限", True),
        C("status", "状态", True),
        C("completed_date", "完成日期"),
        C("closed_date", "销号日期"),
        C("evidence", "整改佐证"),
    )),
    Template("领导点评", (
        _ROUND, _ORG,
        C("comment_code", "点评编号", True, "comment_no"),
        C("commenter", "点评人", True, "reviewer"),
        C("commented_on", "点评日期", True, "comment_date"),
        C("grade", "点评等次", False, "comment_grade"),  # 好 / 较好 / 一般 / 差
        C("opinion", "点评意见", True, "comment"),
        C("problem_codes", "问题编号", False, "issue_codes"),  # 整改台账's problems it raised, 、-separated
    )),
    Template("公示反馈", (_ROUND, _ORG, *(  # every column optional: a row may record the 公示 before the 反馈
        C(key, name, False, alias) for key, name, alias in (
            ("published_on", "公示日期", "publish_date"), ("method", "公示方式", "publish_method"),
            ("feedback_on", "反馈日期", "feedback_date"), ("feedback_to", "反馈对象", "feedback_target"))))),
)
TEMPLATES: dict[str, Template] = {t.name: t for t in TEMPLATE_LIST}
# The natural key of each template's rows (docs/import-templates.md), blank cells read as given here.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "评议批次": ("round",), "组织架构": ("org_code",), "党员名册": ("member_code",),
    "督导分组": ("group", "org_code"), "测评场次": ("round", "org_code", "target"),
    "测评汇总": ("round", "org_code", "member_code", "item", "category", "phase"),
    "原始测评表": ("round", "org_code", "ballot_no"), "承诺台账": ("pledge_code",),
    "整改台账": ("round", "issue_code", "measure_no"), "返工补课": ("round", "org_code"),
    "领导点评": ("round", "comment_code"), "公示反馈": ("round", "org_code"),
}
KEY_DEFAULTS = {"target": "党组织", "measure_no": "1", "item": "总体评价", "category": "未分类", "phase": "首评"}  # a blank 测评对象 is the org itself; 措施编号 1
ORDER = {t.name: i for i, t in enumerate(TEMPLATE_LIST)}


def header_key(raw: object) -> str:
    """Normalise a header cell: NFKC, no '*', no (note), lower case, '_' for blanks and hyphens."""
    value = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()
    value = re.sub(r"\(.*?\)|（.*?）", "", value).replace("*", "").strip()
    return re.sub(r"[\s\-]+", "_", value).lower()


_LOOKUP: dict[str, dict[str, str]] = {
    t.name: {header_key(n): c.key for c in t.columns for n in c.names} for t in TEMPLATE_LIST
}
# Bookkeeping columns forms often carry: never a 测评项目 of a ballot sheet.
IGNORED_HEADERS = {"序号", "编号", "备注", "说明", "填表人", "录入人", "录入时间", "no", "remark", "remarks"}
_OPTION_LOOKUP = {header_key(o): o for o in OPTION_COLUMNS} | OPTION_ALIASES
_OPTION_WORDS = ("满意", "合格", "优秀", "了解", "弃权", "好", "一般", "差")


def _option(key: str) -> str | None:
    """The option a count header names: 满意, 满意数, 满意票数 and 满意人数 are all 满意."""
    return _OPTION_LOOKUP.get(key) or _OPTION_LOOKUP.get(re.sub(r"(票数|人数|票|数|人)$", "", key))


@dataclass
class HeaderMatch:
    template: Template
    row_index: int  # 0-based index of the header row
    columns: dict[int, str]  # cell index -> column key
    labels: dict[str, str]  # column key (or option / item name) -> header text as written in the file
    extras: dict[int, str]  # cell index -> option name (测评汇总) or item name (原始测评表)
    duplicates: list[str]  # header texts appearing twice
    unknown: list[str]  # headers that look like count columns but match no option


def match_row(cells: list[object]) -> HeaderMatch | None:
    """The template whose required headers all appear in this row (the best-covered one), if any."""
    keys = [header_key(c) for c in cells]
    best: tuple[int, int, HeaderMatch] | None = None
    for template in TEMPLATE_LIST:
        lookup = _LOOKUP[template.name]
        columns: dict[int, str] = {}
        labels: dict[str, str] = {}
        extras: dict[int, str] = {}
        duplicates: list[str] = []
        unknown: list[str] = []
        for index, key in enumerate(keys):
            if not key:
                continue
            shown = str(cells[index]).strip()
            if key in lookup:
                if lookup[key] in labels:
                    duplicates.append(shown)
                    continue
                columns[index] = lookup[key]
                labels[lookup[key]] = shown
            elif template.extra == "options" and _option(key):
                if _option(key) in extras.values():
                    duplicates.append(shown)
                    continue
                extras[index] = _option(key)
                labels[extras[index]] = shown
            elif template.extra == "options" and any(word in key for word in _OPTION_WORDS):
                unknown.append(shown)  # looks like a count column: never drop its numbers silently
            elif template.extra == "items" and key not in IGNORED_HEADERS:
                name = unicodedata.normalize("NFKC", shown).strip()
                if name in extras.values():
                    duplicates.append(shown)
                    continue
                extras[index] = name
                labels[name] = shown
        if not all(c.key in labels for c in template.required):
            continue
        recognised = len(columns) + (len(extras) if template.extra == "options" else 0)
        score = (recognised, len(template.required))
        if best is None or score > best[:2]:
            best = (*score, HeaderMatch(template, -1, columns, labels, extras, duplicates, unknown))
    return best[2] if best else None


def find_header(rows: list[list[object]], max_scan: int = 30) -> HeaderMatch | None:
    """The first row (within the first max_scan) that is a template's header; rows above are titles."""
    for index, cells in enumerate(rows[:max_scan]):
        found = match_row(cells)
        if found:
            found.row_index = index
            return found
    return None


def template_xlsx(name: str, rows: list[list[object]] = ()) -> bytes:
    """A template workbook: one sheet named after the template with its header row (required columns marked
    with *) and the given example rows under it, and a second sheet listing the accepted headers."""
    template = TEMPLATES[name]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet = book.add_worksheet(name)
    headers = [c.label + ("*" if c.required else "") for c in template.columns] + list(template.example_extra)
    for col, header in enumerate(headers):
        sheet.write(0, col, header, bold)
        sheet.set_column(col, col, max(10, 2 * len(header) + 2))
    for row, cells in enumerate(rows, start=1):
        sheet.write_row(row, 0, cells)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("填表说明")
    notes.write_row(0, 0, ["列名", "必填", "也可写作"], bold)
    for row, column in enumerate(template.columns, start=1):
        notes.write_row(row, 0, [column.label, "是" if column.required else "否", "、".join(column.names[1:])])
    if template.extra == "options":
        notes.write(len(template.columns) + 2, 0, "计数列（按评分标准选用）：" + "、".join(OPTION_COLUMNS))
    elif template.extra == "items":
        notes.write(len(template.columns) + 2, 0, "其余每列为一个测评项目，填所选选项，空白为弃权")
    notes.set_column(0, 2, 24)
    book.close()
    return buffer.getvalue()
