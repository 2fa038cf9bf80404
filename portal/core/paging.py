"""Pages of a long list whose count stops at a limit.

Counting every row of a large organisation's list (50,000 children) costs more than showing a
page of it, and nobody pages through two thousand pages: past the limit the page says "more
than 1,000" and asks for a search or a filter instead. The count reads at most `limit + 1` ids,
so a page costs the same in an organisation of 500 children and one of 50,000."""

from __future__ import annotations

import math
from functools import cached_property
from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

COUNT_LIMIT = 1000


class CappedPaginator(Paginator):
    """A Paginator over a queryset whose `count` stops at `limit + 1`. When there are more
    rows than `limit`, `count_is_exact` is False and the pages end at the limit."""

    def __init__(self, object_list, per_page, limit: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = COUNT_LIMIT if limit is None else limit

    @cached_property
    def count(self) -> int:
        rows = cast(QuerySet, self.object_list)
        return rows.order_by().values("pk")[: self.limit + 1].count()

    @property
    def count_is_exact(self) -> bool:
        return self.count <= self.limit

    @cached_property
    def num_pages(self) -> int:
        if self.count_is_exact:
            return super().num_pages
        return max(1, math.ceil(self.limit / self.per_page))

    def page(self, number):
        if self.count_is_exact:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : min(bottom + self.per_page, self.limit)], number, self)


def read_page(page: Page, rows: QuerySet) -> Page:
    """Fill a page of ids (from a paginator over `values_list("pk", flat=True)`) with the rows
    of `rows` for those ids, in the page's order. The page is chosen and counted without the
    joins only its own rows need (a person's name and address: a join with every login of the
    installation), and those joins are made for its 25 rows."""
    ids = list(page.object_list)
    found = {row.pk: row for row in rows.filter(pk__in=ids)}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def up_to(rows, limit: int) -> tuple[list, bool]:
    """The first `limit` of `rows` (a queryset), and whether there are more: one query, no count."""
    first = list(rows[: limit + 1])
    return first[:limit], len(first) > limit
