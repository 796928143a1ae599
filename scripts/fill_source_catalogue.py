"""Fill the Russian catalogue from its msgids: Russian is the source language (the manual's wording), so the
ru catalogue translates every message to itself and stays complete after each `make translations-update`."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(path: Path) -> None:
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="ru")
    for message in catalogue:
        if not message.id:
            continue
        message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=120)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
