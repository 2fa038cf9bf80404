"""The staff/child ratio (beroepskracht-kindratio, BKR) as pure functions: no database, no clock.

The rules and the table: docs/ratio.md; `daycare_required` and `out_of_school_required` are the entry points.
"""

from portal.planning.ratio.rules import (
    RatioResult,
    daycare_required,
    group_size_limit_out_of_school,
    out_of_school_professionals,
    out_of_school_required,
)

__all__ = [
    "RatioResult",
    "daycare_required",
    "out_of_school_required",
    "out_of_school_professionals",
    "group_size_limit_out_of_school",
]
