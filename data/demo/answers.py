"""How a leaf answers: the story part it plays in a round and the answer shares that follow from it."""
from __future__ import annotations

from data.demo.state import DemoState, Leaf


def story_plan(demo: DemoState, leaves: list[Leaf], round_no: int) -> dict[int, str]:
    """Which leaf plays which part in a round (disjoint roles; everything else is ordinary)."""
    rng = demo.rng
    order = leaves[:]
    rng.shuffle(order)
    plan: dict[int, str] = {}
    pos = 0
    for kind, (share, least) in demo.scale.story.items():
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


def leaf_probs(demo: DemoState, kind: str) -> tuple[float, float, float, float]:
    """Bucket probabilities (S, B, U, X) of a leaf's answers."""
    rng = demo.rng
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


def position_probs(scale: str, probs, shift: float, very: float) -> list[float]:
    """Probabilities of each answer position: opt1..optK, 不了解, 弃权."""
    s, b, u, x = probs
    if shift and s < 1:
        delta = min(shift, b) if shift > 0 else max(shift, -s)
        s, b = s + delta, b - delta
    head = [s, b, u] if scale == "三级" else [s * very, s * (1 - very), b, u]
    return head + [x * 0.6, x * 0.4]
