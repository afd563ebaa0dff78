"""Heading numbers as Word list numbering, where Word can write them exactly.

In: a part's top-level headings (their numbers already computed by loading: «أولاً», «3.1»,
«(1)») and the part's digit style. Out: a :class:`Scheme` (the two levels' ``w:lvlText`` and the
``w:numFmt``) or None when Word's numbering would print something else, in which case the
writer keeps the numbers as typed text.

Word numbers level 0 (Heading 2) and level 1 (Heading 3) with counters that restart per part
(a ``w:num`` with ``w:startOverride``) and after each level-0 heading, and skips headings outside
the list (unnumbered ones). Ordinal words (أولاً) have no ``w:numFmt``: a section numbered by
them keeps its word as text and counts in the list with an empty level text, so that «3.1»
below it still counts from it. The scheme is checked by replaying Word's counters over the part's
headings and comparing with the numbers the book prints, so a scheme is never approximately
right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ...model import Heading
from ...numerals import localize_digits

# §17.18.59: "hindiNumbers" is Word's Arabic-Indic digits
NUM_FMT = {"western": "decimal", "arabic-indic": "hindiNumbers"}


@dataclass(frozen=True)
class Scheme:
    """``w:lvlText`` of levels 0 and 1 (``""`` for a level whose number is typed text, or
    unused) and the ``w:numFmt`` of both."""

    level_texts: tuple[str, str]
    num_fmt: str

    def listed(self, level: int) -> bool:
        """Does Word print the number of headings at ``level`` (0 or 1)?"""
        return bool(self.level_texts[level])


def scheme(headings: Sequence[Heading], digits: str) -> Scheme | None:
    """The list scheme that prints exactly the numbers of ``headings`` (levels 2 and 3, in
    order) in ``digits`` (``western`` or ``arabic-indic``), or None."""
    numbered = [h for h in headings if h.number]
    if not numbered or any(h.level not in (2, 3) for h in numbered):
        return None
    h2 = [h.number for h in numbered if h.level == 2]
    h3 = [h.number for h in numbered if h.level == 3]
    digit = r"[0-9\u0660-\u0669]+"
    if h2 and all(re.fullmatch(digit, n) for n in h2):
        level0 = "%1"
    elif h2 and any(re.search(digit, n) for n in h2):
        return None
    else:
        level0 = ""  # ordinal words (or no numbered sections): counted, typed as text
    if not h3:
        level1 = ""
    elif all(re.fullmatch(rf"{digit}\.{digit}", n) for n in h3):
        level1 = "%1.%2"
    elif all(re.fullmatch(rf"\({digit}\)", n) for n in h3):
        level1 = "(%2)"
    else:
        return None
    candidate = Scheme((level0, level1), NUM_FMT[digits])
    if not (candidate.listed(0) or candidate.listed(1)):
        return None
    printed = list(replay(candidate, (h.level for h in numbered), digits))
    typed = [h.number if candidate.listed(h.level - 2) else "" for h in numbered]
    return candidate if printed == typed else None


def replay(s: Scheme, levels: Iterable[int], digits: str) -> Iterable[str]:
    """What Word prints before each listed heading (by level 2 or 3): its counters, restarting
    level 1 after each level-0 heading, formatted by the level texts."""
    c0 = c1 = 0
    for level in levels:
        if level == 2:
            c0, c1 = c0 + 1, 0
        else:
            c1 += 1
        text = s.level_texts[level - 2].replace("%1", str(c0)).replace("%2", str(c1))
        # only the digits are localized: "." stays "." in Word's level text
        yield re.sub(r"\d+", lambda m: localize_digits(m.group(), digits), text)
