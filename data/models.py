"""Typed SQLAlchemy 2.0 models for every entity of docs/metrics.md.

Counts are stored per option position of the round's scale (opt1..opt5, plus 不了解 and 弃权), never as
rates: which option counts as S, B or U is the rule profile's business (domain.rules), so a profile
can be read without rewriting data.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
    true as sa_true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class CountsMixin:
    """Answer counts by option position of the round's scale (see domain.rules.SCALES)."""

    opt1: Mapped[int] = mapped_column(Integer, default=0)
    opt2: Mapped[int] = mapped_column(Integer, default=0)
    opt3: Mapped[int] = mapped_column(Integer, default=0)
    opt4: Mapped[int] = mapped_column(Integer, default=0)
    opt5: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)  # 不了解
    abstain: Mapped[int] = mapped_column(Integer, default=0)  # 弃权 (blank)


class RoundOrgKeys:
    """A row of one org in one round, looked up by either: the id and the two indexed foreign keys, first in
    the table as they were before this mixin (sort_order)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True, sort_order=-1)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True, sort_order=-1)


COUNT_COLUMNS = ("opt1", "opt2", "opt3", "opt4", "opt5", "unknown", "abstain")


# ---------------------------------------------------------------------------------------- structure
class System(Base):
    __tablename__ = "systems"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Region(Base):
    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # 6 digits, 9 for townships
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer)  # 1 省, 2 市/州, 3 县/区, 4 乡/镇/街道
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # Per-level ancestor codes (self included at its own level) so a subtree is one equality test.
    l1_code: Mapped[str | None] = mapped_column(String(12), index=True)
    l2_code: Mapped[str | None] = mapped_column(String(12), index=True)
    l3_code: Mapped[str | None] = mapped_column(String(12), index=True)
    l4_code: Mapped[str | None] = mapped_column(String(12), index=True)
    full_name: Mapped[str] = mapped_column(String(300), default="")  # 省/市/县 path


class Org(Base):
    __tablename__ = "orgs"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), index=True)
    org_type: Mapped[str] = mapped_column(String(20))  # 党委 / 党总支 / 党支部 / 领导班子 / 单位
    system_id: Mapped[int] = mapped_column(ForeignKey("systems.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    cross_system: Mapped[bool] = mapped_column(Boolean, default=False)  # declared 跨系统隶属
    depth: Mapped[int] = mapped_column(Integer, default=0)  # 0 for a root
    is_leaf: Mapped[bool] = mapped_column(Boolean, default=True)

    system: Mapped[System] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")


class OrgClosure(Base):
    """Every (ancestor, descendant) pair of the org tree, self pairs included (depth 0)."""

    __tablename__ = "org_closure"
    ancestor_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(
        ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    depth: Mapped[int] = mapped_column(Integer)


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    category: Mapped[str] = mapped_column(String(10), default="正式")  # 正式 / 预备
    position: Mapped[str | None] = mapped_column(String(100))


# ---------------------------------------------------------------------------------------- rounds
class Round(Base):
    """评议批次 with its rule profile (docs/metrics.md). Defaults mirror domain.rules.RuleProfile."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    report_deadline: Mapped[date | None] = mapped_column(Date)
    scale: Mapped[str] = mapped_column(String(20), default="三级")  # 三级/四级/五级/民主评议党员
    redline_metric: Mapped[str] = mapped_column(String(20), default="综合满意率")
    redline: Mapped[float] = mapped_column(Float, default=2 / 3)
    min_sample: Mapped[int] = mapped_column(Integer, default=10)
    confidence: Mapped[float] = mapped_column(Float, default=0.95)
    warn_days: Mapped[int] = mapped_column(Integer, default=3)
    working_days: Mapped[bool] = mapped_column(Boolean, default=False)
    weight_s: Mapped[float] = mapped_column(Float, default=100)
    weight_b: Mapped[float] = mapped_column(Float, default=60)
    weight_u: Mapped[float] = mapped_column(Float, default=0)
    anonymity_threshold: Mapped[int] = mapped_column(Integer, default=5)
    doc_no: Mapped[str | None] = mapped_column(String(100))  # 文件号
    # Each supervised unit names contact_min..contact_max 联系点 (fewer: 联系点不足, more: 联系点过多).
    contact_min: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    contact_max: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # 上报层级: the 组织类型 expected to report (e.g. 党委 for 逐级上报 by townships); None: the leaf orgs.
    report_level: Mapped[str | None] = mapped_column(String(20))
    # 公示期限: results are due to be published (公示) this many days after end_date (docs/metrics.md).
    publish_days: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class RoundChange(Base):
    """Each change of a round's rule profile, with who made it (docs/views.md)."""

    __tablename__ = "round_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Item(Base):
    """测评项目 of a round; at most one per round is the 总体评价 (overall) item."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("round_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    is_overall: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class EvalSession(RoundOrgKeys, Base):
    """测评场次: one 测评会 for one org and one 测评对象."""

    __tablename__ = "eval_sessions"
    # (round_id, held_on): a round's last 测评日期 decides the default as-of day, asked on every page drawn.
    __table_args__ = (UniqueConstraint("round_id", "org_id", "target"),
                      Index("ix_eval_sessions_round_id_held_on", "round_id", "held_on"))
    target: Mapped[str] = mapped_column(String(10), default="党组织")  # 党组织 / 领导班子 / 党员
    expected: Mapped[int | None] = mapped_column(Integer)  # 应到人数
    issued: Mapped[int | None] = mapped_column(Integer)  # 发放份数
    returned: Mapped[int | None] = mapped_column(Integer)  # 收回份数
    valid: Mapped[int | None] = mapped_column(Integer)  # 有效份数
    held_on: Mapped[date | None] = mapped_column(Date)  # 测评日期
    imported_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Tally(CountsMixin, Base):
    """测评汇总: counts of one (round, org, member?, item, evaluator category)."""

    __tablename__ = "tallies"
    __table_args__ = (
        # Its (round_id, org_id) prefix serves every per-org look-up: a separate index on those two
        # columns only cost every tally write a third B-tree update.
        UniqueConstraint("round_id", "org_id", "member_key", "item_id", "category", "phase",
                         name="uq_tallies_key_phase"),
        # The few 复评 rows of a round (which orgs were rechecked, asked by the red-line page) without
        # reading its millions of 首评 rows; data.queries.rechecked_org_ids names the phase literally for it.
        Index("ix_tallies_recheck", "round_id", "org_id", sqlite_where=text("phase = '复评'"),
              postgresql_where=text("phase = '复评'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    # 0 for the org itself: NULLs are never equal in a unique constraint, so the key needs a value.
    member_key: Mapped[int] = mapped_column(Integer, default=0)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    category: Mapped[str] = mapped_column(String(20))  # 参评人员类别
    phase: Mapped[str] = mapped_column(String(4), default="首评", server_default="首评")  # 测评轮次: 首评 / 复评
    # Whether the row stands for the org's figures now: its 复评 rows once it has any, else its 首评 rows
    # (maintained by data.rollups.rebuild_rollups; every figure reads only current rows).
    current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    from_ballots: Mapped[bool] = mapped_column(Boolean, default=False)
    first_reported_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Ballot(RoundOrgKeys, Base):
    """原始测评表: one paper ballot; answers maps item name -> chosen option text (JSON)."""

    __tablename__ = "ballots"
    __table_args__ = (UniqueConstraint("round_id", "org_id", "ballot_no"),)
    ballot_no: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(20))
    phase: Mapped[str] = mapped_column(String(4), default="首评", server_default="首评")  # 测评轮次
    answers: Mapped[str] = mapped_column(Text)  # JSON object, item name -> option text ("" = 弃权)


class ReworkOrder(RoundOrgKeys, Base):
    """返工补课: the supervising office's order (认定) that an org redo its evaluation; its 复评 rows then
    stand for its figures (docs/import-templates.md)."""

    __tablename__ = "rework_orders"
    __table_args__ = (UniqueConstraint("round_id", "org_id"),)
    ordered_on: Mapped[date] = mapped_column(Date)  # 认定日期
    office: Mapped[str | None] = mapped_column(String(100))  # 认定单位
    doc_no: Mapped[str | None] = mapped_column(String(100))  # 文件号
    recheck_due: Mapped[date | None] = mapped_column(Date)  # 复评截止日期
    note: Mapped[str | None] = mapped_column(Text)  # 备注
    recorded_by: Mapped[str | None] = mapped_column(String(80))


# ---------------------------------------------------------------------------------------- ledgers
class Pledge(Base):
    __tablename__ = "pledges"
    # A ledger page reads its rows in this order (data.ledger_queries._parts_page).
    __table_args__ = (Index("ix_pledges_round_id_due_date", "round_id", "due_date", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)  # 承诺编号
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    content: Mapped[str] = mapped_column(Text)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # 未启动 / 推进中 / 已兑现
    fulfilled_date: Mapped[date | None] = mapped_column(Date)


class Rectification(Base):
    """One measure (措施编号) of a problem (问题编号); a problem is done when all its measures are."""

    __tablename__ = "rectifications"
    __table_args__ = (UniqueConstraint("round_id", "code", "measure_no", name="uq_rectifications_round_code_measure"),
                      # A ledger page reads its rows in this order (data.ledger_queries._parts_page).
                      Index("ix_rectifications_round_id_deadline", "round_id", "deadline", "code", "measure_no"))
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), index=True)  # 问题编号
    measure_no: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # 措施编号
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    # Any text: 群众评议 / 领导点评 / 督导反馈 / 个别访谈 / 回头看 are the known ones (domain.rules.KNOWN_SOURCES).
    source: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(100))
    registered_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # 未启动 / 整改中 / 已完成 / 已销号
    completed_date: Mapped[date | None] = mapped_column(Date)
    closed_date: Mapped[date | None] = mapped_column(Date)  # 销号日期
    evidence: Mapped[str | None] = mapped_column(Text)  # 整改佐证


# ---------------------------------------------------------------------------------------- the record
class LeaderComment(RoundOrgKeys, Base):
    """领导点评: a leader's review of an org's work in a round, graded, naming the problems it raised
    (问题编号 of 整改台账, kept as written, joined with "、")."""

    __tablename__ = "leader_comments"
    __table_args__ = (UniqueConstraint("round_id", "code", name="uq_leader_comments_round_code"),)
    code: Mapped[str] = mapped_column(String(60))  # 点评编号
    commenter: Mapped[str] = mapped_column(String(100))  # 点评人
    commented_on: Mapped[date] = mapped_column(Date)  # 点评日期
    grade: Mapped[str | None] = mapped_column(String(4))  # 好 / 较好 / 一般 / 差
    opinion: Mapped[str] = mapped_column(Text)  # 点评意见
    problem_codes: Mapped[str | None] = mapped_column(Text)  # 问题编号, "、"-joined


class Publication(RoundOrgKeys, Base):
    """公示反馈: when and how an org's results were published (公示) and fed back (反馈)."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("round_id", "org_id", name="uq_publications_round_org"),)
    published_on: Mapped[date | None] = mapped_column(Date)  # 公示日期
    method: Mapped[str | None] = mapped_column(String(100))  # 公示方式
    feedback_on: Mapped[date | None] = mapped_column(Date)  # 反馈日期
    feedback_to: Mapped[str | None] = mapped_column(String(200))  # 反馈对象


class Approval(RoundOrgKeys, Base):
    """逐级审核 of one org's round data by the level above: 已审核 (locks the data against imports), 退回
    (with a reason, back to the unit) or 已解锁 (an admin reopened it). No row: 未上报 / 已上报 from the data."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("round_id", "org_id", name="uq_approvals_round_org"),)
    state: Mapped[str] = mapped_column(String(4))  # 已审核 / 退回 / 已解锁
    reason: Mapped[str | None] = mapped_column(Text)  # 退回 or 解锁 reason
    acted_by: Mapped[str] = mapped_column(String(80))
    acted_at: Mapped[datetime] = mapped_column(DateTime)


# ---------------------------------------------------------------------------------------- supervision
class SupervisionGroup(Base):
    __tablename__ = "supervision_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    leader: Mapped[str | None] = mapped_column(String(100))  # 督导组长
    # The campaign the group works in; None: every round (its board shows in each).
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)


class SupervisionLink(Base):
    """A row of 督导分组: a supervised unit (is_contact_point False) or a contact point of one."""

    __tablename__ = "supervision_links"
    __table_args__ = (UniqueConstraint("group_id", "org_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("supervision_groups.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    is_contact_point: Mapped[bool] = mapped_column(Boolean, default=False)


class Visit(Base):
    """A supervisor's visit to a contact point (issue: 督导联系点)."""

    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("supervision_groups.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    findings: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


# ---------------------------------------------------------------------------------------- rollups
class RollupHeadline(CountsMixin, Base):
    """Headline counts of one org itself in one round (its 总体评价 item, else all items pooled),
    with the org's system and region ancestors copied in so groupings need no joins."""

    __tablename__ = "rollup_headline"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True)
    system_id: Mapped[int] = mapped_column(Integer, index=True)
    region_l2: Mapped[str | None] = mapped_column(String(12))
    first_reported_at: Mapped[datetime | None] = mapped_column(DateTime)
    latest_reported_at: Mapped[datetime | None] = mapped_column(DateTime)  # its rows' last change
    # The latest first 上报日期 of its rows: before an as-of day, every one of its rows counts on that day
    # (data.queries.first_headlines). Null for rollups built before the column existed.
    last_row_reported_at: Mapped[datetime | None] = mapped_column(DateTime)


class RollupSubtree(CountsMixin, Base):
    """Sum of the headline counts of an org and every org below it, per round."""

    __tablename__ = "rollup_subtree"
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True)


class DataVersion(Base):
    """One row whose token changes with every rollup rebuild: process caches compare it (cheaply)
    instead of trusting a timer. A random token, so emptied and refilled tables never repeat one."""

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


# ---------------------------------------------------------------------------------------- users
class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))  # admin / leader / supervisor / unit
    display_name: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    # Bumped by a password or role change: a session signed with an older epoch is no longer accepted
    # (checked on every request by web.auth's user loader, so in every worker at once).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    scopes: Mapped[list[UserScope]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class UserScope(Base):
    """One scope grant: kind org (value = org code), system (name), group (督导组名) or all."""

    __tablename__ = "user_scopes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(200), default="")


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)  # SHA-256 hex
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


# ---------------------------------------------------------------------------------------- logs
class ImportLog(Base):
    __tablename__ = "import_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    template: Mapped[str] = mapped_column(String(200))  # the templates of its sheets, comma separated
    rows: Mapped[int] = mapped_column(Integer)  # data rows read
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))  # login / login_failed / import / export / user / visit
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str | None] = mapped_column(String(60))


class EndedSession(Base):
    """A session ended by logout: its cookie, replayed, opens nothing. Kept only while the cookie could
    still be valid (until = logout + session lifetime), then deleted."""

    __tablename__ = "ended_sessions"
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime] = mapped_column(DateTime, index=True)


class LoginFailure(Base):
    """A refused login, kept in the database so every worker process counts the same attempts."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(60), index=True)
