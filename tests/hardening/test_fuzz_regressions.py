"""Inputs the fuzzer (fuzz/, ``make fuzz``) once crashed the loader with, replayed: each must now be refused
with an InputError whose message is one line. New finds (fuzz/.work/crashes) go to fuzz_regressions/."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from img2xlsx.errors import InputError
from img2xlsx.loader import load_pages

FOUND = sorted((Path(__file__).parent / "fuzz_regressions").glob("*.bin"))


@pytest.mark.parametrize("path", FOUND, ids=[p.stem for p in FOUND])
def test_fuzzer_finds_stay_fixed(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about the corrupt tags on the way
        with pytest.raises(InputError) as caught:
            load_pages(path.read_bytes())
    assert caught.value.message and "\n" not in caught.value.message


def test_there_are_regressions_to_replay() -> None:
    assert FOUND
