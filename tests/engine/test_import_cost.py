"""What a fresh process pays on import: no regular expression whose compilation alone costs tens of ms."""

from __future__ import annotations

import re

import pytest
from img2xlsx.tables import words

# a character class holding a range this wide within the BMP makes re build a 64K-entry charset on compile
_WIDE_BMP_RANGE = re.compile(r"\\u00[0-9A-Fa-f]{2}-\\u[Ff]{4}")


@pytest.mark.parametrize(
    ("char", "alnum"),
    [
        ("a", True),
        ("Z", True),
        ("0", True),
        ("$", True),
        ("£", True),
        ("%", True),
        ("€", True),
        ("\u00c0", True),
        ("é", True),
        ("ß", True),
        ("ư", True),
        ("中", True),
        ("\uffff", True),
        ("\u00bf", False),
        ("\u00a0", False),
        ("-", False),
        ("|", False),
        ("_", False),
        (".", False),
        ("\U0001f600", False),
        ("\U00010000", False),
    ],
)
def test_alnum_keeps_its_characters(char: str, alnum: bool) -> None:
    assert bool(words._ALNUM.search(f" {char} ")) is alnum


def test_alnum_is_not_written_as_a_wide_bmp_range() -> None:
    assert not _WIDE_BMP_RANGE.search(words._ALNUM.pattern)
