"""Matching what people type to the catalogue's names: normalised keys and closest-name suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from followup.imports.base import MAX_PROBLEMS

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
_SPACES = re.compile(r"\s+")
_HYPHEN = re.compile(r"\s*[-–—]\s*")


def normalise(text: str) -> str:
    """A key for matching names: case, å/ä/ö, spaces and spacing around hyphens do not matter."""
    folded = unicodedata.normalize("NFC", str(text)).strip().casefold().translate(_FOLD)
    return _SPACES.sub(" ", _HYPHEN.sub("-", folded))


def suggest(value: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to VALUE (up to N), best first; matching ignores case and å/ä/ö."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(normalise(candidate), candidate)
    keys = difflib.get_close_matches(normalise(value), list(by_key), n=n, cutoff=0.6)
    return [by_key[key] for key in keys]


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """' Menar du 'X' eller 'Y'?' for the closest candidates, or '' when none is close."""
    close = suggest(value, candidates)
    if not close:
        return ""
    quoted = [f"'{name}'" for name in close]
    joined = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " eller " + quoted[-1]
    return f" Menar du {joined}?"


class Suggestions:
    """did_you_mean against fixed CANDIDATES for the first LIMIT distinct values asked, '' for later ones: only the
    first problems of a file are shown, and a suggestion costs a fuzzy match against every candidate."""

    def __init__(self, candidates: Iterable[str], limit: int = MAX_PROBLEMS) -> None:
        self.candidates = list(candidates)
        self.limit = limit
        self.known: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        """' Menar du …?' for VALUE while within the limit, else ''."""
        if value not in self.known:
            if len(self.known) >= self.limit:
                return ""
            self.known[value] = did_you_mean(value, self.candidates)
        return self.known[value]
