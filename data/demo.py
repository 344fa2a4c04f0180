"""The deterministic synthetic campaign behind `python -m dashboard demo` (docs/cli.md).

One fictional province (江南省, code 39xxxx, which no real province uses) with real-looking cities, counties
and townships; six systems with org trees four to five levels deep; members; two rounds; tallies with a
story in them (a few orgs below the red line, small samples, late and missing reporters, void sessions,
走过场 patterns, raw ballots); pledges and rectifications in every state at `demo_as_of()`; supervision
groups with their contact points.

Everything comes from one `random.Random(seed)` and fixed dates, so the same seed gives the same rows.
Rows are written straight into the models with Core bulk inserts (the importers validate files; the demo
is generated valid), then the closure table and the rollups are rebuilt, all in one transaction.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from domain.rules import option_names
from data.db import transaction
from data.models import (
    Ballot,
    Base,
    EvalSession,
    Item,
    Member,
    Org,
    Pledge,
    Rectification,
    Region,
    Round,
    SupervisionGroup,
    SupervisionLink,
    System,
    Tally,
    Visit,
)
from data.rollups import rebuild_closure, rebuild_rollups

DEMO_ROUNDS = ("2012年上半年创先争优群众评议", "2012年下半年创先争优群众评议", "2012年度民主评议党员")
PROVINCE_NAME, PROVINCE_CODE = "江南省", "390000"

# Tables the demo owns; users, tokens and the logs survive a replace.
# Accounts, logs and bookkeeping survive a replace and do not count as "data".
_KEEP_TABLES = {"users", "user_scopes", "api_tokens", "import_log", "audit_log", "login_failures", "data_version"}
# Tables whose ids the demo assigns itself (so rows can refer to each other without a round trip).
_EXPLICIT_ID_TABLES = (System, Region, Org, Member, Round, Item, SupervisionGroup)


def demo_as_of() -> date:
    """The date the demo story is told at: inside the second round, after its reporting deadline."""
    return date(2012, 12, 10)


# ---------------------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class _RoundSpec:
    name: str
    scale: str
    start: date
    end: date
    deadline: date
    doc_no: str
    items: tuple[str, ...]  # the first is the 总体评价 (overall) item
    tag: str  # used in ledger codes


_ROUNDS = (
    _RoundSpec(DEMO_ROUNDS[0], "三级", date(2012, 3, 1), date(2012, 6, 30), date(2012, 6, 15),
               "江南组通〔2012〕12号", ("总体评价", "承诺践诺情况", "服务群众", "廉洁自律", "工作作风"), "2012A"),
    _RoundSpec(DEMO_ROUNDS[1], "四级", date(2012, 9, 1), date(2012, 12, 31), date(2012, 11, 30),
               "江南组通〔2012〕47号",
               ("总体评价", "承诺践诺情况", "服务群众", "廉洁自律", "工作作风", "办事效率"), "2012B"),
)
# 民主评议党员: members of a few 党支部 rated on the member scale. Dated between the two campaign rounds, so the
# newest round (the app's default) stays the second campaign round.
_MEMBER_ROUND = _RoundSpec(DEMO_ROUNDS[2], "民主评议党员", date(2012, 7, 2), date(2012, 8, 31), date(2012, 8, 20),
                           "江南组通〔2012〕30号", ("总体评价",), "2012M")
_MEMBER_BRANCHES = 6  # 党支部 whose members are rated
# Shares of 优秀/合格/基本合格/不合格 for an ordinary member, a member the branch is unhappy with (不合格 over
# one third) and the members of a branch rating nearly everyone 优秀 (over the one-third 优秀 quota).
_MEMBER_PROBS = {"normal": (0.3, 0.55, 0.12, 0.03), "failing": (0.05, 0.2, 0.25, 0.5),
                 "lenient": (0.7, 0.25, 0.05, 0.0)}
# Items people rate a little higher or lower than the overall impression.
_ITEM_SHIFT = {"总体评价": 0.0, "承诺践诺情况": -0.02, "服务群众": 0.01, "廉洁自律": 0.03,
               "工作作风": -0.01, "办事效率": -0.05}


@dataclass(frozen=True)
class _Scale:
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
    "small": _Scale(cities=3, counties=(3, 3), townships=(3, 3), units=(1, 2), branches=(2, 3),
                    villages=(2, 3), members=(6, 12), voters=(12, 40), groups=3, units_per_group=4,
                    code_width=4, story=_STORY_SMALL),
    "province": _Scale(cities=14, counties=(6, 10), townships=(10, 14), units=(10, 14), branches=(6, 10),
                       villages=(10, 16), members=(3, 7), voters=(12, 40), groups=10, units_per_group=10,
                       code_width=5, story=_STORY_PROVINCE),
}


@dataclass(frozen=True)
class _SystemSpec:
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


_SYSTEMS = (
    _SystemSpec("交通运输系统", "JT", "江南省交通运输厅党委", "{}交通运输局", "{}交通运输局",
                ("公路管理局", "道路运输管理所", "交通建设质量监督站", "港航管理所", "公共交通公司",
                 "汽车客运站", "农村公路管理所", "交通运输综合执法大队", "路政管理大队", "物流发展中心",
                 "航道管理站", "交通规划勘察设计院", "机动车驾驶人考试中心", "出租汽车管理所"),
                (), "{}交通管理站", 0.5, ("单位参评人员", "服务对象", "两代表一委员", "群众代表")),
    _SystemSpec("卫生健康系统", "WJ", "江南省卫生健康委员会党委", "{}卫生健康委员会", "{}卫生健康局",
                ("人民医院", "中医医院", "妇幼保健院", "疾病预防控制中心", "第二人民医院", "精神病医院",
                 "皮肤病防治院", "卫生监督所", "急救中心", "血站", "结核病防治所", "康复医院",
                 "中心医院", "口腔医院"),
                ("内科党支部", "外科党支部", "护理党支部", "医技党支部", "门诊党支部", "行政后勤党支部",
                 "妇产科党支部", "儿科党支部", "急诊党支部", "离退休党支部"),
                "{}卫生院", 1.0, ("单位参评人员", "服务对象", "两代表一委员", "群众代表")),
    _SystemSpec("教育系统", "JY", "江南省教育厅党委", "{}教育局", "{}教育局",
                ("第一中学", "第二中学", "第三中学", "实验中学", "实验小学", "第一小学", "第二小学",
                 "职业中等专业学校", "特殊教育学校", "机关幼儿园", "教师进修学校", "民族中学",
                 "城关中学", "城关小学"),
                ("行政党支部", "教师第一党支部", "教师第二党支部", "教师第三党支部", "离退休教师党支部"),
                "{}中心小学", 1.0, ("单位参评人员", "服务对象", "两代表一委员", "党员")),
    _SystemSpec("公安系统", "GA", "江南省公安厅党委", "{}公安局", "{}公安局",
                ("刑事侦查大队", "交通警察大队", "治安管理大队", "看守所", "出入境管理大队",
                 "经济犯罪侦查大队", "禁毒大队", "巡特警大队", "网络安全保卫大队", "法制大队",
                 "户政管理大队", "国内安全保卫大队", "指挥中心", "警务保障室"),
                (), "{}派出所", 1.0, ("单位参评人员", "服务对象", "两代表一委员", "群众代表")),
    _SystemSpec("市场监管系统", "SJ", "江南省市场监督管理局党委", "{}市场监督管理局", "{}市场监督管理局",
                ("综合行政执法大队", "食品安全监管股", "药品医疗器械监管股", "特种设备安全监察股",
                 "质量计量检测所", "消费者权益保护中心", "登记注册窗口", "知识产权服务中心",
                 "价格监督检查局", "广告监管股", "网络交易监管股", "标准化所", "纤维检验所",
                 "信息中心"),
                (), "{}市场监督管理所", 1.0, ("单位参评人员", "服务对象", "两代表一委员")),
)
_XZ = ("乡镇党委", "XZ", ("党员", "群众代表", "两代表一委员", "全评参评人员"))
SYSTEM_NAMES = tuple(s.name for s in _SYSTEMS) + (_XZ[0],)

_CITY_NAMES = ("江州市", "临川市", "云阳市", "青山市", "白水市", "南屏市", "安平市", "兴宁市", "长丰市",
               "丹霞市", "鹤鸣市", "桂岭市", "石门市", "苗岭土家族苗族自治州")
_PLACE_A = "安宁平丰兴华清永长新德鹤龙桂松石金桃柳梅青白云凤双花雁洪茶枫"
_PLACE_B = "阳江山源城溪陵川田林口岭湖泉塘坪洲桥铺坝"
_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四",
             "十五", "十六", "十七", "十八", "十九", "二十")
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
             "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛")
_GIVEN = "伟芳娜英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志海燕红梅玉文斌辉鹏宇飞林凤云春晓东俊峰琳婷雪慧颖浩波亮成"
_BRANCH_POSITIONS = ("党支部书记", "组织委员", "宣传委员", "纪检委员")


# ---------------------------------------------------------------------------------------- public API
def load_demo(session_factory: sessionmaker[Session], scale: str = "small", seed: int = 2012,
              replace: bool = False) -> str:
    """Load the demo campaign and return a one-paragraph summary (Chinese, for the command line).

    Refuses (ValueError) when the database already holds data, unless `replace` is true, in which case
    every data table is emptied first (users, tokens and logs are kept). All or nothing: one transaction.
    """
    if scale not in DEMO_SCALES:
        raise ValueError(f"未知的演示规模：{scale}（可选：{'、'.join(DEMO_SCALES)}）")
    with transaction(session_factory) as session:
        existing = _has_data(session)
        if existing and not replace:
            orgs = session.scalar(select(func.count()).select_from(Org)) or 0
            rounds = session.scalar(select(func.count()).select_from(Round)) or 0
            raise ValueError(
                f"数据库中已有数据（组织 {orgs:,} 个，评议批次 {rounds} 个），演示数据只能装入空库；"
                "如确需清空现有数据（保留用户）后重新装入，请使用 replace=True（命令行：demo --replace）。")
        if existing:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in _KEEP_TABLES:
                    session.execute(table.delete())
        counts = _Generator(random.Random(seed), DEMO_SCALES[scale]).write(session)
        if session.get_bind().dialect.name == "postgresql" and counts["tallies"] > 100_000:
            # Big, freshly filled tables have no statistics yet; the rebuilds below read these.
            session.execute(text("ANALYZE orgs, regions, items, tallies"))
        rebuild_closure(session)
        rebuild_rollups(session)
        _fix_sequences(session)
    return _summary(scale, seed, counts)


def _has_data(session: Session) -> bool:
    return any(session.execute(select(t).limit(1)).first() is not None
               for t in Base.metadata.sorted_tables if t.name not in _KEEP_TABLES)


def _fix_sequences(session: Session) -> None:
    """PostgreSQL: explicit ids do not advance the serial sequences; move them past the demo's ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in _EXPLICIT_ID_TABLES:
        name = model.__tablename__
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 0) + 1,"
            " false)"))


def _summary(scale: str, seed: int, c: dict[str, int]) -> str:
    return (
        f"已载入演示评议活动（规模 {scale}，种子 {seed}）：{PROVINCE_NAME}下辖 {c['cities']} 个市/州、"
        f"{c['counties']} 个县/区、{c['townships']} 个乡镇/街道；{len(SYSTEM_NAMES)} 个系统共 {c['orgs']:,} 个组织"
        f"（基层组织 {c['leaves']:,} 个），党员 {c['members']:,} 名；评议批次 {c['rounds']} 个"
        f"（{'、'.join(DEMO_ROUNDS)}），测评场次 {c['sessions']:,} 场，测评汇总 {c['tallies']:,} 行，"
        f"原始测评表 {c['ballots']:,} 份；承诺 {c['pledges']:,} 项，整改事项 {c['rectifications']:,} 项；"
        f"督导组 {c['groups']} 个，督导联系点 {c['contact_points']} 个。演示日期为 {demo_as_of().isoformat()}"
        f"（按此日期查看逾期与临期情况）。")


# ---------------------------------------------------------------------------------------- helpers
class _Bulk:
    """Bulk insert of plain tuples into one table, in the caller's transaction.

    At millions of rows SQLAlchemy's per-row parameter handling costs more than the database, so rows go
    to the driver directly: psycopg's COPY on PostgreSQL, executemany on SQLite with values converted once
    by SQLAlchemy's own bind processors (`value`), so stored text matches what the ORM writes and reads.
    Any other backend goes through a Core insert.
    """

    def __init__(self, session: Session, model, columns: tuple[str, ...], chunk: int = 50_000):
        self.conn = session.connection()
        self.table = model.__table__
        self.columns = columns
        self.chunk = chunk
        self.rows: list[tuple] = []
        self.count = 0
        dialect = self.conn.dialect
        self.mode = ("copy" if dialect.name == "postgresql" and dialect.driver == "psycopg"
                     else "sqlite" if dialect.name == "sqlite" else "core")
        self.processors = {}
        if self.mode == "sqlite":
            for name in columns:
                proc = self.table.c[name].type.bind_processor(dialect)
                if proc is not None:
                    self.processors[name] = proc

    def value(self, column: str, value):
        """The value as the driver must receive it (convert once, reuse across rows)."""
        proc = self.processors.get(column)
        return proc(value) if proc is not None and value is not None else value

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.chunk:
            self.flush()

    def add_dicts(self, rows: list[dict]) -> int:
        procs = [(i, self.processors[c]) for i, c in enumerate(self.columns) if c in self.processors]
        for d in rows:
            row = [d[c] for c in self.columns]
            for i, proc in procs:
                if row[i] is not None:
                    row[i] = proc(row[i])
            self.add(tuple(row))
        return self.flush()

    def flush(self) -> int:
        if self.rows:
            names = ", ".join(self.columns)
            if self.mode == "copy":
                with self.conn.connection.driver_connection.cursor() as cur:
                    with cur.copy(f"COPY {self.table.name} ({names}) FROM STDIN") as copy:
                        for row in self.rows:
                            copy.write_row(row)
            elif self.mode == "sqlite":
                marks = ", ".join("?" * len(self.columns))
                self.conn.exec_driver_sql(f"INSERT INTO {self.table.name} ({names}) VALUES ({marks})", self.rows)
            else:
                self.conn.execute(insert(self.table), [dict(zip(self.columns, r)) for r in self.rows])
            self.count += len(self.rows)
            self.rows = []
        return self.count


def _round_row(round_id: int, spec: _RoundSpec) -> dict:
    return {"id": round_id, "name": spec.name, "start_date": spec.start, "end_date": spec.end,
            "report_deadline": spec.deadline, "scale": spec.scale, "redline_metric": "综合满意率",
            "redline": 2 / 3, "min_sample": 10, "confidence": 0.95, "warn_days": 3, "working_days": False,
            "weight_s": 100, "weight_b": 60, "weight_u": 0, "anonymity_threshold": 5,
            "doc_no": spec.doc_no, "created_at": datetime.combine(spec.start, time(9, 0))}


def _insert(session: Session, model, rows: list[dict]) -> int:
    if not rows:
        return 0
    return _Bulk(session, model, tuple(rows[0])).add_dicts(rows)


def _allocate(n: int, probs: list[float]) -> list[int]:
    """Split n into integer parts as close to n·p as possible (largest remainder, ties by position)."""
    total = sum(probs)
    raw = [n * p / total for p in probs]
    base = [int(r) for r in raw]
    order = sorted(range(len(probs)), key=lambda i: (base[i] - raw[i], i))
    for i in order[: n - sum(base)]:
        base[i] += 1
    return base


def _at(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of the day."""
    return datetime.combine(day, time(8, 30)) + timedelta(minutes=rng.randrange(0, 9 * 60, 5))


@dataclass
class _Leaf:
    id: int
    org_type: str
    system: int  # index into SYSTEM_NAMES


class _Generator:
    def __init__(self, rng: random.Random, scale: _Scale):
        self.rng = rng
        self.scale = scale
        self.regions: list[dict] = []
        self.orgs: list[dict] = []
        self.members: list[dict] = []
        self.counters: dict[str, int] = {}
        self.members_of: dict[int, list[dict]] = {}

    # ------------------------------------------------------------------ names
    def person(self) -> str:
        rng = self.rng
        given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
        return rng.choice(_SURNAMES) + given

    def place_names(self, count: int, taken: set[str] | None = None) -> list[str]:
        pool = [a + b for a in _PLACE_A for b in _PLACE_B if taken is None or a + b not in taken]
        names = self.rng.sample(pool, count)
        if taken is not None:
            taken.update(names)
        return names

    # ------------------------------------------------------------------ regions
    def build_regions(self) -> list[tuple[dict, list[tuple[dict, list[dict]]]]]:
        rng, sc = self.rng, self.scale

        def add(code, name, level, parent, full):
            row = {"id": len(self.regions) + 1, "code": code, "name": name, "level": level,
                   "parent_id": parent["id"] if parent else None, "l1_code": PROVINCE_CODE,
                   "l2_code": None, "l3_code": None, "l4_code": None, "full_name": full}
            if parent:
                for k in ("l2_code", "l3_code", "l4_code"):
                    row[k] = parent[k]
            if level > 1:
                row[f"l{level}_code"] = code
            self.regions.append(row)
            return row

        province = add(PROVINCE_CODE, PROVINCE_NAME, 1, None, PROVINCE_NAME)
        tree = []
        county_names: set[str] = set()
        for ci in range(sc.cities):
            cname = _CITY_NAMES[ci]
            city = add(f"39{ci + 1:02d}00", cname, 2, province, f"{PROVINCE_NAME}/{cname}")
            n = rng.randint(*sc.counties)
            counties = []
            for k, base in enumerate(self.place_names(n, county_names)):
                # 市辖区 first (codes 02…), then 县 (21…), the last one a 县级市 (81) in bigger cities.
                if k < max(1, n // 4):
                    suffix, code = "区", 2 + k
                elif k == n - 1 and n >= 6:
                    suffix, code = "市", 81
                else:
                    suffix, code = "县", 21 + k
                name = base + suffix
                county = add(f"39{ci + 1:02d}{code:02d}", name, 3, city, f"{city['full_name']}/{name}")
                towns = []
                m = rng.randint(*sc.townships)
                for t, tbase in enumerate(self.place_names(m)):
                    if suffix == "区" and t < max(1, m // 3):
                        tname, tcode = tbase + "街道", 1 + t
                    elif t >= m - max(1, m // 5):
                        tname, tcode = tbase + "乡", 200 + t
                    else:
                        tname, tcode = tbase + "镇", 100 + t
                    towns.append(add(f"{county['code']}{tcode:03d}", tname, 4, county,
                                     f"{county['full_name']}/{tname}"))
                counties.append((county, towns))
            tree.append((city, counties))
        return tree

    # ------------------------------------------------------------------ orgs
    def add_org(self, prefix: str, name: str, org_type: str, system: int, region: dict,
                parent: dict | None) -> dict:
        n = self.counters[prefix] = self.counters.get(prefix, 0) + 1
        org = {"id": len(self.orgs) + 1, "code": f"{prefix}-{n:0{self.scale.code_width}d}", "name": name,
               "parent_id": parent["id"] if parent else None, "org_type": org_type,
               "system_id": system + 1, "region_id": region["id"], "cross_system": False,
               "depth": parent["depth"] + 1 if parent else 0, "is_leaf": True}
        if parent:
            parent["is_leaf"] = False
        self.orgs.append(org)
        return org

    def branch_names(self, spec: _SystemSpec, count: int) -> list[str]:
        fixed = list(spec.branches[:count])
        start = 0
        while len(fixed) < count:
            fixed.append(f"第{_NUMERALS[start % len(_NUMERALS)]}党支部")
            start += 1
        return fixed

    def build_orgs(self, tree) -> None:
        rng, sc = self.rng, self.scale
        province = self.regions[0]
        for s, spec in enumerate(_SYSTEMS):
            p = spec.prefix
            root = self.add_org(p, spec.province, "党委", s, province, None)
            for city, counties in tree:
                cb = spec.city.format(city["name"])
                cnode = self.add_org(p, cb + "党委", "党委", s, city, root)
                self.add_org(p, cb + "领导班子", "领导班子", s, city, cnode)
                for county, towns in counties:
                    kb = spec.county.format(county["name"])
                    knode = self.add_org(p, kb + "党委", "党委", s, county, cnode)
                    self.add_org(p, kb + "领导班子", "领导班子", s, county, knode)
                    units = rng.sample(spec.units, min(len(spec.units), rng.randint(*sc.units)))
                    for unit in units:
                        uname = county["name"] + unit
                        unode = self.add_org(p, uname + "党总支", "党总支", s, county, knode)
                        for b in self.branch_names(spec, rng.randint(*sc.branches)):
                            self.add_org(p, uname + b, "党支部", s, county, unode)
                    for town in towns:
                        if spec.township and rng.random() < spec.township_share:
                            self.add_org(p, county["name"] + spec.township.format(town["name"]) + "党支部",
                                         "党支部", s, town, knode)
        # 乡镇党委: 市委 → 县/区委 → 乡镇党委 → 村党总支 → 党支部.
        s, p = len(_SYSTEMS), _XZ[1]
        for city, counties in tree:
            cnode = self.add_org(p, city["name"] + "委", "党委", s, city, None)
            for county, towns in counties:
                knode = self.add_org(p, county["name"] + "委", "党委", s, county, cnode)
                for town in towns:
                    street = town["name"].endswith("街道")
                    tnode = self.add_org(p, county["name"] + town["name"] + ("党工委" if street else "党委"),
                                         "党委", s, town, knode)
                    self.add_org(p, county["name"] + town["name"] + "领导班子", "领导班子", s, town, tnode)
                    self.add_org(p, town["name"] + "机关党支部", "党支部", s, town, tnode)
                    for v in self.place_names(rng.randint(*sc.villages)):
                        vname = town["name"] + v + ("社区" if street else "村")
                        if rng.random() < 0.2:
                            vnode = self.add_org(p, vname + "党总支", "党总支", s, town, tnode)
                            for b in range(rng.randint(2, 3)):
                                self.add_org(p, f"{vname}第{_NUMERALS[b]}党支部", "党支部", s, town, vnode)
                        else:
                            self.add_org(p, vname + "党支部", "党支部", s, town, tnode)

    def build_members(self) -> None:
        rng = self.rng
        for org in self.orgs:
            if not (org["is_leaf"] and org["org_type"] == "党支部"):
                continue
            mine = []
            for k in range(rng.randint(*self.scale.members)):
                row = {"id": len(self.members) + 1, "code": f"DY-{len(self.members) + 1:07d}",
                       "name": self.person(), "org_id": org["id"],
                       "category": "预备" if k > 1 and rng.random() < 0.08 else "正式",
                       "position": _BRANCH_POSITIONS[k] if k < min(2 + rng.randint(0, 2), 4) else None}
                self.members.append(row)
                mine.append(row)
            self.members_of[org["id"]] = mine

    # ------------------------------------------------------------------ rounds and tallies
    def story_plan(self, leaves: list[_Leaf], round_no: int) -> dict[int, str]:
        """Which leaf plays which part in a round (disjoint roles; everything else is ordinary)."""
        rng = self.rng
        order = leaves[:]
        rng.shuffle(order)
        plan: dict[int, str] = {}
        pos = 0
        for kind, (share, least) in self.scale.story.items():
            if kind == "missing" and round_no == 0:
                share, least = share / 3, 2  # nearly everyone reported in the first round
            want = max(least, int(share * len(leaves)))
            if kind == "twin":
                for _ in range(want):
                    first = order[pos]
                    pos += 1
                    partner = next(i for i in range(pos, len(order)) if order[i].system == first.system)
                    order[pos], order[partner] = order[partner], order[pos]
                    # The copy must come after its source in id order (the order leaves are written in).
                    source, copy = sorted((first, order[pos]), key=lambda leaf: leaf.id)
                    plan[source.id] = "twin"
                    plan[copy.id] = f"twin:{source.id}"
                    pos += 1
                continue
            for leaf in order[pos:pos + want]:
                plan[leaf.id] = kind
            pos += want
        return plan

    def leaf_probs(self, kind: str) -> tuple[float, float, float, float]:
        """Bucket probabilities (S, B, U, X) of a leaf's answers."""
        rng = self.rng
        if kind == "confirmed":
            return 0.18, 0.22, 0.58, 0.02
        if kind == "suspected":
            return 0.36, 0.26, 0.36, 0.02
        if kind == "perfect":
            return 1.0, 0.0, 0.0, 0.0
        if kind == "ballots":
            return 0.50, 0.30, 0.15, 0.05
        s = rng.uniform(0.55, 0.9)
        b = (1 - s) * rng.uniform(0.55, 0.9)
        x = rng.uniform(0.0, 0.03)
        u = max(0.0, 1 - s - b)
        return s * (1 - x), b * (1 - x), u * (1 - x), x

    def positions(self, scale: str, probs, shift: float, very: float) -> list[float]:
        """Probabilities of each answer position: opt1..optK, 不了解, 弃权."""
        s, b, u, x = probs
        if shift and s < 1:
            delta = min(shift, b) if shift > 0 else max(shift, -s)
            s, b = s + delta, b - delta
        head = [s, b, u] if scale == "三级" else [s * very, s * (1 - very), b, u]
        return head + [x * 0.6, x * 0.4]

    def write(self, session: Session) -> dict[str, int]:
        tree = self.build_regions()
        self.build_orgs(tree)
        self.build_members()
        _insert(session, System, [{"id": i + 1, "name": n} for i, n in enumerate(SYSTEM_NAMES)])
        _insert(session, Region, self.regions)
        _insert(session, Org, self.orgs)
        _insert(session, Member, self.members)

        leaves = [_Leaf(o["id"], o["org_type"], o["system_id"] - 1) for o in self.orgs if o["is_leaf"]]
        counts = {"cities": sum(1 for r in self.regions if r["level"] == 2),
                  "counties": sum(1 for r in self.regions if r["level"] == 3),
                  "townships": sum(1 for r in self.regions if r["level"] == 4),
                  "orgs": len(self.orgs), "leaves": len(leaves), "members": len(self.members),
                  "rounds": len(DEMO_ROUNDS), "sessions": 0, "tallies": 0, "ballots": 0}
        reporters: dict[int, list[int]] = {}
        item_id = 0
        for r, spec in enumerate(_ROUNDS):
            round_id = r + 1
            _insert(session, Round, [_round_row(round_id, spec)])
            items = []
            for k, name in enumerate(spec.items):
                item_id += 1
                items.append((item_id, name))
            _insert(session, Item, [{"id": i, "round_id": round_id, "name": n, "is_overall": k == 0,
                                     "position": k + 1} for k, (i, n) in enumerate(items)])
            reporters[round_id] = self.write_round(session, round_id, spec, items, leaves, counts)

        counts["pledges"] = self.write_pledges(session, leaves, reporters)
        counts["rectifications"] = self.write_rectifications(session, leaves, reporters)
        counts.update(self.write_supervision(session))
        self.write_member_round(session, len(_ROUNDS) + 1, item_id + 1, counts)
        return counts

    def write_member_round(self, session: Session, round_id: int, item_id: int, counts: dict[str, int]) -> None:
        """民主评议党员 in _MEMBER_BRANCHES 党支部 with at least four members: one session each, the branch's own
        row and every member's (category 党员). Branch 0 rates nearly everyone 优秀; in branch 1
        the first 正式 member gets 不合格 from half the voters."""
        rng = random.Random(self.rng.random())  # its own stream, drawn last: the other rounds stay as they were
        spec = _MEMBER_ROUND
        _insert(session, Round, [_round_row(round_id, spec)])
        _insert(session, Item, [{"id": item_id, "round_id": round_id, "name": spec.items[0], "is_overall": True,
                                 "position": 1}])
        tallies = _Bulk(session, Tally, ("round_id", "org_id", "member_key", "member_id", "item_id", "category",
                                         "from_ballots", "first_reported_at", "updated_at",
                                         "opt1", "opt2", "opt3", "opt4", "opt5", "unknown", "abstain"))
        eligible = [o for o in self.orgs if o["is_leaf"] and o["org_type"] == "党支部"
                    and len(self.members_of.get(o["id"], [])) >= 4]
        branches = eligible[:_MEMBER_BRANCHES - 1]
        # and one branch with a 预备党员 (rated, never graded)
        branches += [next((o for o in eligible[len(branches):]
                           if any(m["category"] == "预备" for m in self.members_of[o["id"]])),
                          eligible[len(branches)])]
        sessions = []
        for b, org in enumerate(branches):
            members = self.members_of[org["id"]]
            failing = next(m["id"] for m in members if m["category"] == "正式") if b == 1 else None
            voters = rng.randint(10, 16)  # the branch's members and the 群众代表 invited to rate them
            at = _at(spec.deadline - timedelta(days=rng.randint(1, 20)), rng)
            # One 测评会: each ballot rates the branch itself and every member of it.
            sessions.append({"round_id": round_id, "org_id": org["id"], "target": "党员",
                             "expected": voters + rng.randint(0, 2), "issued": voters, "returned": voters,
                             "valid": voters, "held_on": at.date() - timedelta(days=rng.randint(1, 5)),
                             "imported_at": at})
            tallies.add((round_id, org["id"], 0, None, item_id, "党员", False, at, at,
                         *_allocate(voters, list(_MEMBER_PROBS["normal"])), 0, 0, 0))
            for m in members:
                kind = "lenient" if b == 0 else "failing" if m["id"] == failing else "normal"
                unknown = rng.randint(0, 1)
                answers = _allocate(voters - unknown, list(_MEMBER_PROBS[kind]))
                tallies.add((round_id, org["id"], m["id"], m["id"], item_id, "党员", False, at, at,
                             *answers, 0, unknown, 0))
        counts["sessions"] += _insert(session, EvalSession, sessions)
        counts["tallies"] += tallies.flush()

    def write_round(self, session: Session, round_id: int, spec: _RoundSpec, items, leaves, counts) -> list[int]:
        rng = self.rng
        plan = self.story_plan(leaves, round_id - 1)
        k_opts = len(option_names(spec.scale))
        sessions, ballots = [], []
        twin_source: dict[int, tuple[int, list[int], dict]] = {}
        reported: list[int] = []
        ballot_orgs = 0
        tallies = _Bulk(session, Tally, ("round_id", "org_id", "member_key", "item_id", "category",
                                         "from_ballots", "first_reported_at", "updated_at",
                                         "opt1", "opt2", "opt3", "opt4", "opt5", "unknown", "abstain"))
        padding = (0,) * (5 - k_opts)  # option positions the scale does not use
        as_ballots, not_ballots = tallies.value("from_ballots", True), tallies.value("from_ballots", False)

        for leaf in leaves:
            kind = plan.get(leaf.id, "normal")
            if kind == "missing":
                continue
            categories = list(_SYSTEMS[leaf.system].categories if leaf.system < len(_SYSTEMS) else _XZ[2])
            if kind == "nocat":
                categories.pop(rng.randrange(1, len(categories)))
            if kind.startswith("twin:"):
                valid, split, grid = twin_source[int(kind[5:])]
            else:
                valid, split, grid = self.leaf_answers(kind, leaf, round_id, spec, items, categories, ballots,
                                                       straight=kind == "ballots" and ballot_orgs < 2)
                ballot_orgs += kind == "ballots"
                if kind == "twin":
                    twin_source[leaf.id] = (valid, split, grid)

            # Session counts around the valid ballots: 有效 ≤ 收回 ≤ 发放 ≤ 应到, except a void one.
            returned = valid + (rng.randint(1, 2) if rng.random() < 0.2 else 0)
            issued = returned + rng.randint(0, 3)
            if kind == "void":
                issued = returned - rng.randint(1, 3)
            expected = max(issued, returned) + rng.randint(0, 4)
            late = kind == "late"
            if late:
                first_day = spec.deadline + timedelta(days=rng.randint(1, 7))
            else:
                first_day = spec.deadline - timedelta(days=rng.randint(0, 25))
            first = _at(first_day, rng)
            held = first_day - timedelta(days=rng.randint(1, 12))
            updated = first
            if rng.random() < 0.1:  # a corrected re-submission a few days later
                updated = min(first + timedelta(days=rng.randint(1, 4)),
                              datetime.combine(demo_as_of(), time(0)) - timedelta(minutes=1))
                updated = max(updated, first)
            sessions.append({"round_id": round_id, "org_id": leaf.id,
                             "target": "领导班子" if leaf.org_type == "领导班子" else "党组织",
                             "expected": expected, "issued": issued, "returned": returned, "valid": valid,
                             "held_on": held, "imported_at": first})
            reported.append(leaf.id)
            head = (tallies.value("first_reported_at", first), tallies.value("updated_at", updated))
            flag = as_ballots if kind == "ballots" else not_ballots
            for iid, _ in items:
                for c, cat in enumerate(categories):
                    if split[c]:
                        answers = grid[iid][c]
                        tallies.add((round_id, leaf.id, 0, iid, cat, flag, *head, *answers[:k_opts], *padding,
                                     *answers[k_opts:]))
        counts["tallies"] += tallies.flush()
        counts["sessions"] += _insert(session, EvalSession, sessions)
        counts["ballots"] += _insert(session, Ballot, ballots)
        return reported

    def leaf_answers(self, kind: str, leaf: _Leaf, round_id: int, spec: _RoundSpec, items, categories,
                     ballots: list[dict], straight: bool) -> tuple[int, list[int], dict[int, list[list[int]]]]:
        """One leaf's 测评会: valid ballots, their split over categories, and per item the answer counts
        of each category by position (opt1..optK, 不了解, 弃权)."""
        rng, sc = self.rng, self.scale
        k_opts = len(option_names(spec.scale))
        positions = list(range(k_opts + 2))
        valid = {"small": (5, 9), "confirmed": (36, 48), "suspected": (24, 32),
                 "perfect": (22, 35)}.get(kind, sc.voters)
        valid = rng.randint(*valid)
        # One ballot per evaluator; every category present gets at least one when there are enough.
        split = [1] * len(categories) if valid >= len(categories) else [0] * len(categories)
        for c in rng.choices(range(len(categories)), weights=[4, 3, 1, 2][: len(categories)],
                             k=valid - sum(split)):
            split[c] += 1
        probs = self.leaf_probs(kind)
        very = rng.uniform(0.55, 0.75)  # the share of S answers that are 满意 rather than 比较满意
        grid: dict[int, list[list[int]]] = {}
        from_ballots = None
        if kind == "ballots":
            from_ballots = self.make_ballots(leaf, round_id, spec, categories, split, probs, very, ballots,
                                             straight)
        for it, (iid, iname) in enumerate(items):
            shift = _ITEM_SHIFT[iname] + rng.uniform(-0.03, 0.03) if kind not in ("perfect", "flat") else 0.0
            p = self.positions(spec.scale, probs, shift, very)
            if from_ballots is not None:
                per_cat = from_ballots[iname]
            elif kind == "flat" and it > 0:  # the same distribution on every item (a 走过场 sign)
                per_cat = grid[items[0][0]]
            elif kind in ("confirmed", "suspected", "perfect"):
                # Exact shares for the story orgs, so their verdicts do not hang on luck.
                pool = [pos for pos, n in enumerate(_allocate(valid, p)) for _ in range(n)]
                rng.shuffle(pool)
                per_cat, start = [], 0
                for n in split:
                    chunk = pool[start:start + n]
                    start += n
                    per_cat.append([chunk.count(pos) for pos in positions])
            else:
                cum, acc = [], 0.0
                for v in p:
                    acc += v
                    cum.append(acc)
                per_cat = []
                for n in split:
                    picks = rng.choices(positions, cum_weights=cum, k=n)
                    per_cat.append([picks.count(pos) for pos in positions])
            grid[iid] = per_cat
        return valid, split, grid

    def make_ballots(self, leaf: _Leaf, round_id: int, spec: _RoundSpec, categories, split, probs, very,
                     out: list[dict], straight: bool) -> dict[str, list[list[int]]]:
        """Paper ballots of one 测评会, and their tallies per item and category (counted the same way)."""
        rng = self.rng
        texts = option_names(spec.scale) + ["不了解", ""]  # by answer position; "" is 弃权 (left blank)
        k = len(texts)
        tallied = {name: [[0] * k for _ in categories] for name in spec.items}
        number = 0
        for c, n in enumerate(split):
            for j in range(n):
                number += 1
                answers = {}
                line = straight and c == 0 and j < 2  # two evaluators who ticked 满意 down the column
                for name in spec.items:
                    if line:
                        pos = 0
                    else:
                        p = self.positions(spec.scale, probs, _ITEM_SHIFT[name], very)
                        pos = rng.choices(range(k), weights=p)[0]
                    answers[name] = texts[pos]
                    tallied[name][c][pos] += 1
                out.append({"round_id": round_id, "org_id": leaf.id, "ballot_no": f"{spec.tag}-{number:04d}",
                            "category": categories[c], "answers": json.dumps(answers, ensure_ascii=False)})
        return tallied

    # ------------------------------------------------------------------ ledgers
    def write_pledges(self, session: Session, leaves: list[_Leaf], reporters) -> int:
        rng = self.rng
        as_of = demo_as_of()
        rows = []
        states_now = ["on_time", "late", "overdue_progress", "overdue_idle", "due_soon", "progress",
                      "idle", "early"]
        weights_now = [40, 8, 8, 4, 5, 20, 8, 7]
        by_id = {leaf.id: leaf for leaf in leaves}
        for r, spec in enumerate(_ROUNDS):
            round_id = r + 1
            orgs = [by_id[i] for i in reporters[round_id]]
            chosen = rng.sample(orgs, max(len(states_now) * 2, len(orgs) // (6 if r else 12)))
            for n, leaf in enumerate(chosen):
                state = (states_now[n % len(states_now)] if n < 2 * len(states_now)
                         else rng.choices(states_now, weights_now)[0])
                if r == 0:  # the first round is over: mostly kept, a few still hanging
                    state = state if state in ("overdue_progress", "late") else "on_time"
                    due = spec.start + timedelta(days=rng.randint(40, 150))
                else:
                    due = {"on_time": as_of - timedelta(days=rng.randint(1, 70)),
                           "late": as_of - timedelta(days=rng.randint(12, 70)),
                           "overdue_progress": as_of - timedelta(days=rng.randint(1, 45)),
                           "overdue_idle": as_of - timedelta(days=rng.randint(1, 30)),
                           "due_soon": as_of + timedelta(days=rng.randint(0, 3)),
                           "progress": as_of + timedelta(days=rng.randint(4, 50)),
                           "idle": as_of + timedelta(days=rng.randint(10, 50)),
                           "early": as_of + timedelta(days=rng.randint(5, 40))}[state]
                status, fulfilled = {"on_time": ("已兑现", due - timedelta(days=rng.randint(0, 20))),
                                     "late": ("已兑现", due + timedelta(days=rng.randint(1, 10))),
                                     "early": ("已兑现", as_of - timedelta(days=rng.randint(0, 20))),
                                     "overdue_idle": ("未启动", None), "idle": ("未启动", None)
                                     }.get(state, ("推进中", None))
                if fulfilled is not None:
                    fulfilled = max(min(fulfilled, as_of), spec.start)
                member = None
                if leaf.id in self.members_of and rng.random() < 0.3:
                    member = rng.choice(self.members_of[leaf.id])
                content = rng.choice(_PLEDGES[leaf.system] + _PLEDGES_COMMON)
                if member:
                    content = rng.choice(_MEMBER_PLEDGES)
                rows.append({"code": f"CN{spec.tag}-{len(rows) + 1:05d}", "round_id": round_id, "org_id": leaf.id,
                             "member_id": member["id"] if member else None, "content": content,
                             "due_date": due, "status": status, "fulfilled_date": fulfilled})
        return _insert(session, Pledge, rows)

    def write_rectifications(self, session: Session, leaves: list[_Leaf], reporters) -> int:
        rng = self.rng
        as_of = demo_as_of()
        rows: list[dict] = []
        states = ["overdue_idle", "overdue_work", "due_soon", "working", "idle", "done", "done_late",
                  "closed", "closed_bare"]
        weights = [4, 8, 5, 20, 8, 15, 6, 30, 4]
        by_id = {leaf.id: leaf for leaf in leaves}
        for r, spec in enumerate(_ROUNDS):
            round_id = r + 1
            orgs = [by_id[i] for i in reporters[round_id]]
            chosen = rng.sample(orgs, max(len(states) * 2, len(orgs) // (8 if r else 16)))
            for n, leaf in enumerate(chosen):
                state = (states[n % len(states)] if n < 2 * len(states) else rng.choices(states, weights)[0])
                if r == 0:  # first-round items are mostly closed; a few are long overdue
                    state = state if state in ("overdue_work", "closed_bare", "done_late") else "closed"
                    registered = spec.deadline + timedelta(days=rng.randint(-20, 30))
                    deadline = registered + timedelta(days=rng.randint(30, 90))
                else:
                    registered = spec.deadline - timedelta(days=rng.randint(-5, 50))
                    registered = min(registered, as_of - timedelta(days=3))
                    deadline = {"overdue_idle": as_of - timedelta(days=rng.randint(1, 20)),
                                "overdue_work": as_of - timedelta(days=rng.randint(1, 40)),
                                "due_soon": as_of + timedelta(days=rng.randint(0, 3)),
                                "working": as_of + timedelta(days=rng.randint(4, 60)),
                                "idle": as_of + timedelta(days=rng.randint(10, 60)),
                                "done": as_of + timedelta(days=rng.randint(-10, 40)),
                                "done_late": as_of - timedelta(days=rng.randint(5, 25)),
                                "closed": as_of + timedelta(days=rng.randint(-15, 30)),
                                "closed_bare": as_of + timedelta(days=rng.randint(-15, 30))}[state]
                    registered = min(registered, deadline - timedelta(days=7))
                rows.append(self.rect_row(rows, round_id, spec, leaf, state, registered, deadline))
        # A unit that closed a whole batch on one afternoon (a 走过场 sign on the 数据质量 page).
        batch_day = date(2012, 11, 28)
        batch_org = next(by_id[i] for i in reporters[2] if by_id[i].org_type == "党支部")
        for _ in range(8):
            row = self.rect_row(rows, 2, _ROUNDS[1], batch_org, "closed", date(2012, 11, 2), date(2012, 12, 20))
            row.update(completed_date=batch_day, closed_date=batch_day)
            rows.append(row)
        return _insert(session, Rectification, rows)

    def rect_row(self, rows, round_id, spec, leaf, state, registered, deadline) -> dict:
        rng = self.rng
        as_of = demo_as_of()
        status, completed, closed, evidence = {
            "overdue_idle": "未启动", "idle": "未启动", "overdue_work": "整改中", "due_soon": "整改中",
            "working": "整改中", "done": "已完成", "done_late": "已完成", "closed": "已销号",
            "closed_bare": "已销号"}[state], None, None, None
        if status in ("已完成", "已销号"):
            last = deadline if state != "done_late" else as_of
            first = registered + timedelta(days=3) if state != "done_late" else deadline + timedelta(days=1)
            last = min(last, as_of)
            completed = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
            evidence = rng.choice(_EVIDENCE)
            if status == "已销号":
                closed = min(completed + timedelta(days=rng.randint(0, 10)), as_of)
                if state == "closed_bare":
                    evidence = None
        source = rng.choices(_SOURCES, [5, 2, 2, 1])[0]
        problem, measure = rng.choice(_PROBLEMS)
        return {"code": f"ZG{spec.tag}-{len(rows) + 1:05d}", "round_id": round_id, "org_id": leaf.id,
                "source": source, "description": problem, "measure": measure,
                "owner": f"{self.person()}（{'支部书记' if leaf.org_type == '党支部' else '主要负责人'}）",
                "registered_date": registered, "deadline": deadline, "status": status,
                "completed_date": completed, "closed_date": closed, "evidence": evidence}

    # ------------------------------------------------------------------ supervision
    def write_supervision(self, session: Session) -> dict[str, int]:
        rng, sc = self.rng, self.scale
        as_of = demo_as_of()
        parent = {o["id"]: o["parent_id"] for o in self.orgs}
        leaves_under: dict[int, list[int]] = {}
        for o in self.orgs:
            if o["is_leaf"]:
                node = o["parent_id"]
                while node is not None:
                    leaves_under.setdefault(node, []).append(o["id"])
                    node = parent[node]
        # Units a group supervises: county-level bureaus and township 党委 with at least two leaves.
        candidates = [o for o in self.orgs if o["depth"] == 2 and o["org_type"] == "党委"
                      and len(leaves_under.get(o["id"], ())) >= 2]
        units = rng.sample(candidates, min(len(candidates), sc.groups * sc.units_per_group))
        groups, links, visits = [], [], []
        for g in range(sc.groups):
            gid = g + 1
            groups.append({"id": gid, "name": f"省委第{_NUMERALS[g]}督导组", "leader": self.person()})
            for u, unit in enumerate(units[g * sc.units_per_group:(g + 1) * sc.units_per_group]):
                links.append({"group_id": gid, "org_id": unit["id"], "is_contact_point": False})
                # Most units name two or three contact points; some name only one (flagged 联系点不足).
                want = 1 if (u == 0 and g == 0) or rng.random() < 0.15 else rng.randint(2, 3)
                for point in rng.sample(leaves_under[unit["id"]], min(want, len(leaves_under[unit["id"]]))):
                    links.append({"group_id": gid, "org_id": point, "is_contact_point": True})
                    if rng.random() < 0.5:
                        day = as_of - timedelta(days=rng.randint(3, 80))
                        finding, follow = rng.choice(_VISITS)
                        visits.append({"group_id": gid, "org_id": point, "visited_on": day, "findings": finding,
                                       "follow_up": follow, "recorded_by": groups[-1]["leader"],
                                       "recorded_at": datetime.combine(day, time(18, 0))})
        _insert(session, SupervisionGroup, groups)
        _insert(session, SupervisionLink, links)
        _insert(session, Visit, visits)
        return {"groups": len(groups), "contact_points": sum(1 for l in links if l["is_contact_point"])}


# ---------------------------------------------------------------------------------------- ledger texts
_PLEDGES_COMMON = [
    "公开办事流程和收费标准，接受群众监督",
    "每月开展一次走访群众活动，建立民情台账",
    "群众来信来访七个工作日内答复",
    "党员亮身份、亮承诺，设立党员示范岗",
    "每季度召开一次群众代表座谈会，通报整改进展",
]
_PLEDGES = [
    ["农村公路破损路段年内修复完毕", "客运班线增开早晚班次，方便群众出行", "驾驶证业务窗口实行预约办理",
     "治理超限超载，每月开展联合执法不少于两次"],
    ["门诊推行预约诊疗，缩短候诊时间", "开展送医下乡义诊每季度不少于一次", "公开药品价格和医疗服务收费",
     "杜绝收受红包回扣，签订医德医风承诺书"],
    ["规范教育收费，杜绝乱收费乱订资料", "教师家访覆盖全部留守儿童", "每周开放一次校长接待日",
     "落实课后延时服务，解决家长接送难题"],
    ["户籍业务实行一站式办理", "社区民警每月走访辖区重点人员", "110 接警五分钟内到达城区现场",
     "开展平安校园护学岗行动"],
    ["食品安全抽检结果按月公开", "企业登记注册三个工作日内办结", "消费投诉七个工作日内处理完毕",
     "开展农贸市场计量器具免费检定"],
    ["村级财务每季度公开一次", "为民办实事项目年内全部完工", "农村危房改造资金足额发放到户",
     "完善村规民约，调处矛盾纠纷不出村"],
]
_MEMBER_PLEDGES = ["结对帮扶一户困难群众", "每月参加一次志愿服务", "带头遵守廉洁自律各项规定",
                   "岗位工作零差错、零投诉", "帮助群众代办事项不少于十件"]
_SOURCES = ["群众评议", "领导点评", "督导反馈", "个别访谈"]
_PROBLEMS = [
    ("窗口服务态度生硬，群众办事多次往返", "制定窗口服务规范，推行首问负责和一次性告知"),
    ("承诺事项公示不及时，群众知晓率低", "在公开栏和门户网站同步公示承诺事项，每月更新进度"),
    ("部分党员参加组织生活不经常", "建立组织生活签到和补课制度，支部书记每月通报"),
    ("办事流程不透明，收费标准未公开", "梳理办事流程，公开收费依据和标准"),
    ("联系服务群众渠道不畅", "建立党员联系户制度，公布联系电话"),
    ("会议多、文件多，基层负担重", "精简会议文件，合并同类检查考核"),
    ("村务公开栏内容陈旧", "按季度更新村务、财务公开内容"),
    ("下基层调研走过场，问题解决不到位", "建立调研问题清单，逐项跟踪销号"),
    ("个别干部工作时间脱岗", "严格考勤制度，纳入月度考核"),
    ("群众反映的道路破损问题长期未修复", "列入年度养护计划，限期修复"),
    ("评议意见反馈不及时", "评议结束后十五日内向参评群众反馈整改情况"),
    ("为民办实事项目进度滞后", "倒排工期，明确责任人，每周调度"),
]
_EVIDENCE = ["整改报告及现场照片", "制度文件及会议记录", "群众回访记录表", "公示照片及整改前后对比",
             "验收单及群众签字确认"]
_VISITS = [
    ("查阅评议台账，参评群众代表覆盖面偏窄", "督促补充服务对象和两代表一委员参评"),
    ("整改措施已公示，部分事项进度滞后", "下周电话回访整改进度"),
    ("承诺公开栏内容完整，群众知晓率较高", "总结经验在督导简报中推广"),
    ("个别访谈反映窗口排队时间长", "转交单位整改并纳入整改台账"),
]

__all__ = ["DEMO_ROUNDS", "DEMO_SCALES", "SYSTEM_NAMES", "demo_as_of", "load_demo"]
