"""The Dutch staff/child ratio (Besluit kwaliteit kinderopvang, Bijlage 1, since 2019).

Daycare (dagopvang, 0-4): the table of professionals per composition, the baby rule, and the
rule that one child more may never need fewer professionals (applied one level deep, as the
official calculator does). Out-of-school care (BSO): per location, ceil(A/10 + B/12).

All arithmetic is in integers: several real groups land exactly on a whole number.
"""

from __future__ import annotations

from dataclasses import dataclass

# Ages in completed years: 0 (babies), 1, 2, 3 (children of 4 or more in daycare count as 3).
Counts = tuple[int, int, int, int]

# One table cell: (maximum children, maximum babies or None), tried in order.
Cell = tuple[tuple[int, int | None], ...]

# (youngest age, oldest age) -> cells for 1, 2, 3, 4 professionals; () where the column is empty.
TABLE: dict[tuple[int, int], tuple[Cell, Cell, Cell, Cell]] = {
    (0, 0): (((3, None),), ((6, None),), ((9, None),), ((12, None),)),
    (1, 1): (((5, None),), ((10, None),), ((15, None),), ((16, None),)),
    (2, 2): (((8, None),), ((16, None),), (), ()),
    (3, 3): (((8, None),), ((16, None),), (), ()),
    (0, 1): (((4, None),), ((8, None),), ((14, 8),), ((16, 8),)),
    (0, 2): (((5, None),), ((10, None),), ((13, 8), (14, 4), (15, 3)), ((16, 8),)),
    (0, 3): (((5, None),), ((12, None),), ((14, 8), (15, 5), (16, 3)), ((16, 8),)),
    (1, 2): (((6, None),), ((11, None),), ((16, None),), ()),
    (1, 3): (((7, None),), ((13, None),), ((16, None),), ()),
    (2, 3): (((8, None),), ((16, None),), (), ()),
}

AGE_LABELS = ("0", "1", "2", "3")


@dataclass(frozen=True)
class RatioResult:
    required_professionals: int | None
    allowed: bool
    reason: str

    def as_dict(self) -> dict:
        return {"required_professionals": self.required_professionals, "allowed": self.allowed, "reason": self.reason}


def _check(counts: Counts) -> Counts:
    if len(counts) != 4 or any(not isinstance(n, int) or n < 0 for n in counts):
        raise ValueError("daycare counts are four whole numbers >= 0: (age 0, age 1, age 2, age 3+)")
    return tuple(counts)  # type: ignore[return-value]


def _row(counts: Counts) -> tuple[int, int]:
    present = [age for age, n in enumerate(counts) if n > 0]
    return present[0], present[-1]


def table_step(counts: Counts) -> int | None:
    """Step 1: the first column (and cell entry) whose maxima hold the group; None: not allowed."""
    total = sum(counts)
    if total == 0:
        return 0
    babies = counts[0]
    for professionals, cell in enumerate(TABLE[_row(counts)], start=1):
        for maximum, baby_maximum in cell:
            if total <= maximum and (baby_maximum is None or babies <= baby_maximum):
                return professionals
    return None


def baby_rule(counts: Counts) -> int:
    """Step 2: Z = n0/3 + (n1/5 + n2/6 + n3/8) / 1.2, rounded up (0 without babies)."""
    n0, n1, n2, n3 = counts
    if n0 == 0:
        return 0
    numerator = 48 * n0 + 24 * n1 + 20 * n2 + 15 * n3
    return -(-numerator // 144)


def steps_one_and_two(counts: Counts) -> int | None:
    table = table_step(counts)
    if table is None:
        return None
    return max(table, baby_rule(counts))


def daycare_required(counts: Counts) -> RatioResult:
    """Professionals needed for children present in one daycare group at one moment."""
    counts = _check(counts)
    total = sum(counts)
    if total == 0:
        return RatioResult(0, True, "no children present")
    youngest, oldest = _row(counts)
    ages = AGE_LABELS[youngest] if youngest == oldest else f"{youngest}-{oldest}"
    table = table_step(counts)
    if table is None:
        cells = [entry for cell in TABLE[(youngest, oldest)] for entry in cell]
        largest = max(maximum for maximum, _babies in cells)
        if total > largest:
            return RatioResult(None, False, f"group too large: {total} children, at most {largest} for ages {ages}")
        baby_cap = max(b for m, b in cells if m >= total and b is not None)
        return RatioResult(
            None, False, f"too many babies: {counts[0]}, at most {baby_cap} in a group of {total} (ages {ages})"
        )
    current = max(table, baby_rule(counts))
    reason = f"table (ages {ages}, {total} children): {table}"
    if counts[0]:
        reason += f"; baby rule: {baby_rule(counts)}"
    # Step 3, one level deep: one child fewer of any age present may not need more.
    for age in range(4):
        if counts[age] == 0:
            continue
        fewer = list(counts)
        fewer[age] -= 1
        smaller = steps_one_and_two(tuple(fewer))  # type: ignore[arg-type]
        if smaller is not None and smaller > current:
            return RatioResult(current + 1, True, reason + f"; one child of age {age} fewer needs {smaller}, so +1")
    return RatioResult(current, True, reason)


def out_of_school_professionals(aged_4_to_6: int, aged_7_up: int) -> int:
    """BSO since 1 July 2024: over all children present at the location, ceil(A/10 + B/12).
    Always a number (the location has no table to overflow), so callers need no None check."""
    if aged_4_to_6 < 0 or aged_7_up < 0:
        raise ValueError("BSO counts are two whole numbers >= 0")
    return -(-(6 * aged_4_to_6 + 5 * aged_7_up) // 60)


def out_of_school_required(aged_4_to_6: int, aged_7_up: int) -> RatioResult:
    """`out_of_school_professionals` as a result with its reason."""
    required = out_of_school_professionals(aged_4_to_6, aged_7_up)
    return RatioResult(required, True, f"ceil({aged_4_to_6}/10 + {aged_7_up}/12) at the location")


def group_size_limit_out_of_school(aged_4_to_6: int, aged_7_up: int) -> RatioResult:
    """The per-group table that still limits a BSO group's size: 4-6 only at most 20, 7+ only
    at most 30, mixed at most 22 with at most 18 children aged 4-6."""
    total = aged_4_to_6 + aged_7_up
    if aged_7_up == 0:
        limit, young_limit = 20, 20
    elif aged_4_to_6 == 0:
        limit, young_limit = 30, 0
    else:
        limit, young_limit = 22, 18
    if total > limit:
        return RatioResult(None, False, f"group too large: {total} children, at most {limit}")
    if aged_7_up and aged_4_to_6 > young_limit:
        return RatioResult(None, False, f"too many children aged 4-6: {aged_4_to_6}, at most {young_limit}")
    return RatioResult(None, True, f"{total} children, at most {limit}")
