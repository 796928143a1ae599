"""FAQ keyword search over plain strings: which texts hold a query's words in any of their forms, the order in which
matching questions are shown, and the texts with the word forms found marked."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import Stemmer
from markupsafe import Markup, escape

MAX_QUERY_LENGTH = 100
_WORD = re.compile(r"\w+")
# Clients often type «смс» where the FAQ writes «SMS»: both spellings are one word.
_SAME_WORDS = {"смс": "sms"}
_SNOWBALL = {"ru": "russian", "en": "english"}
# Kazakh has no Snowball stemmer. Its words grow by endings stacked after the stem, plural, then possessive, then
# case (төлем-дер-ді, кесте-сі-нің), each in the variants vowel harmony and the last sound call for.
_KAZAKH_ENDINGS = tuple(
    sorted(
        {
            *("лар", "лер", "дар", "дер", "тар", "тер"),
            *("ым", "ім", "ың", "ің", "ымыз", "іміз", "ыңыз", "іңіз", "мыз", "міз", "ңыз", "ңіз", "сы", "сі", "ы", "і"),
            *("ның", "нің", "дың", "дің", "тың", "тің"),
            *("ға", "ге", "қа", "ке", "на", "не"),
            *("ны", "ні", "ды", "ді", "ты", "ті"),
            *("да", "де", "та", "те", "нда", "нде", "дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі"),
            *("дан", "ден", "тан", "тен", "нан", "нен"),
            *("мен", "бен", "пен"),
        },
        key=len,
        reverse=True,
    )
)
_KAZAKH_SHORTEST_STEM = 3


def clean_query(raw: str | None) -> str:
    """The query as searched: trimmed, at most MAX_QUERY_LENGTH characters."""
    return (raw or "").strip()[:MAX_QUERY_LENGTH].strip()


def kazakh_stems(word: str) -> frozenset[str]:
    """The word and what is left of it without one, two or three endings, never shorter than three letters. Every
    way of cutting counts, because one ending can hide in another: шарт-ы (its contract) also ends like шар-ты."""
    stems = {word}
    shorter = {word}
    for _ in range(3):
        shorter = {
            stem[: -len(end)]
            for stem in shorter
            for end in _KAZAKH_ENDINGS
            if stem.endswith(end) and len(stem) - len(end) >= _KAZAKH_SHORTEST_STEM
        }
        stems |= shorter
    return frozenset(stems)


def stemmer(language: str) -> Callable[[str], frozenset[str]]:
    """What a lower-case word of the language may stem to. A new Snowball stemmer each time: they are not
    thread-safe."""
    if language in _SNOWBALL:
        stem = Stemmer.Stemmer(_SNOWBALL[language]).stemWord
        return lambda word: frozenset((stem(word),))
    if language == "kk":
        return kazakh_stems
    return lambda word: frozenset((word,))


def _folded(word: str) -> str:
    """The word as compared: lower case, ё as е, «смс» as «sms»."""
    word = word.lower().replace("ё", "е")
    return _SAME_WORDS.get(word, word)


@dataclass(frozen=True)
class _Word:
    """A word of the query: found in a text word that shares a stem with it, or that begins with what was typed."""

    typed: str
    stems: frozenset[str]


@dataclass(frozen=True)
class _Symbols:
    """A part of the query without letters or digits («#», «?»): found as typed, anywhere."""

    pattern: re.Pattern[str]


class Query:
    """The query's words, each of which a text must hold in some form (see _Word); case, ё/е and СМС/SMS aside."""

    def __init__(self, raw: str | None, language: str = "ru") -> None:
        self.text = clean_query(raw)
        self._stems = stemmer(language)
        terms: list[_Word | _Symbols] = []
        for token in self.text.split():
            words = _WORD.findall(token)
            if words:
                terms.extend(_Word(_folded(word), self._stems(_folded(word))) for word in words)
            else:
                terms.append(_Symbols(re.compile(re.escape(token), re.IGNORECASE)))
        self.terms = tuple(dict.fromkeys(terms))
        self._words = [(number, term) for number, term in enumerate(self.terms) if isinstance(term, _Word)]
        self._seen: dict[str, tuple[int, ...]] = {}
        self._candidates = self._candidate_words()

    def __bool__(self) -> bool:
        return bool(self.terms)

    def _candidate_words(self) -> re.Pattern[str]:
        """The text words worth stemming: those that begin like what was typed or like a stem. Snowball may end a stem
        in letters the word does not have (English «happi» for «happy»), so a stem counts without its last two."""
        beginnings = {term.typed for _, term in self._words}
        beginnings |= {stem[: max(2, len(stem) - 2)] for _, term in self._words for stem in term.stems}
        beginnings |= {
            alias
            for alias, word in _SAME_WORDS.items()
            if any(word.startswith(beginning) or beginning.startswith(word) for beginning in beginnings)
        }
        either = "|".join(re.escape(beginning).replace("е", "[её]") for beginning in sorted(beginnings))
        return re.compile(rf"(?<!\w)(?:{either})\w*", re.IGNORECASE)

    def _terms_of(self, word: str) -> tuple[int, ...]:
        """The query's words that a word of a text is a form of; remembered, since texts repeat their words."""
        numbers = self._seen.get(word)
        if numbers is None:
            folded = _folded(word)
            stems = self._stems(folded)
            numbers = self._seen[word] = tuple(
                number
                for number, term in self._words
                if not stems.isdisjoint(term.stems) or folded.startswith(term.typed)
            )
        return numbers

    def _found(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, term) of every word form or symbol of the query found in the text."""
        found: list[tuple[int, int, int]] = []
        if self._words:
            for match in self._candidates.finditer(text):
                found.extend((match.start(), match.end(), number) for number in self._terms_of(match.group()))
        for number, term in enumerate(self.terms):
            if isinstance(term, _Symbols):
                found.extend((match.start(), match.end(), number) for match in term.pattern.finditer(text))
        return found

    def _terms_in(self, text: str) -> set[int]:
        return {number for _, _, number in self._found(text)}

    def matches(self, *texts: str) -> bool:
        """Every word occurs in some form in at least one of the texts; an empty query matches everything."""
        return len(set().union(*map(self._terms_in, texts))) == len(self.terms)

    def rank(self, entries: Sequence[tuple[str, str]]) -> list[int]:
        """The positions of the (question, answer) pairs that match, those whose question holds more of the query's
        words first, and in their own order otherwise."""
        if not self:
            return list(range(len(entries)))
        ranked: list[tuple[int, int]] = []
        for position, (question, answer) in enumerate(entries):
            in_question = self._terms_in(question)
            if len(in_question) == len(self.terms) or len(in_question | self._terms_in(answer)) == len(self.terms):
                ranked.append((-len(in_question), position))
        return [position for _, position in sorted(ranked)]

    def highlight(self, text: str) -> Markup:
        """The text escaped, with each word form found (each run of symbols found) wrapped in <mark>."""
        merged: list[tuple[int, int]] = []
        for start, end, _ in sorted(self._found(text)):
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
