"""Pages of long lists whose count stops at a cap, so that a page never counts a million
rows: the first ``cap`` rows are counted exactly, beyond that the page says "more than"."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class BoundedPaginator(Paginator):
    """``count`` is exact up to ``cap`` rows and ``cap + 1`` beyond (``capped`` is then True):
    one ``SELECT COUNT(*) FROM (... LIMIT cap + 1)``, whose cost stops growing at ``cap``."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int = 10_000) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
