"""Paging shared by the schedule and the FAQ: page sizes on offer, a page number kept in range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import ceil

# Up to this many pages the pager offers each of them.
ALL_PAGES = 7


def query_int(raw: str | None) -> int | None:
    """A whole number from a query string, or None for anything else (`-1` and `10000` are numbers; `²` and
    `١٢` are digits to str.isdigit but not numbers to int)."""
    if raw is None or len(raw) > 9 or not re.fullmatch(r"-?[0-9]+", raw.strip()):
        return None
    return int(raw)


@dataclass(frozen=True)
class Paging:
    page: int  # 1-based
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def end(self) -> int:
        return min(self.start + self.per_page, self.total)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to offer: every page when there are at most ALL_PAGES, else the first, the last and those
        near the current one; None marks a gap, and a gap never hides a single page (the page is shown instead)."""
        if self.pages <= ALL_PAGES:
            return list(range(1, self.pages + 1))
        shown = {1, self.pages, *range(max(self.page - around, 1), min(self.page + around, self.pages) + 1)}
        shown |= {number + 1 for number in shown if number + 2 in shown}
        result: list[int | None] = []
        for number in sorted(shown):
            if result and number - (result[-1] or 0) > 1:
                result.append(None)
            result.append(number)
        return result


def paginate(total: int, page: int | None, per_page: int | None, sizes: tuple[int, ...]) -> Paging:
    """Bad values fall back: an unknown size to the first on offer, a page out of range to the nearest one."""
    size = per_page if per_page in sizes else sizes[0]
    pages = max(ceil(total / size), 1)
    number = min(max(page or 1, 1), pages)
    return Paging(page=number, per_page=size, total=total)
