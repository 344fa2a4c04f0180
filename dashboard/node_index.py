"""A per-(round, as-of) index of every org's own and subtree totals, so that a drill-down click or the
overview is a handful of array lookups instead of a scan (issue: performance at province scale).

Built once from the rollups (rollup_headline, never raw tallies), the ledgers and the sessions: each org's
own counts, pledge and rectification states (every state from domain.metrics), then summed bottom-up
over the tree with numpy. Kept in process memory, keyed by the database, the round's rule profile, the
as-of date and the data version (data.cache), so an import (in this process or another) invalidates it.

It answers only questions whose answer is a whole subtree or a whole system/region group of the entire
campaign; callers use it when the caller's scope and filters cannot cut into those sets (see covers()),
and take the general query path otherwise.
"""
from __future__ import annotations

from dataclasses import astuple, dataclass
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from dashboard import memory
from domain import metrics
from domain.rules import Counts, RuleProfile
from data import queries as q
from data.cache import ComputedCache, data_version

# Column layout of the totals matrix.
C_COUNTS = slice(0, 7)  # opt1..opt5, unknown, abstain
PARTICIPANTS, SESSIONS = 7, 8  # 收回 of non-void sessions, and how many sessions were recorded
REPORTING = 9  # orgs with a headline row (reported anything in the round)
COUNTS_WIDTH = 10  # the columns above do not depend on the as-of date: RoundCounts keeps only them
P_TOTAL, P_DUE, P_DONE, P_OVERDUE = 10, 11, 12, 13
R_REG, R_DONE, R_ON_TIME, R_OVERDUE, R_SOON = 14, 15, 16, 17, 18
R_PROBLEMS, R_PROBLEMS_DONE = 19, 20  # 整改问题数 and those with every measure done (a problem is one org's)
LIGHT = 21  # worst light rank: 0 none, 1 绿, 2 黄, 3 红 (max, not sum); the last column
WIDTH = 22
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


def _totals(row) -> Totals:
    v = [int(x) for x in row]
    return Totals(Counts(tuple(v[0:5]), v[5], v[6]), metrics.PledgeSummary(*v[P_TOTAL:P_OVERDUE + 1]),
                  metrics.RectSummary(*v[R_REG:R_PROBLEMS_DONE + 1]), LIGHT_OF_RANK.get(v[LIGHT]), v[PARTICIPANTS],
                  v[SESSIONS], v[REPORTING])


def _narrow(values: np.ndarray) -> np.ndarray:
    """int32 when every value fits (always, below national scale), else int64 as built."""
    if values.size == 0 or (values.max() <= np.iinfo(np.int32).max and values.min() >= np.iinfo(np.int32).min):
        return values.astype(np.int32)
    return values


class _Rows:
    """A per-org matrix of subtree sums, stored compactly and read like the int64 matrix it replaces.

    The index is kept for every round (and date) a user opens, so it is most of the server's memory. Most of
    its rows are zero (a round in which few orgs reported, the ledger columns of orgs without pledges or
    rectifications) and are not stored; of the rest, rows whose values all fit in 16 bits (every org but
    the few at the top of a province) are kept as uint16, the others as int32 or wider.
    """

    def __init__(self, dense: np.ndarray):
        self.shape = dense.shape
        nonzero = dense.any(axis=1)
        small = nonzero & (dense >= 0).all(axis=1) & (dense <= np.iinfo(np.uint16).max).all(axis=1)
        large = nonzero & ~small
        small_rows, large_rows = np.nonzero(small)[0], np.nonzero(large)[0]
        # slot ≥ 0: a row of _small (its last row is the zero row of every unstored org); < 0: of _large.
        self._slot = np.full(len(dense), len(small_rows), dtype=np.int32)
        self._slot[small_rows] = np.arange(len(small_rows), dtype=np.int32)
        self._slot[large_rows] = -1 - np.arange(len(large_rows), dtype=np.int32)
        self._small = np.vstack([dense[small_rows], np.zeros((1, dense.shape[1]), dtype=dense.dtype)]) \
            .astype(np.uint16)
        self._large = _narrow(dense[large_rows])

    def __getitem__(self, key) -> np.ndarray:
        rows, cols = key if isinstance(key, tuple) else (key, slice(None))
        slot = self._slot[rows]
        out = self._small[np.maximum(slot, 0)].astype(np.int64)
        large = slot < 0
        if np.ndim(slot) == 0:
            out = self._large[-1 - slot].astype(np.int64) if large else out
        elif large.any():
            out[large] = self._large[-1 - slot[large]]
        return out[..., cols]

    @property
    def nbytes(self) -> int:
        return self._slot.nbytes + self._small.nbytes + self._large.nbytes


class _Positions:
    """Row of an org id in the tree's arrays: a binary search over the sorted ids (a dict of 100,000
    ints would cost more memory than the arrays it indexes)."""

    def __init__(self, ids: np.ndarray):
        self.ids = ids

    def many(self, org_ids) -> np.ndarray:
        org_ids = np.asarray(org_ids, dtype=np.int64)
        rows = np.searchsorted(self.ids, org_ids)
        if len(rows) and ((rows >= len(self.ids)).any() or (self.ids[np.minimum(rows, len(self.ids) - 1)]
                                                             != org_ids).any()):
            raise KeyError("org id not in the tree")
        return rows

    def __getitem__(self, org_id: int) -> int:
        return int(self.many([org_id])[0])


class Tree:
    """The org tree as arrays (the same for every round and date), ordered by org id."""

    def __init__(self, session: Session):
        parts = [np.array(part, dtype=np.int64).reshape(-1, 5) for part in q.tree_rows(session)]
        ids, parent_ids, depth, system, region_ids = (np.concatenate(parts) if parts
                                                      else np.zeros((0, 5), dtype=np.int64)).T
        # Region codes are read per region (thousands), not per org (100,000 strings would be built and
        # dropped on every build, leaving the server's heap fragmented), and spread to the orgs by position.
        regions = q.region_rows(session)
        region_id = np.array([r[0] for r in regions], dtype=np.int64)
        at = np.searchsorted(region_id, region_ids)
        used, org_region = np.unique(at, return_inverse=True)  # the regions orgs sit in
        level = np.array([r[1] or 1 for r in regions], dtype=np.int64)[at]
        codes = [np.array([r[2 + k] or "" for r in regions], dtype=str)[used] for k in range(4)]
        self.ids = ids.copy()
        self.pos = _Positions(self.ids)
        parent = np.full(len(ids), -1, dtype=np.int64)
        has_parent = parent_ids >= 0
        parent[has_parent] = self.pos.many(parent_ids[has_parent])
        # Positions fit in int32 below two thousand million orgs: half the memory of int64.
        self.parent, self.depth = parent.astype(np.int32), depth.astype(np.int32)
        self.system = system.astype(np.int32)
        # Region code at each level (l1..l4) as integer labels, so "inside region R" is one int comparison.
        self.level_labels = []
        self.level_index: list[dict[str, int]] = []
        for k in range(4):
            found, labels = np.unique(codes[k], return_inverse=True)
            self.level_labels.append(labels[org_region].astype(np.int32))
            self.level_index.append({str(c): i for i, c in enumerate(found)})
        self._masks: dict[tuple, np.ndarray] = {}
        # The grouping key of the 市/州 level: l2, or l1 for an org sitting at province level.
        self.region_codes, region = np.unique(np.where(codes[1] != "", codes[1], codes[0]), return_inverse=True)
        self.region = region[org_region].astype(np.int32)
        self.contained = self._containment(parent, self.depth, self.system, level, self.level_labels)
        order = np.argsort(self.parent, kind="stable").astype(np.int32)
        self.children = (order, self.parent[order])
        self.roots = np.nonzero(parent < 0)[0]

    def child_rows(self) -> np.ndarray:
        """Rows of every org that has a parent."""
        order, sorted_parent = self.children
        return order[np.searchsorted(sorted_parent, sorted_parent.dtype.type(0)):]

    @staticmethod
    def _containment(parent, depth, system, level, level_labels) -> np.ndarray:
        """Whether an org's whole subtree shares its system and lies inside its region: then no system or
        region filter that admits the org can cut into its subtree."""
        ok = np.ones(len(parent), dtype=bool)
        child = np.nonzero(parent >= 0)[0]
        par = parent[child]
        # A child breaks its parent's containment when it differs in system or leaves the parent's region
        # (its code at the parent's region level differs from the parent's own code there).
        broken = system[child] != system[par]
        for k in range(4):
            at_level = level[par] == k + 1
            broken[at_level] |= level_labels[k][child[at_level]] != level_labels[k][par[at_level]]
        ok[par[broken]] = False
        for d in range(int(depth.max()) if len(depth) else 0, 0, -1):
            rows = np.nonzero((depth == d) & (parent >= 0) & ~ok)[0]
            ok[parent[rows]] = False
        return ok


def _add_into(target: np.ndarray, labels: np.ndarray, values: np.ndarray) -> None:
    """target[labels[i]] += values[i] for every row i (columns alike): bincount per column, many times
    faster than np.add.at (float64 sums are exact far beyond any campaign's answer count)."""
    n = len(target)
    for c in range(values.shape[1]):
        target[:, c] += np.bincount(labels, weights=values[:, c], minlength=n).astype(target.dtype)


def _worst_into(target: np.ndarray, labels: np.ndarray, ranks: np.ndarray) -> None:
    """target[labels[i]] = max(target[labels[i]], ranks[i]) for light ranks 1..3."""
    for rank in range(1, max(LIGHT_OF_RANK) + 1):
        hit = np.bincount(labels[ranks >= rank], minlength=len(target)) > 0
        target[hit] = np.maximum(target[hit], rank)


def _own_sums(tree: Tree, sub: np.ndarray, labels: np.ndarray, mask: np.ndarray, groups: int) -> np.ndarray:
    """Own figures of the mask's orgs summed by label, from subtree sums alone (an org's own figures are its
    subtree's minus its children's subtrees): so the index need not keep the own figures beside them.
    A child in the mask with its parent's label is added (its subtree) and taken away (its parent's child) in
    the same group: only the rows on a group's edge are read (a system's 市/州 level read all of the system's
    rows: 7.7 ms for its counts and ledger at province, 3.1 ms now)."""
    child = tree.child_rows()
    parent = tree.parent[child]
    inside = mask[parent]
    cancels = inside & mask[child] & (labels[child] == labels[parent])
    added = mask.copy()
    added[child[cancels]] = False
    taken = inside & ~cancels
    sums = np.zeros((groups, sub.shape[1]), dtype=np.int64)
    _add_into(sums, labels[added], sub[added])
    _add_into(sums, labels[parent[taken]], -sub[child[taken]].astype(np.int64))
    return sums


def _deepest_first(tree: Tree):
    """The rows of each depth that have a parent, deepest first: a subtree's figure is final before its
    parent's takes it in."""
    depth, parent = tree.depth, tree.parent
    for d in range(int(depth.max()) if len(depth) else 0, 0, -1):
        yield np.nonzero((depth == d) & (parent >= 0))[0]


def _bottom_up(tree: Tree, own: np.ndarray, summed: slice, maxed: int | None = None) -> np.ndarray:
    """Subtree totals: each depth adds its rows into their parents' (columns `summed`; `maxed` by max)."""
    sub = own.copy()
    parent = tree.parent
    for rows in _deepest_first(tree):
        block = sub[:, summed]  # a view: adding into it adds into sub
        _add_into(block, parent[rows], block[rows])
        if maxed is not None:
            worst = sub[:, maxed].copy()
            _worst_into(worst, parent[rows], sub[rows, maxed])
            sub[:, maxed] = worst
    return sub


class RoundCounts:
    """Each org's own and subtree headline counts and session figures in a round: independent of the
    as-of date, so every date of the round shares them (and the red-line candidates)."""

    def __init__(self, session: Session, tree: Tree, round_id: int, profile: RuleProfile):
        own = np.zeros((len(tree.ids), COUNTS_WIDTH), dtype=np.int64)
        for part in q.headline_rows(session, round_id):
            block = np.array(part, dtype=np.int64).reshape(-1, 8)
            rows = tree.pos.many(block[:, 0])
            own[rows, C_COUNTS] = block[:, 1:8]
            own[rows, REPORTING] = 1
        for part in q.session_rows(session, round_id):
            rows = tree.pos.many([org_id for org_id, _, _ in part])
            np.add.at(own[:, SESSIONS], rows, 1)
            np.add.at(own[:, PARTICIPANTS], rows,
                      [returned if returned is not None and not metrics.session_void(issued, returned) else 0
                       for _, issued, returned in part])
        self.sub = _Rows(_bottom_up(tree, own, slice(0, COUNTS_WIDTH)))
        del own  # the own counts follow from the subtree sums when a grouping needs them (_own_sums)
        self.tree, self.profile = tree, profile
        self._total = _totals(_padded(self.sub[tree.roots].sum(axis=0)))
        self._candidates: dict[int, metrics.RedLine] | None = None
        self._own: tuple[np.ndarray, np.ndarray] | None = None
        self._grouped: dict[tuple, np.ndarray] = {}

    def total(self) -> Totals:
        return self._total

    def grouped_sums(self, key: tuple, labels: np.ndarray, mask: np.ndarray, groups: int) -> np.ndarray:
        """The counts columns of RoundIndex.grouped (own figures of the mask's orgs summed by label), kept per
        grouping: they do not depend on the as-of day, so every day's index shares them (a 市/州 level on a new
        day then sums only the ledger's columns)."""
        if key not in self._grouped:
            self._grouped[key] = _own_sums(self.tree, self.sub, labels, mask, groups)
        return self._grouped[key]

    def own_headlines(self) -> tuple[np.ndarray, np.ndarray]:
        """(whether each org reported, its own opt1..opt5, 不了解, 弃权), by row: computed on first use and kept
        (3 MB as int32 at province), since summing them for each funnel took 0.1 s there."""
        if self._own is None:
            n = len(self.tree.ids)
            own = _own_sums(self.tree, self.sub, np.arange(n), np.ones(n, dtype=bool), n)
            self._own = (own[:, REPORTING] > 0, own[:, C_COUNTS].astype(np.int32))
        return self._own

    def candidate_verdicts(self) -> dict[int, metrics.RedLine]:
        """The verdict of every reporting subtree that is a 返工/补课 candidate, by org id (computed on
        first use; only candidates are kept, they are all the red line and the overview need)."""
        if self._candidates is None:
            reporting = np.nonzero(self.sub[:, REPORTING] > 0)[0]
            reds = metrics.redlines(self.sub[reporting, C_COUNTS], self.profile)
            wanted = [metrics.VERDICTS.index(v) for v in metrics.CANDIDATE_VERDICTS]
            self._candidates = {int(self.tree.ids[reporting[i]]): reds.at(i)
                                for i in np.nonzero(np.isin(reds.verdict, wanted))[0].tolist()}
        return self._candidates


def _walk_subtrees(reach: int, reporting: int) -> bool:
    """Whether the candidates' subtrees (holding `reach` reporting orgs, counted once per candidate above
    them) are cheaper to walk than the round's `reporting` orgs are to read whole."""
    return reach <= reporting


class ItemCounts:
    """The subtree answers per 测评项目 of a round's red-line candidates (for their "lowest items")."""

    def __init__(self, session: Session, tree: Tree, counts: RoundCounts, round_id: int, keep: list[int]):
        keep = sorted(keep)
        rows_of_keep = tree.pos.many(keep)
        # Most candidates are small units: walking their subtrees reads far fewer tallies than the round
        # (4 s → 0.5 s at province scale). When their subtrees together hold more reporting orgs than the
        # round (nested large candidates), one pass over the round's answers summed bottom-up is cheaper.
        reach = int(counts.sub[rows_of_keep, REPORTING].sum()) if keep else 0
        if _walk_subtrees(reach, int(counts.sub[tree.roots, REPORTING].sum())):
            rows = np.array(q.subtree_item_rows(session, round_id, keep), dtype=np.int64).reshape(-1, 9)
            self.item_ids = np.unique(rows[:, 1]).tolist()
            self.blocks = np.zeros((len(keep), len(self.item_ids), 7), dtype=np.int64)
            self.blocks[np.searchsorted(keep, rows[:, 0]), np.searchsorted(self.item_ids, rows[:, 1])] = rows[:, 2:9]
        else:
            parts = [np.array(part, dtype=np.int64).reshape(-1, 9) for part in q.org_item_rows(session, round_id)]
            rows = np.concatenate(parts) if parts else np.zeros((0, 9), dtype=np.int64)
            self.item_ids = np.unique(rows[:, 1]).tolist()
            # Summed bottom-up for every org (a transient array), then only the candidates' rows are kept.
            sub = np.zeros((len(tree.ids), len(self.item_ids), 7), dtype=np.int64)
            sub[tree.pos.many(rows[:, 0]), np.searchsorted(self.item_ids, rows[:, 1])] = rows[:, 2:9]
            del rows, parts
            sub = _bottom_up(tree, sub.reshape(len(tree.ids), -1), slice(None)).reshape(sub.shape)
            self.blocks = sub[rows_of_keep].copy()
        self.row_of = {org_id: k for k, org_id in enumerate(keep)}

    def matrix(self, org_ids: list[int]) -> np.ndarray:
        """The candidates' subtree counts per item (rows in org_ids' order, columns in item_ids' order, the
        last axis opt1..opt5, 不了解, 弃权)."""
        return self.blocks[[self.row_of[org_id] for org_id in org_ids]]


LEDGER = slice(P_TOTAL, R_PROBLEMS_DONE + 1)


class RoundIndex:
    """RoundCounts plus the pledge and rectification states as of one date: only the ledger columns are
    kept here (the counts are RoundCounts', shared by every date), and only as subtree sums."""

    def __init__(self, session: Session, tree: Tree, counts: RoundCounts, round_id: int,
                 profile: RuleProfile, as_of: date):
        self.tree, self.profile, self.counts = tree, profile, counts
        self.ids, self.pos, self.parent, self.system = tree.ids, tree.pos, tree.parent, tree.system
        ledger = np.zeros((len(tree.ids), WIDTH), dtype=np.int64)  # the date's columns, after the counts'
        pledges = q.round_pledges(session, round_id)
        if pledges:
            states = [metrics.pledge_state(due, status, fulfilled, as_of) for _, due, status, fulfilled in pledges]
            np.add.at(ledger[:, P_TOTAL:P_OVERDUE + 1], self.pos.many([p[0] for p in pledges]),
                      [(1, st.due, st.due and st.fulfilled, st.overdue) for st in states])
        rects = [(r[0], r[-1], metrics.rect_state(*r[1:-1], as_of, profile))
                 for r in q.round_rects(session, round_id)]
        rects = [(org_id, code, st) for org_id, code, st in rects if st.registered]
        if rects:
            rows = self.pos.many([org_id for org_id, _, _ in rects])
            np.add.at(ledger[:, R_REG:R_SOON + 1], rows,
                      [(1, st.done, st.on_time, st.overdue, st.due_soon) for _, _, st in rects])
            np.maximum.at(ledger[:, LIGHT], rows, [LIGHT_RANK.get(st.light, 0) for _, _, st in rects])
            problem_done: dict[tuple, bool] = {}
            for org_id, code, st in rects:
                problem_done[(org_id, code)] = problem_done.get((org_id, code), True) and st.done
            np.add.at(ledger[:, R_PROBLEMS:R_PROBLEMS_DONE + 1], self.pos.many([o for o, _ in problem_done]),
                      [(1, done) for done in problem_done.values()])
        sub = _bottom_up(tree, ledger, LEDGER, LIGHT)
        self.ledger = _Rows(sub[:, COUNTS_WIDTH:])  # columns P_TOTAL..LIGHT
        self.own_light = ledger[:, LIGHT].astype(np.int8)  # a max: cannot be told back from the subtrees
        del ledger, sub
        total = _padded(counts.sub[tree.roots].sum(axis=0))
        total[COUNTS_WIDTH:LIGHT] = self.ledger[tree.roots, :-1].sum(axis=0)
        total[LIGHT] = self.ledger[tree.roots, -1].max() if len(tree.roots) else 0
        self._total = _totals(total)
        self._groups: dict[tuple, dict] = {}

    def _row(self, p: int) -> np.ndarray:
        return np.concatenate([self.counts.sub[p], self.ledger[p]])

    def candidate_verdicts(self) -> dict[int, metrics.RedLine]:
        return self.counts.candidate_verdicts()

    def subtree_counts(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ids, subtree opt1..opt5, 不了解, 弃权) of the mask's orgs, in one gather."""
        rows = np.nonzero(mask)[0]
        return self.ids[rows], self.counts.sub[rows, C_COUNTS]

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
        return _totals(self._row(self.pos[org_id]))

    def subtrees(self, org_ids) -> dict[int, Totals]:
        """subtree() of many orgs, read in one gather."""
        org_ids = list(org_ids)
        rows = self.pos.many(org_ids)
        block = np.concatenate([self.counts.sub[rows], self.ledger[rows]], axis=1)
        return {org_id: _totals(row) for org_id, row in zip(org_ids, block.tolist())}

    def candidate_facts(self, org_ids: list[int]) -> tuple[list[Counts], list[int], list[int]]:
        """(subtree Counts, overdue rectifications, overdue pledges) of each org: what 红线 reads of a
        candidate's subtree, without a whole Totals each (subtrees() of a province's 1,100 took 9 ms)."""
        rows = self.pos.many(org_ids)
        counts = [Counts(tuple(r[0:5]), r[5], r[6]) for r in self.counts.sub[rows, C_COUNTS].tolist()]
        overdue = self.ledger[rows, [R_OVERDUE - COUNTS_WIDTH, P_OVERDUE - COUNTS_WIDTH]]
        return counts, overdue[:, 0].tolist(), overdue[:, 1].tolist()

    def in_filter(self, system_id: int | None, region_level: int | None, region_code: str | None) -> np.ndarray:
        """Mask of the orgs inside a system and region subtree filter (the whole campaign when both None)."""
        tree, key = self.tree, (system_id, region_level, region_code)
        mask = tree._masks.get(key)
        if mask is None:
            mask = np.ones(len(self.ids), dtype=bool)
            if system_id is not None:
                mask &= self.system == system_id
            if region_level is not None:
                label = tree.level_index[region_level - 1].get(region_code, -1)
                mask &= tree.level_labels[region_level - 1] == label
            if len(tree._masks) >= 8:  # each is a bool per org (100 KB at province scale): cheap to redo
                tree._masks.clear()
            tree._masks[key] = mask
        return mask

    def top_ids(self, mask: np.ndarray) -> list[int]:
        """Orgs of the mask whose parent is outside it (or who have none)."""
        has_parent = self.parent >= 0
        outside = ~has_parent
        outside[has_parent] = ~mask[self.parent[has_parent]]
        return self.ids[mask & outside].tolist()

    def child_ids(self, org_id: int, mask: np.ndarray) -> list[int]:
        order, sorted_parent = self.tree.children
        p = sorted_parent.dtype.type(self.pos[org_id])  # of the array's type, or numpy converts the array
        lo, hi = np.searchsorted(sorted_parent, p), np.searchsorted(sorted_parent, p, side="right")
        kids = order[lo:hi]
        return self.ids[kids[mask[kids]]].tolist()

    def contained(self, org_ids) -> bool:
        """Whether every one of the orgs has its whole subtree inside its system and region."""
        return bool(self.tree.contained[self.pos.many(list(org_ids))].all())

    def own_counts(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ids, own answer counts opt1..opt5, 不了解, 弃权) of the mask's orgs that reported in the round,
        from the subtree sums (the funnel plots each org's own answers)."""
        reported, own = self.counts.own_headlines()
        rows = np.nonzero(mask & reported)[0]
        return self.ids[rows].astype(np.int64), own[rows].astype(np.int64)

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
            sums[:, :COUNTS_WIDTH] = self.counts.grouped_sums(cache_key, labels, mask, len(codes))
            # The ledger rows read as they are (the light's column summed too, then dropped): slicing its columns
            # first read all 100,000 rows into a new matrix, most of a grouping's time.
            sums[:, COUNTS_WIDTH:LIGHT] = _own_sums(self.tree, self.ledger, labels, mask, len(codes))[:, :-1]
            _worst_into(sums[:, LIGHT], labels[mask], self.own_light[mask])
            self._groups[cache_key] = {(int(c) if key == "system" else str(c)): _totals(sums[g])
                                       for g, c in enumerate(codes) if sums[g, REPORTING] > 0}
        return self._groups[cache_key]

    def total(self) -> Totals:
        return self._total



def _padded(counts: np.ndarray) -> np.ndarray:
    """A WIDTH row (int64) starting with the given counts columns, the ledger columns zero."""
    row = np.zeros(WIDTH, dtype=np.int64)
    row[:len(counts)] = counts
    return row


# The built objects (the tree, each round's counts, each (round, as-of) index) are most of the server's memory:
# a dozen are kept. Each is built once per data version even when many first clicks ask at the same time.
_built = ComputedCache(12)
# Answers computed from them (breakdown tables of users who see everything) are small: many are kept.
_results = ComputedCache(512)


def _memo(session: Session, key: tuple, build):
    """build() once per key and data version, handing its transient arrays back to the system after it."""
    def built():
        value = build()
        memory.trim()
        return value
    return _built.get((*data_version(session), *key), built)


def get(session: Session, rnd, as_of: date) -> RoundIndex:
    """The index of a round as of a date for the session's database. The tree and the round's counts are
    shared by every date, so another as-of date only re-reads the ledgers."""
    profile = RuleProfile.from_record(rnd)
    tree = _memo(session, ("tree",), lambda: Tree(session))
    counts = round_counts(session, rnd)
    return _memo(session, ("index", rnd.id, astuple(profile), as_of),
                 lambda: RoundIndex(session, tree, counts, rnd.id, profile, as_of))


def node_mask(session: Session, node: q.Node, as_of: date):
    """(index, mask of the node's orgs) when the index can answer for the node, i.e. no org of it has a
    subtree reaching outside it (then each org's narrowed subtree is its whole subtree); None otherwise."""
    index = get(session, node.round, as_of)
    mask = index.in_filter(node.system.id if node.system else None, node.region.level if node.region else None,
                           node.region.code if node.region else None)
    if node.org is not None:
        mask = mask & index.subtree_mask(node.org.id)
    if (node.system is not None or node.region is not None or node.org is not None) and not index.covers(mask):
        return None
    return index, mask


def subtree_latest(session: Session, rnd, as_of: date, org_ids: list[int]) -> dict[int, date | None]:
    """Each org's day of the latest report of its subtree made on or before `as_of` (None when none):
    督导联系点's 最近数据日期, kept per round and day like the index (a max, so not one of its summed columns)."""
    tree = _memo(session, ("tree",), lambda: Tree(session))
    days = _memo(session, ("latest", rnd.id, as_of), lambda: _latest_days(session, tree, rnd.id, as_of))
    found = days[tree.pos.many(org_ids)].tolist()
    return {o: date.fromordinal(day) if day else None for o, day in zip(org_ids, found)}


def _latest_days(session: Session, tree: Tree, round_id: int, as_of: date) -> np.ndarray:
    days = np.zeros(len(tree.ids), dtype=np.int32)
    for part in q.report_days(session, round_id, metrics.day_end(as_of)):
        block = np.array(part, dtype=np.int64).reshape(-1, 2)
        days[tree.pos.many(block[:, 0])] = block[:, 1]
    for rows in _deepest_first(tree):
        np.maximum.at(days, tree.parent[rows], days[rows])
    return days


def item_counts(session: Session, rnd) -> ItemCounts:
    tree = _memo(session, ("tree",), lambda: Tree(session))
    counts = round_counts(session, rnd)
    return _memo(session, ("items", rnd.id, astuple(counts.profile)),
                 lambda: ItemCounts(session, tree, counts, rnd.id, list(counts.candidate_verdicts())))


def round_counts(session: Session, rnd) -> RoundCounts:
    """The as-of-independent part of a round's index (enough for totals, verdicts and the trend)."""
    profile = RuleProfile.from_record(rnd)
    tree = _memo(session, ("tree",), lambda: Tree(session))
    return _memo(session, ("round", rnd.id, astuple(profile)), lambda: RoundCounts(session, tree, rnd.id, profile))


def cached_result(session: Session, key: tuple, compute):
    """compute() once per data version for a question of a user who sees everything (the answer is the
    same for every such user): the drill-down's breakdown tables summed the round's tallies on every
    click, 1.3 s at the top of a province."""
    return _results.get((*data_version(session), *key), compute)
