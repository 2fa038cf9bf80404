"""The staff/child ratio (docs/ratio.md): every official example, the rules at their edges, and
invariants over every composition of up to 17 children."""

import io
import json
from itertools import product

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.planning.ratio import (
    daycare_required,
    group_size_limit_out_of_school,
    out_of_school_professionals,
    out_of_school_required,
)
from portal.planning.ratio.rules import baby_rule, table_step

# (age 0, age 1, age 2, age 3) -> professionals, or None when the composition is not allowed.
OFFICIAL_EXAMPLES = {
    (1, 0, 0, 0): 1,
    (0, 0, 0, 1): 1,
    (3, 0, 0, 0): 1,
    (4, 0, 0, 0): 2,
    (7, 0, 0, 0): 3,
    (12, 0, 0, 0): 4,
    (13, 0, 0, 0): None,
    (0, 5, 0, 0): 1,
    (0, 6, 0, 0): 2,
    (0, 15, 0, 0): 3,
    (0, 16, 0, 0): 4,
    (0, 0, 8, 0): 1,
    (0, 0, 9, 0): 2,
    (0, 0, 16, 0): 2,
    (0, 0, 17, 0): None,
    (0, 0, 8, 8): 2,
    (0, 6, 5, 0): 2,
    (0, 6, 6, 0): 3,
    (0, 8, 9, 0): None,
    (4, 5, 5, 0): 3,
    (5, 5, 4, 0): 4,
    (3, 4, 4, 5): 3,
    (4, 4, 4, 4): 4,
    (9, 1, 0, 0): None,
    (0, 0, 0, 0): 0,
}

# Our own, worked out by hand from the table and the rules.
MORE_EXAMPLES = {
    (0, 0, 0, 8): 1,  # 3-year-olds only: 8 per professional
    (0, 0, 0, 9): 2,
    (0, 0, 0, 17): None,
    (1, 0, 0, 4): 1,  # babies and 3-year-olds use row 0-3: 5 with one professional
    (1, 0, 0, 5): 2,
    (2, 0, 0, 10): 2,  # row 0-3, 12 children: 2; baby rule ceil((96+150)/144) = 2
    (8, 8, 0, 0): 4,  # 16 with 8 babies: column 4; baby rule exactly 4 (576/144)
    (9, 7, 0, 0): None,  # more than 8 babies in a mixed group of 16
    (9, 0, 0, 1): 4,  # row 0-3, column 2 (12) has no baby limit; the baby rule asks 4
    (3, 0, 0, 0): 1,
    (6, 0, 0, 0): 2,  # baby rule exactly 2 (288/144)
    (0, 11, 0, 1): 3,  # the +1 rule: (0,11,0,0) needs 3
    (0, 1, 0, 0): 1,
}


@pytest.mark.parametrize(("counts", "expected"), list(OFFICIAL_EXAMPLES.items()) + list(MORE_EXAMPLES.items()))
def test_examples(counts, expected):
    result = daycare_required(counts)
    assert result.required_professionals == expected, result.reason
    assert result.allowed == (expected is not None)


def test_the_reason_says_why_not():
    assert "too many babies" in daycare_required((9, 1, 0, 0)).reason
    assert "group too large" in daycare_required((0, 0, 17, 0)).reason
    assert "group too large" in daycare_required((13, 0, 0, 0)).reason
    assert "+1" in daycare_required((0, 11, 0, 1)).reason


def test_the_baby_rule_in_exact_arithmetic():
    # 3 babies and 5 three-year-olds: 3/3 + (5/8)/1.2 = 1.52 -> 2, while the table says 2 as well.
    assert baby_rule((3, 0, 0, 5)) == 2
    # Exactly on a whole number: 6 babies = 2.0, not 2.0000001 -> 3.
    assert baby_rule((6, 0, 0, 0)) == 2
    assert baby_rule((3, 0, 6, 0)) == 2  # 1 + (6/6)/1.2 = 1.83
    assert baby_rule((0, 9, 9, 9)) == 0  # no babies: no baby rule


@pytest.mark.parametrize(
    ("counts", "expected"),
    [((10, 0), 1), ((11, 0), 2), ((0, 12), 1), ((0, 13), 2), ((0, 0), 0), ((10, 12), 2), ((5, 6), 1), ((5, 7), 2)],
)
def test_out_of_school_per_location(counts, expected):
    assert out_of_school_required(*counts).required_professionals == expected
    assert out_of_school_professionals(*counts) == expected


def test_out_of_school_counts_may_not_be_negative():
    with pytest.raises(ValueError):
        out_of_school_professionals(-1, 0)
    with pytest.raises(ValueError):
        out_of_school_required(0, -1)


def test_out_of_school_group_size_limit():
    assert group_size_limit_out_of_school(20, 0).allowed and not group_size_limit_out_of_school(21, 0).allowed
    assert group_size_limit_out_of_school(0, 30).allowed and not group_size_limit_out_of_school(0, 31).allowed
    assert group_size_limit_out_of_school(18, 4).allowed
    assert not group_size_limit_out_of_school(19, 3).allowed  # more than 18 aged 4-6 in a mixed group
    assert not group_size_limit_out_of_school(10, 13).allowed


ALL = [c for c in product(range(18), repeat=4) if sum(c) <= 17]

# The one-level "+1" rule still lets these compositions need fewer professionals after one
# more child of the given age: (composition, age added, before, after).
KNOWN_DECREASES = {
    ((0, 11, 0, 1), 3, 3, 2),
    ((1, 8, 0, 1), 2, 3, 2),
    ((1, 8, 0, 1), 3, 3, 2),
    ((1, 8, 1, 0), 3, 3, 2),
}


def test_one_more_child_needs_fewer_only_in_the_known_cases():
    found = set()
    for counts in ALL:
        before = daycare_required(counts)
        if not before.allowed:
            continue
        for age in range(4):
            bigger = list(counts)
            bigger[age] += 1
            after = daycare_required(tuple(bigger))
            if after.allowed and after.required_professionals < before.required_professionals:
                found.add((counts, age, before.required_professionals, after.required_professionals))
    assert found == KNOWN_DECREASES


def test_invariants_over_every_composition():
    for counts in ALL:
        result = daycare_required(counts)
        total, babies = sum(counts), counts[0]
        if total > 16 or (babies == total and total > 12):
            assert not result.allowed, counts
        if not result.allowed:
            assert result.required_professionals is None
            continue
        required = result.required_professionals
        assert required >= baby_rule(counts)
        assert required >= table_step(counts)
        assert required <= 4
        assert (required == 0) == (total == 0)
        assert required * 3 >= babies  # never more than 3 babies per professional
        assert required * 8 >= total  # never more than 8 children per professional


compositions = st.tuples(*[st.integers(0, 17)] * 4).filter(lambda c: sum(c) <= 17)
# The rules are pure and fast; on a loaded machine the generation itself may be slow, which is
# no failure of the rules.
robust = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much], deadline=None)


def ages_present(counts):
    present = [age for age, n in enumerate(counts) if n]
    return (present[0], present[-1]) if present else None


@robust
@given(compositions)
def test_removing_a_child_within_the_same_row_keeps_a_composition_allowed(counts):
    """Within one row of the table fewer children are always allowed. Across rows they need not
    be: (9, 0, 2, 1) is allowed in row 0-3 (12 children, no baby limit with two professionals),
    while (9, 0, 2, 0) falls in row 0-2, where 9 babies are too many."""
    if not daycare_required(counts).allowed:
        return
    for age in range(4):
        if counts[age]:
            fewer = list(counts)
            fewer[age] -= 1
            if ages_present(tuple(fewer)) == ages_present(counts):
                assert daycare_required(tuple(fewer)).allowed


def test_a_smaller_group_in_another_row_can_be_not_allowed():
    assert daycare_required((9, 0, 2, 1)).allowed
    assert not daycare_required((9, 0, 2, 0)).allowed


@robust
@given(compositions)
def test_the_plus_one_rule_adds_at_most_one(counts):
    result = daycare_required(counts)
    if result.allowed and counts != (0, 0, 0, 0):
        base = max(table_step(counts), baby_rule(counts))
        assert result.required_professionals in (base, base + 1)


def test_the_command_prints_one_json_object():
    out = io.StringIO()
    call_command("bkr", "--kind", "dagopvang", "--counts", "4,5,5,0", stdout=out)
    result = json.loads(out.getvalue())
    assert result == {"required_professionals": 3, "allowed": True, "reason": result["reason"]}
    out = io.StringIO()
    call_command("bkr", "--kind", "bso", "--counts", "11,0", stdout=out)
    assert json.loads(out.getvalue())["required_professionals"] == 2


def test_the_command_reads_a_batch_in_order(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("9,1,0,0\n0,0,0,0\n\n12,0,0,0\n1,2\n"))
    call_command("bkr", "--kind", "dagopvang", "--batch", "-")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["required_professionals"] for r in lines] == [None, 0, 4, None]
    assert lines[0]["allowed"] is False and "line 5" in lines[3]["reason"]


def test_the_command_refuses_bad_counts():
    with pytest.raises(CommandError, match="needs 4 counts"):
        call_command("bkr", "--counts", "1,2,3")
    with pytest.raises(CommandError, match="not whole numbers"):
        call_command("bkr", "--counts", "a,b,c,d")
