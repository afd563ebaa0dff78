"""Where a title may not break: inside a range of numbers, and before its last word.

WeasyPrint 70 has no ``text-wrap: balance``, and the line breaker (UAX #14) may break after the
en dash of «2019–2025» (class BA) and before any word, so the cover printed «… ودول آسيا / الوسطى»
and an annex title «… 2019– / 2025». The model decides it once, for both writers, with characters
every line breaker honours (UAX #14, classes WJ and GL):

- a WORD JOINER (U+2060) after the dash of a range between digits: «2019–⁠2025» stays whole;
- a NO-BREAK SPACE (U+00A0) before the last word of a title of three words or more, so that no
  title ends on a lone word (a name of two words at the end, «آسيا الوسطى», stays together);
- a NO-BREAK SPACE between the words of a name wherever it stands in a title: the names of the
  edition's countries and groups (``data/entities.yaml``), matched pair of words by pair, so that
  «دول آسيا الوسطى» keeps «آسيا الوسطى» of the group «مجموعة آسيا الوسطى» and «دول مجلس
  التعاون الخليجي» its «دول مجلس التعاون»; an Arabic word still matches with a conjunction or
  preposition joined to it («ولآسيا»).

Applied by :func:`keep_titles_together` to the cover's title and subtitle and to the parts' and
headings' titles; both characters are format or space characters, which the fonts check allows.
"""

from __future__ import annotations

import dataclasses
import re

from .. import model as m

WORD_JOINER, NO_BREAK_SPACE = "\u2060", "\u00a0"
# a dash (hyphen-minus, en dash, minus) between two numbers (either digits), a year's «م» and the
# isolates of briefing.directions included
_RANGE = re.compile(r"(?<=\d)(\u0645?[\u2066-\u2069]*[-\u2013\u2212])(?=[\u2066-\u2069]*\d)")
_LAST_SPACE = re.compile(r" (?=\S+\s*$)")


def unbreakable_ranges(text: str) -> str:
    """``text`` with a word joiner after the dash of every number range («2019–⁠2025»)."""
    return _RANGE.sub(lambda match: match.group(1) + WORD_JOINER, text)


# the one-letter proclitics of Arabic (conjunctions and prepositions written joined to the word)
_PROCLITICS = re.compile(r"^(?:[وف]?[بلك]?|لل)")


def name_pairs(store) -> frozenset[tuple[str, str]]:
    """The pairs of neighbouring words in the Arabic and English names of the edition's groups
    and their member countries (``store``: a :class:`~briefing.data.store.DataStore`)."""
    codes = {code for code, ent in store.entities.items() if ent.is_group}
    codes |= {member for code in codes for member in store.entities[code].members}
    pairs = set()
    for code in codes:
        ent = store.entities[code]
        for name in (ent.ar, ent.en):
            words = name.split()
            pairs |= set(zip(words, words[1:]))
    return frozenset(pairs)


def _is_pair(first: str, second: str, pairs) -> bool:
    return any(first == a or _PROCLITICS.sub("", first, count=1) == a
               or (first.endswith(a) and _PROCLITICS.fullmatch(first[:-len(a)]))
               for a, b in pairs if b == second)


def unbreakable_names(text: str, pairs) -> str:
    """``text`` with a no-break space between the words of every pair of ``pairs``."""
    words = text.split(" ")
    out = words[:1]
    for first, second in zip(words, words[1:]):
        out.append((NO_BREAK_SPACE if _is_pair(first, second, pairs) else " ") + second)
    return out[0] + "".join(out[1:]) if out else text


def keep_title_together(text: str, pairs=frozenset()) -> str:
    """A title's text that breaks neither in a range, nor inside a name (pairs of words of
    :func:`name_pairs`), nor before its last word (when it has three words or more: a title of
    two words may still take two lines)."""
    text = unbreakable_names(unbreakable_ranges(text), pairs)
    if len(text.split()) >= 3:
        text = _LAST_SPACE.sub(NO_BREAK_SPACE, text, count=1)
    return text


def _title_runs(content: tuple[m.Inline, ...], pairs) -> tuple[m.Inline, ...]:
    """Title runs with ranges and names kept whole, and the last word kept with the one before
    when both are in the last text run."""
    last = max((i for i, run in enumerate(content) if isinstance(run, m.Text)), default=None)
    return tuple(
        m.Text(keep_title_together(run.text, pairs) if i == last
               else unbreakable_names(unbreakable_ranges(run.text), pairs))
        if isinstance(run, m.Text) else run
        for i, run in enumerate(content))


def keep_titles_together(book: m.Book, pairs=frozenset()) -> m.Book:
    """The book with :func:`keep_title_together` applied to the cover's title and subtitle (as
    ``Meta.cover_title`` and ``cover_subtitle``: the document's metadata keeps the manifest's
    text), each part's title and each heading (their text runs; note calls and references left as
    they are) and each line of the contents; ``pairs``: the names' pairs of words (:func:`name_pairs`)."""
    meta = dataclasses.replace(book.meta, cover_title=keep_title_together(book.meta.title, pairs),
                               cover_subtitle=keep_title_together(book.meta.subtitle, pairs))

    def titles(node):
        if isinstance(node, m.Part):
            return dataclasses.replace(node, title=_title_runs(node.title, pairs))
        if isinstance(node, m.Heading):
            return dataclasses.replace(node, content=_title_runs(node.content, pairs))
        return node

    # the contents print the titles too (their entries were made before, when numbering)
    outline = tuple(dataclasses.replace(entry, text=keep_title_together(entry.text, pairs))
                    for entry in book.outline)
    return dataclasses.replace(book, meta=meta, outline=outline,
                               parts=tuple(m.transform(part, titles) for part in book.parts))
