"""The generator's shared state: one random stream, the scale, and the rows built so far that later
modules refer to (regions, orgs, members). Every module draws from `rng` in a fixed order, so the same seed
gives the same rows."""
from __future__ import annotations

import random
from dataclasses import dataclass

from data.demo.spec import GIVEN, PLACE_A, PLACE_B, SURNAMES, Scale


@dataclass
class Leaf:
    id: int
    org_type: str
    system: int  # index into SYSTEM_NAMES


class DemoState:
    def __init__(self, rng: random.Random, scale: Scale):
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
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES) + given

    def place_names(self, count: int, taken: set[str] | None = None) -> list[str]:
        pool = [a + b for a in PLACE_A for b in PLACE_B if taken is None or a + b not in taken]
        names = self.rng.sample(pool, count)
        if taken is not None:
            taken.update(names)
        return names
