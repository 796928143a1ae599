"""FAQ keyword search over plain strings: which texts match a query, and the texts with the matches marked."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

MAX_QUERY_LENGTH = 100
# Russian writers often type е for ё (and the other way round): either letter matches both.
_YO = "[её]"
# The FAQ writes «SMS» in Latin letters, clients often type «смс»: either spelling finds both.
_SAME_WORDS = ("смс", "sms")
_SAME_WORDS_PATTERN = "(?:" + "|".join(_SAME_WORDS) + ")"


def clean_query(raw: str | None) -> str:
    """The query as searched: trimmed, at most MAX_QUERY_LENGTH characters."""
    return (raw or "").strip()[:MAX_QUERY_LENGTH].strip()


def _word_pattern(word: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    while position < len(word):
        same = next((same for same in _SAME_WORDS if word[position : position + len(same)].lower() == same), None)
        if same is not None:
            parts.append(_SAME_WORDS_PATTERN)
            position += len(same)
            continue
        letter = word[position]
        parts.append(_YO if letter in "еёЕЁ" else re.escape(letter))
        position += 1
    return re.compile("".join(parts), re.IGNORECASE)


class Query:
    """Words split on whitespace; a text matches when every word occurs in it, ignoring case, ё/е and СМС/SMS."""

    def __init__(self, raw: str | None) -> None:
        self.text = clean_query(raw)
        words = dict.fromkeys(self.text.split())
        self.patterns = tuple(_word_pattern(word) for word in words)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, *texts: str) -> bool:
        """Every word occurs in at least one of the texts; an empty query matches everything."""
        return all(any(pattern.search(text) for text in texts) for pattern in self.patterns)

    def highlight(self, text: str) -> Markup:
        """The text escaped, with each run of matched characters wrapped in <mark>."""
        spans = sorted((match.start(), match.end()) for pattern in self.patterns for match in pattern.finditer(text))
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        result = Markup()
        done = 0
        for start, end in merged:
            result += escape(text[done:start]) + Markup("<mark>") + escape(text[start:end]) + Markup("</mark>")
            done = end
        return result + escape(text[done:])
