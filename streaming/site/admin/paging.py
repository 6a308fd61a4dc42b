"""A changelist paginator that never counts a whole table.

Django's changelist asks its paginator for `count` on every page; on a table of a million
events that is a full `COUNT(*)` (`show_full_result_count = False` only drops the second,
unfiltered count). `CappedCountPaginator` counts at most `cap + 1` rows of the filtered queryset
(``SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)``), so the cost is bounded by the cap, not the
table; past the cap the admin shows "10,000+" and pages up to the cap.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

DEFAULT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """A Paginator whose `count` stops at `cap + 1` (then `capped` is True)."""

    cap = DEFAULT_CAP

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet):
            bounded = object_list.order_by()[: self.cap + 1]
            return bounded.count()
        return min(len(object_list), self.cap + 1)

    @property
    def capped(self) -> bool:
        """Return True when there are more rows than the paginator counted."""
        return self.count > self.cap

    @property
    def cap_display(self) -> str:
        return f"{self.cap:,}"
