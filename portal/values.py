"""Values the core system sends in Russian or as codes, shown in the page's language: a contract's collateral
type and the authority that issued an identity document. A value the cabinet does not know is shown as it came."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

# Each known value by its Russian wording and by the core system's code.
_APARTMENT, _HOUSE, _LAND, _TOWNHOUSE, _ROOM = (
    _l("Квартира"),
    _l("Жилой дом"),
    _l("Земельный участок"),
    _l("Таунхаус"),
    _l("Комната"),
)
COLLATERAL: dict[str, LazyString] = {
    "квартира": _APARTMENT,
    "apartment": _APARTMENT,
    "жилой дом": _HOUSE,
    "дом": _HOUSE,
    "house": _HOUSE,
    "земельный участок": _LAND,
    "land": _LAND,
    "таунхаус": _TOWNHOUSE,
    "townhouse": _TOWNHOUSE,
    "комната": _ROOM,
    "room": _ROOM,
}
_MIA, _MOJ = _l("МВД РК"), _l("МЮ РК")
ISSUERS: dict[str, LazyString] = {
    "мвд рк": _MIA,
    "министерство внутренних дел рк": _MIA,
    "министерство внутренних дел республики казахстан": _MIA,
    "mia": _MIA,
    "мю рк": _MOJ,
    "министерство юстиции рк": _MOJ,
    "министерство юстиции республики казахстан": _MOJ,
    "moj": _MOJ,
}


def _shown(known: dict[str, LazyString], value: str | None) -> str:
    if not value:
        return ""
    found = known.get(" ".join(value.split()).casefold())
    return str(found) if found is not None else value


def collateral(value: str | None) -> str:
    return _shown(COLLATERAL, value)


def issuer(value: str | None) -> str:
    return _shown(ISSUERS, value)
