"""Typographic quotation marks per language, decided once in the model (both writers print them).

Editors type straight quotes ("…", '…') or paste curly ones, sometimes the wrong way round for
the language: an Arabic paragraph printed «”Termez Cargo“» (English marks, which the bidi
algorithm does not mirror, read backwards in right-to-left text). Every double quotation mark of
the text - straight ``"``, or curly ``“ ” „`` - becomes the language's own, its side decided by
what stands before it (the rule of SmartyPants and of the Unicode Standard, 6.2 "Quotation
Marks": opening at the start, after a space, an opening bracket or a dash - in Arabic also after
a one-letter conjunction or preposition, «و«…»» - and closing otherwise):

- Arabic: «…» (guillemets, the marks of Arabic print, e.g. the Arab League's and GCC's
  publications; they mirror in right-to-left text, so they always point the right way);
- English: “…”, with ‘…’ inside and the apostrophe ’ (Chicago Manual of Style, 6.9 and 6.11).

Single marks in Arabic text are left as typed, but for an apostrophe between two letters (’).
Code, link targets, expressions' arguments (already evaluated) and figures' files are not text,
so they are never touched. Applied by :func:`typographic_quotes` to each part, by its language,
before numbering (so the contents and the alternative texts carry the same marks).
"""

from __future__ import annotations

import dataclasses

from .. import model as m

DOUBLE = "\"\u201c\u201d\u201e"
SINGLE = "'\u2018\u2019"
_ANY_MARK = frozenset(DOUBLE + SINGLE)
MARKS = {"ar": ("\u00ab", "\u00bb", None, None), "en": ("\u201c", "\u201d", "\u2018", "\u2019")}
# what an opening mark may follow: nothing, a space, an opening bracket or mark, a dash or slash
_OPENS_AFTER = set(" \t\n\u00a0([{\u00ab\u201c\u2018/\u2013\u2014-") | {None}
_PROCLITICS = set("وفبلك")  # conjunctions and prepositions written joined to the next word
_BLOCKS = (m.Part, m.Paragraph, m.Heading, m.ListBlock, m.Quote, m.Div, m.Table, m.Figure, m.Footnote)


def quote_text(text: str, lang: str, before: str | None = None) -> str:
    """``text`` with its quotation marks made those of ``lang`` (``ar`` or ``en``); ``before``:
    the character printed just before it (None at the start of a block)."""
    if not _ANY_MARK.intersection(text):  # most runs: nothing to decide, character by character
        return text
    opening, closing, single_open, single_close = MARKS["en" if lang == "en" else "ar"]
    out = []
    previous, earlier = before, None
    for i, char in enumerate(text):
        following = text[i + 1] if i + 1 < len(text) else None
        opens = previous in _OPENS_AFTER or (  # or after a one-letter Arabic proclitic: «و«…»»
            lang != "en" and previous in _PROCLITICS and earlier in _OPENS_AFTER)
        if char in DOUBLE:
            char = opening if opens else closing
        elif char in SINGLE:
            between_letters = (previous is not None and previous.isalnum()
                               and following is not None and following.isalpha())
            if between_letters:
                char = "\u2019"
            elif single_open is not None:
                char = single_open if opens else single_close
        out.append(char)
        previous, earlier = char, previous
    return "".join(out)


def typographic_quotes(part: m.Part) -> m.Part:
    """``part`` with the quotation marks of its text runs (titles, paragraphs, lists, tables,
    captions, notes) made those of its language; the side of a mark at the start of a run is
    decided by the run printed before it in the same block."""
    lang = part.lang
    state = {"before": None}

    def visit(node):
        if isinstance(node, _BLOCKS):
            state["before"] = None
        if isinstance(node, m.Text):
            text = quote_text(node.text, lang, state["before"])
            state["before"] = text[-1] if text else state["before"]
            return node if text == node.text else dataclasses.replace(node, text=text)
        if isinstance(node, m.CrossRef) and node.label:
            state["before"] = node.label[-1]
        return node

    return m.transform(part, visit)
