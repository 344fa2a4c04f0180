"""A per-(round, as-of) index of every org's own and subtree totals, so that a drill-down click or the
overview is a handful of array lookups instead of a scan (issue: performance at province scale).

Built once from the rollups (rollup_headline, never raw tallies), the ledgers and the sessions: each org's
own counts, pledge and rectification states (every state from dashboard.metrics), then summed bottom-up
over the tree with numpy. Kept in process memory, keyed by the database, the round's rule profile, the
as-of date and data.queries.data_fingerprint, so an import (in this process or another) invalidates it.

It answers only questions whose answer is a whole subtree or a whole system/region group of the entire
campaign; callers use it when the caller's scope and filters cannot cut into those sets (see covers()),
and take the general query path otherwise.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import astuple, dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from dashboard import metrics
from dashboard.rules import Counts, RuleProfile, bucketize
from data import queries as q

# Column layout of the totals matrix.
C_COUNTS = slice(0, 7)  # opt1..opt5, unknown, abstain
P_TOTAL, P_DUE, P_DONE, P_OVERDUE = 7, 8, 9, 10
R_REG, R_DONE, R_ON_TIME, R_OVERDUE, R_SOON = 11, 12, 13, 14, 15
PARTICIPANTS, SESSIONS = 16, 17  # 收回 of non-void sessions, and how many sessions were recorded
REPORTING = 18  # orgs with a headline row (reported anything in the round)
LIGHT = 19  # worst light rank: 0 none, 1 绿, 2 黄, 3 红 (max, not sum); the last column
WIDTH = 20
LIGHT_RANK = {metrics.GREEN: 1, metrics.YELLOW: 2, metrics.RED: 3}
LIGHT_OF_RANK = {1: metrics.GREEN, 2: metrics.YELLOW, 3: metrics.RED}


@dataclass(frozen=True)
class Totals:
    counts: Counts
    pledges: metrics.PledgeSummary
    rects: metrics.RectSummary
    light: str | None
    participants: int
    sessions: int
    reporting: int


def _totals(row: np.ndarray) -> Totals:
    v = [int(x) for x in row]
    return Totals(Counts(tuple(v[0:5]), v[5], v[6]), metrics.PledgeSummary(*v[P_TOTAL:P_OVERDUE + 1]),
                  metrics.RectSummary(*v[R_REG:R_SOON + 1]), LIGHT_OF_RANK.get(v[LIGHT]), v[PARTICIPANTS],
                  v[SESSIONS], v[REPORTING])


class Tree:
    """The org tree as arrays (the same for every round and date)."""

    def __init__(self, session: Session):
        tree = q.tree_rows(session)
        self.ids = np.array([t[0] for t in tree], dtype=np.int64)
        self.pos = {org_id: i for i, org_id in enumerate(self.ids.tolist())}
        self.parent = np.array([self.pos.get(t[1], -1) if t[1] is not None else -1 for t in tree],
                               dtype=np.int64)
        self.depth = np.array([t[2] or 0 for t in tree], dtype=np.int64)
        self.system = np.array([t[3] for t in tree], dtype=np.int64)
        # Region code at each level (l1..l4) as integer labels, so "inside region R" is one int comparison.
        self.level_labels = []
        self.level_index: list[dict[str, int]] = []
        for k in range(4):
            codes, labels = np.unique(np.array([t[5 + k] or "" for t in tree], dtype=str), return_inverse=True)
            self.level_labels.append(labels)
            self.level_index.append({str(c): i for i, c in enumerate(codes)})
        self._masks: dict[tuple, np.ndarray] = {}
        # The grouping key of the 市/州 level: l2, or l1 for an org sitting at province level.
        region_key = [t[6] or t[5] for t in tree]
        self.region_codes, self.region = np.unique(np.array(region_key, dtype=str), return_inverse=True)
        self.contained = self._containment(tree, self.parent, self.depth)
        order = np.argsort(self.parent, kind="stable")
        self.children = (order, self.parent[order])

    @staticmethod
    def _containment(tree, parent, depth) -> np.ndarray:
        """Whether an org's whole subtree shares its system and lies inside its region: then no system or
        region filter that admits the org can cut into its subtree."""
        n = len(tree)
        level_code = [t[5 + (t[4] or 1) - 1] for t in tree]  # the org's own region code at its level
        ok = np.ones(n, dtype=bool)
        # A child breaks its parent's containment when it differs in system or leaves the parent's region.
        for i, t in enumerate(tree):
            p = parent[i]
            if p < 0:
                continue
            p_level = tree[p][4] or 1
            if t[3] != tree[p][3] or t[5 + p_level - 1] != level_code[p]:
                ok[p] = False
        for d in range(int(depth.max()) if n else 0, 0, -1):
            rows = np.nonzero((depth == d) & (parent >= 0) & ~ok)[0]
            ok[parent[rows]] = False
        return ok



def _bottom_up(tree: Tree, own: np.ndarray, summed: slice, maxed: int | None = None) -> np.ndarray:
    """Subtree totals: each depth adds its rows into their parents' (columns `summed`; `maxed` by max)."""
    sub = own.copy()
    depth, parent = tree.depth, tree.parent
    for d in range(int(depth.max()) if len(depth) else 0, 0, -1):
        rows = np.nonzero((depth == d) & (parent >= 0))[0]
        np.add.at(sub[:, summed], parent[rows], sub[rows, summed])
        if maxed is not None:
            np.maximum.at(sub[:, maxed], parent[rows], sub[rows, maxed])
    return sub


class RoundCounts:
    """Each org's own and subtree headline counts and session figures in a round: independent of the
    as-of date, so every date of the round shares them (and the subtree verdicts)."""

    def __init__(self, session: Session, tree: Tree, round_id: int, profile: RuleProfile):
        own = np.zeros((len(tree.ids), WIDTH), dtype=np.int64)
        for org_id, *counts in q.headline_rows(session, round_id):
            own[tree.pos[org_id], C_COUNTS] = counts
            own[tree.pos[org_id], REPORTING] = 1
        for org_id, issued, returned in q.session_rows(session, round_id):
            i = tree.pos[org_id]
            own[i, SESSIONS] += 1
            if returned is not None and not metrics.session_void(issued, returned):
                own[i, PARTICIPANTS] += returned
        self.own, self.sub = own, _bottom_up(tree, own, slice(0, LIGHT))
        self.tree, self.profile = tree, profile
        self._verdicts: dict[int, metrics.RedLine] | None = None

    def total(self) -> Totals:
        return _total(self.own)

    def subtree_verdicts(self) -> dict[int, metrics.RedLine]:
        """Every reporting subtree's verdict, by org id (computed on first use)."""
        if self._verdicts is None:
            verdicts = {}
            for i in np.nonzero(self.sub[:, REPORTING] > 0)[0].tolist():
                row = self.sub[i]
                counts = Counts(tuple(int(x) for x in row[0:5]), int(row[5]), int(row[6]))
                verdicts[int(self.tree.ids[i])] = metrics.redline(bucketize(counts, self.profile), self.profile)
            self._verdicts = verdicts
        return self._verdicts


class ItemCounts:
    """Each org's subtree answers per 测评项目 in a round (for the red line's "lowest items")."""

    def __init__(self, session: Session, tree: Tree, round_id: int):
        rows = q.org_item_rows(session, round_id)
        self.item_ids = sorted({r[1] for r in rows})
        column = {item_id: k for k, item_id in enumerate(self.item_ids)}
        own = np.zeros((len(tree.ids), len(self.item_ids), 7), dtype=np.int64)
        for org_id, item_id, *counts in rows:
            own[tree.pos[org_id], column[item_id]] = counts
        sub = own
        depth, parent = tree.depth, tree.parent
        for d in range(int(depth.max()) if len(depth) else 0, 0, -1):
            idx = np.nonzero((depth == d) & (parent >= 0))[0]
            np.add.at(sub, parent[idx], sub[idx])
        self.sub, self.pos = sub, tree.pos

    def of(self, org_id: int) -> dict[int, Counts]:
        """item id -> the org's subtree Counts (items without answers left out)."""
        block = self.sub[self.pos[org_id]]
        return {item_id: Counts(tuple(int(x) for x in block[k, 0:5]), int(block[k, 5]), int(block[k, 6]))
                for k, item_id in enumerate(self.item_ids) if block[k].any()}


LEDGER = slice(P_TOTAL, R_SOON + 1)


class RoundIndex:
    """RoundCounts plus the pledge and rectification states as of one date."""

    def __init__(self, session: Session, tree: Tree, counts: RoundCounts, round_id: int,
                 profile: RuleProfile, as_of: date):
        self.tree, self.profile, self.counts = tree, profile, counts
        self.ids, self.pos, self.parent, self.system = tree.ids, tree.pos, tree.parent, tree.system
        ledger = np.zeros((len(tree.ids), WIDTH), dtype=np.int64)
        for org_id, due, status, fulfilled in q.round_pledges(session, round_id):
            st = metrics.pledge_state(due, status, fulfilled, as_of)
            ledger[self.pos[org_id], P_TOTAL:P_OVERDUE + 1] += (1, st.due, st.due and st.fulfilled, st.overdue)
        for org_id, status, reg, deadline, done, closed in q.round_rects(session, round_id):
            st = metrics.rect_state(status, reg, deadline, done, closed, as_of, profile)
            if not st.registered:
                continue
            i = self.pos[org_id]
            ledger[i, R_REG:R_SOON + 1] += (1, st.done, st.on_time, st.overdue, st.due_soon)
            ledger[i, LIGHT] = max(ledger[i, LIGHT], LIGHT_RANK.get(st.light, 0))
        sub = _bottom_up(tree, ledger, LEDGER, LIGHT)
        self.own, self.sub = counts.own + ledger, counts.sub + sub
        self._groups: dict[tuple, dict] = {}

    def subtree_verdicts(self) -> dict[int, metrics.RedLine]:
        return self.counts.subtree_verdicts()

    def subtree_mask(self, org_id: int) -> np.ndarray:
        """Mask of an org and every org below it."""
        inside = np.zeros(len(self.ids), dtype=bool)
        inside[self.pos[org_id]] = True
        depth, parent = self.tree.depth, self.parent
        for d in range(int(depth[self.pos[org_id]]) + 1, int(depth.max()) + 1 if len(depth) else 0):
            rows = np.nonzero(depth == d)[0]
            inside[rows] = inside[parent[rows]]
        return inside

    def covers(self, mask: np.ndarray) -> bool:
        """Whether every org of the mask has its whole subtree inside the mask's filter."""
        return bool(self.tree.contained[mask].all())

    # ---------------------------------------------------------------------------------- answers
    def subtree(self, org_id: int) -> Totals:
        return _totals(self.sub[self.pos[org_id]])

    def in_filter(self, system_id: int | None, region_level: int | None, region_code: str | None) -> np.ndarray:
        """Mask of the orgs inside a system and region subtree filter (the whole campaign when both None)."""
        tree, key = self.tree, (system_id, region_level, region_code)
        if key not in tree._masks:
            mask = np.ones(len(self.ids), dtype=bool)
            if system_id is not None:
                mask &= self.system == system_id
            if region_level is not None:
                label = tree.level_index[region_level - 1].get(region_code, -1)
                mask &= tree.level_labels[region_level - 1] == label
            if len(tree._masks) > 256:
                tree._masks.clear()
            tree._masks[key] = mask
        return tree._masks[key]

    def top_ids(self, mask: np.ndarray) -> list[int]:
        """Orgs of the mask whose parent is outside it (or who have none)."""
        has_parent = self.parent >= 0
        outside = ~has_parent
        outside[has_parent] = ~mask[self.parent[has_parent]]
        return self.ids[mask & outside].tolist()

    def child_ids(self, org_id: int, mask: np.ndarray) -> list[int]:
        order, sorted_parent = self.tree.children
        p = self.pos[org_id]
        lo, hi = np.searchsorted(sorted_parent, p), np.searchsorted(sorted_parent, p, side="right")
        kids = order[lo:hi]
        return self.ids[kids[mask[kids]]].tolist()

    def contained(self, org_id: int) -> bool:
        return bool(self.tree.contained[self.pos[org_id]])

    def grouped(self, key: str, system_id: int | None = None) -> dict:
        """Own totals of every org summed by system ("system") or by 市/州 ("region", within one system
        when system_id is given); groups where no org reported are left out, as in the query path."""
        cache_key = (key, system_id)
        if cache_key not in self._groups:
            if key == "system":
                codes, labels = np.unique(self.system, return_inverse=True)
                mask = np.ones(len(self.ids), dtype=bool)
            else:
                codes, labels = self.tree.region_codes, self.tree.region
                mask = self.system == system_id if system_id is not None else np.ones(len(self.ids), dtype=bool)
            sums = np.zeros((len(codes), WIDTH), dtype=np.int64)
            np.add.at(sums[:, :LIGHT], labels[mask], self.own[mask, :LIGHT])
            np.maximum.at(sums[:, LIGHT], labels[mask], self.own[mask, LIGHT])
            self._groups[cache_key] = {(int(c) if key == "system" else str(c)): _totals(sums[g])
                                       for g, c in enumerate(codes) if sums[g, REPORTING] > 0}
        return self._groups[cache_key]

    def total(self) -> Totals:
        return _total(self.own)



def _total(own: np.ndarray) -> Totals:
    total = own.sum(axis=0)
    total[LIGHT] = own[:, LIGHT].max() if len(own) else 0
    return _totals(total)


_cache: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()
_MAX = 12


def _memo(key: tuple, build):
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = build()  # outside the lock: a slow build must not stall other requests' hits
    with _lock:
        _cache[key] = value
        while len(_cache) > _MAX:
            _cache.popitem(last=False)
    return value


def get(session: Session, rnd, as_of: date) -> RoundIndex:
    """The index of a round as of a date for the session's database. The tree and the round's counts are
    shared by every date, so another as-of date only re-reads the ledgers."""
    profile = RuleProfile.from_record(rnd)
    base = _base(session)
    tree = _memo(("tree", *base), lambda: Tree(session))
    counts = round_counts(session, rnd, base)
    return _memo(("index", *base, rnd.id, astuple(profile), as_of),
                 lambda: RoundIndex(session, tree, counts, rnd.id, profile, as_of))


def _base(session: Session) -> tuple:
    bind = session.get_bind()
    return str(bind.url), id(bind), q.data_fingerprint(session)


def item_counts(session: Session, rnd) -> ItemCounts:
    base = _base(session)
    tree = _memo(("tree", *base), lambda: Tree(session))
    return _memo(("items", *base, rnd.id), lambda: ItemCounts(session, tree, rnd.id))


def round_counts(session: Session, rnd, base: tuple | None = None) -> RoundCounts:
    """The as-of-independent part of a round's index (enough for totals, verdicts and the trend)."""
    profile = RuleProfile.from_record(rnd)
    base = base or _base(session)
    tree = _memo(("tree", *base), lambda: Tree(session))
    return _memo(("round", *base, rnd.id, astuple(profile)), lambda: RoundCounts(session, tree, rnd.id, profile))
