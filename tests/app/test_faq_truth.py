"""The shipped FAQ tells the truth about today's cabinet: every name it quotes is a label the cabinet shows, every
path it mentions is a route the app has, and the menu answer lists the side menu's items, in each language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "portal" / "data" / "faq.json"
ENTRIES = json.loads(SHIPPED.read_text(encoding="utf-8"))["entries"]
SIDE_MENU = ROOT / "portal" / "templates" / "macros" / "side_menu.html"
LANGUAGES = ("ru", "kk", "en")

# Names the FAQ may quote that are not labels of the cabinet: the company's and the system's own names (the
# manual calls them so), as written in each language.
NOT_LABELS = {
    "ru": {"Жилищный портал", "Казахстанская Жилищная Компания"},
    "kk": {"Тұрғын үй порталы", "Қазақстан тұрғын үй компаниясы"},
    "en": {"Housing Portal", "Kazakhstan Housing Company"},
}
# The answer on languages shows one label in all three languages on purpose.
ANY_LANGUAGE = {"languages"}


def catalogue(language: str) -> dict[str, str]:
    """msgid → the label the cabinet shows in that language."""
    path = ROOT / "portal" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if isinstance(message.id, str) and message.id}


CATALOGUES = {language: catalogue(language) for language in LANGUAGES}
LABELS = {language: set(CATALOGUES[language].values()) | set(NOT_LABELS[language]) for language in LANGUAGES}


def is_label(name: str, labels: set[str]) -> bool:
    """The name is a label; a label with a value in it («К оплате до %(date)s») matches with any value («…»)."""
    if name in labels:
        return True
    return any(
        re.fullmatch(".+".join(map(re.escape, re.split(r"%\(\w+\)s", label))), name)
        for label in labels
        if "%(" in label
    )


def quoted(text: str, language: str) -> list[str]:
    """The names a text puts in quotes: «…» (outermost of nested «…«…»…») in ru and kk, "…" in en."""
    if language == "en":
        return re.findall(r'"([^"]+)"', text)
    names: list[str] = []
    depth, start = 0, 0
    for position, character in enumerate(text):
        if character == "«":
            if depth == 0:
                start = position + 1
            depth += 1
        elif character == "»" and depth:
            depth -= 1
            if depth == 0:
                names.append(text[start:position])
    assert depth == 0, f"unbalanced quotes in {text!r}"
    return names


def texts(language: str) -> list[tuple[str, str]]:
    """(slug, text) of every question and answer in the language."""
    return [(e["slug"], e[part][language]) for e in ENTRIES for part in ("question", "answer")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_quoted_name_is_a_label_the_cabinet_shows(language: str) -> None:
    every_label = set().union(*LABELS.values())
    unknown = [
        (slug, name)
        for slug, text in texts(language)
        for name in quoted(text, language)
        if not is_label(name, every_label if slug in ANY_LANGUAGE else LABELS[language])
    ]

    assert unknown == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_path_mentioned_is_a_route_of_the_app(app: Flask, language: str) -> None:
    adapter = app.url_map.bind("localhost")
    missing = []
    for slug, text in texts(language):
        for path in re.findall(r"(?<![\w.:/])/[a-z][\w\-/<>…]*", text):
            concrete = re.sub(r"<[^>]*>|…", "1", path.rstrip("/.") or "/")
            try:
                adapter.match(concrete, method="GET")
            except (MethodNotAllowed, RequestRedirect):
                pass  # the route exists (a POST, or a trailing-slash redirect)
            except NotFound:
                missing.append((slug, path))

    assert missing == []


def side_menu_labels() -> list[str]:
    """The side menu's items in their order, as msgids."""
    return re.findall(r'"[a-z]+", _\("([^"]+)"\)\)', SIDE_MENU.read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_menu_answer_lists_exactly_the_side_menus_items(language: str) -> None:
    menu = side_menu_labels()
    assert len(menu) >= 5, "the side menu's labels were not found"
    (answer,) = [entry["answer"][language] for entry in ENTRIES if entry["slug"] == "navigation-menu"]

    assert quoted(answer, language) == [CATALOGUES[language][label] for label in menu]
