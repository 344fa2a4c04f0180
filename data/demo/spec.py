"""What the demo campaign is made of: its province, rounds, scales, systems and the name pools.

Add a new kind of demo data by describing it here and writing it in a module of its own (see
data/demo/__init__.py for the order modules write in).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEMO_ROUNDS = ("2012年上半年创先争优群众评议", "2012年下半年创先争优群众评议", "2012年度民主评议党员",
               "2012年一季度乡镇党委群众评议")
PROVINCE_NAME, PROVINCE_CODE = "江南省", "390000"


def demo_as_of() -> date:
    """The date the demo story is told at: inside the second round, after its reporting deadline."""
    return date(2012, 12, 10)


# ---------------------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class RoundSpec:
    name: str
    scale: str
    start: date
    end: date
    deadline: date
    doc_no: str
    items: tuple[str, ...]  # the first is the 总体评价 (overall) item
    tag: str  # used in ledger codes


ROUNDS = (
    RoundSpec(DEMO_ROUNDS[0], "三级", date(2012, 3, 1), date(2012, 6, 30), date(2012, 6, 15),
               "江南组通〔2012〕12号", ("总体评价", "承诺践诺情况", "服务群众", "廉洁自律", "工作作风"), "2012A"),
    RoundSpec(DEMO_ROUNDS[1], "四级", date(2012, 9, 1), date(2012, 12, 31), date(2012, 11, 30),
               "江南组通〔2012〕47号",
               ("总体评价", "承诺践诺情况", "服务群众", "廉洁自律", "工作作风", "办事效率"), "2012B"),
)
# 民主评议党员: members of a few 党支部 rated on the member scale. Dated between the two campaign rounds, so the
# newest round (the app's default) stays the second campaign round.
MEMBER_ROUND = RoundSpec(DEMO_ROUNDS[2], "民主评议党员", date(2012, 7, 2), date(2012, 8, 31), date(2012, 8, 20),
                           "江南组通〔2012〕30号", ("总体评价",), "2012M")
# 逐级上报 (上报层级 党委): each township 党委 sends one 汇总表 for its 党支部, dated in the file (上报日期); the
# county office keys them in after the deadline. Dated before the campaign rounds, so the newest round (the
# app's default) stays the second campaign round and the campaign rounds keep their neighbours.
TOWNSHIP_ROUND = RoundSpec(DEMO_ROUNDS[3], "三级", date(2012, 1, 9), date(2012, 2, 29), date(2012, 2, 20),
                           "江南组通〔2012〕3号", ("总体评价", "服务群众", "工作作风"), "2012T")
MEMBER_BRANCHES = 6  # 党支部 whose members are rated
# Shares of 优秀/合格/基本合格/不合格 for an ordinary member, a member the branch is unhappy with (不合格 over
# one third) and the members of a branch rating nearly everyone 优秀 (over the one-third 优秀 quota).
MEMBER_PROBS = {"normal": (0.3, 0.55, 0.12, 0.03), "failing": (0.05, 0.2, 0.25, 0.5),
                 "lenient": (0.7, 0.25, 0.05, 0.0)}
# Items people rate a little higher or lower than the overall impression.
ITEM_SHIFT = {"总体评价": 0.0, "承诺践诺情况": -0.02, "服务群众": 0.01, "廉洁自律": 0.03,
               "工作作风": -0.01, "办事效率": -0.05}


@dataclass(frozen=True)
class Scale:
    cities: int
    counties: tuple[int, int]  # per city
    townships: tuple[int, int]  # per county
    units: tuple[int, int]  # 党总支 units per county bureau
    branches: tuple[int, int]  # 党支部 per unit
    villages: tuple[int, int]  # per township
    members: tuple[int, int]  # per 党支部
    voters: tuple[int, int]  # valid ballots of an ordinary leaf
    groups: int
    units_per_group: int
    code_width: int
    # Story quotas: (share of leaves, minimum) per round.
    story: dict


_STORY_SMALL = {"missing": (0.03, 6), "late": (0.04, 8), "confirmed": (0.0, 3), "suspected": (0.0, 3),
                "small": (0.0, 8), "perfect": (0.0, 2), "flat": (0.0, 1), "twin": (0.0, 1), "void": (0.0, 2),
                "ballots": (0.0, 6), "nocat": (0.0, 3)}
_STORY_PROVINCE = {"missing": (0.03, 6), "late": (0.04, 8), "confirmed": (0.004, 3), "suspected": (0.006, 3),
                   "small": (0.02, 8), "perfect": (0.002, 2), "flat": (0.001, 1), "twin": (0.0002, 1),
                   "void": (0.001, 2), "ballots": (0.0015, 6), "nocat": (0.005, 3)}

DEMO_SCALES = {
    "small": Scale(cities=3, counties=(3, 3), townships=(3, 3), units=(1, 2), branches=(2, 3),
                    villages=(2, 3), members=(6, 12), voters=(12, 40), groups=3, units_per_group=4,
                    code_width=4, story=_STORY_SMALL),
    "province": Scale(cities=14, counties=(6, 10), townships=(10, 14), units=(10, 14), branches=(6, 10),
                       villages=(10, 16), members=(3, 7), voters=(12, 40), groups=10, units_per_group=10,
                       code_width=5, story=_STORY_PROVINCE),
}


@dataclass(frozen=True)
class SystemSpec:
    name: str
    prefix: str
    province: str  # the provincial root
    city: str  # city-level bureau, formatted with the city name
    county: str  # county-level bureau, formatted with the county name
    units: tuple[str, ...]  # county-level units (党总支), prefixed with the county name
    branches: tuple[str, ...]  # branch names inside a unit, before the numbered ones
    township: str | None  # township-level leaf, formatted with the township name
    township_share: float  # share of townships that have that leaf
    categories: tuple[str, ...]  # evaluator categories of its 测评会, a subset of EVALUATOR_CATEGORIES


# The systems are data (data/demo/systems.toml), in the order the demo draws them.
_SYSTEMS_FILE = Path(__file__).with_name("systems.toml")
SYSTEMS = tuple(SystemSpec(**{key: tuple(value) if isinstance(value, list) else value for key, value in row.items()})
                for row in tomllib.loads(_SYSTEMS_FILE.read_text(encoding="utf-8"))["system"])
XZ = ("乡镇党委", "XZ", ("党员", "群众代表", "两代表一委员", "全评参评人员"))
SYSTEM_NAMES = tuple(s.name for s in SYSTEMS) + (XZ[0],)

CITY_NAMES = ("江州市", "临川市", "云阳市", "青山市", "白水市", "南屏市", "安平市", "兴宁市", "长丰市",
               "丹霞市", "鹤鸣市", "桂岭市", "石门市", "苗岭土家族苗族自治州")
PLACE_A = "安宁平丰兴华清永长新德鹤龙桂松石金桃柳梅青白云凤双花雁洪茶枫"
PLACE_B = "阳江山源城溪陵川田林口岭湖泉塘坪洲桥铺坝"
NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
             "十五", "十六", "十七", "十八", "十九", "二十")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
             "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛")
GIVEN = "伟芳娜英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志海燕红梅玉文斌辉鹏宇飞林凤云春晓东俊峰琳婷雪慧颖浩波亮成"
BRANCH_POSITIONS = ("党支部书记", "组织委员", "宣传委员", "纪检委员")
