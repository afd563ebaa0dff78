"""Runs of the other direction inside a part's text: numbers, Latin words, URLs, Arabic in English.

In: one string of a part's text (typed or printed from data) and the part's language and digits.
Out: the same string with each such run isolated (Unicode Bidirectional Algorithm, UAX #9 §2.7:
LRI/RLI … PDI), so that no neighbour and no line break can move a sign, a percent sign or the
parts of an address; and, in an Arabic part of an Arabic-Indic edition, typed digits in that style.
The rules are written down, with examples, in docs/conventions.md:

* a number in an Arabic part is one isolated run: Western digits left to right («−2.5%»), Arabic-
  Indic digits right to left («٪٢٫٥−» as drawn: minus first, percent sign last in reading order),
  following the CLDR ``ar`` number patterns (``#,##0%``, minus before the digits);
* a typed hyphen-minus before a number becomes the minus sign U+2212; a space typed between a
  number and its percent sign is dropped;
* a Latin phrase, an address (URL, e-mail) in Arabic text is one left-to-right run; an Arabic
  phrase in an English part one right-to-left run (a list of Arabic names keeps its order).

Both writers print the result; the charts stage follows the same rules for its labels.
"""

from __future__ import annotations

import re

from .numerals import localize_typed_digits

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
# Arabic letters and marks (not the Arabic comma, semicolon and question mark, which separate)
_ARABIC = ("\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06ff\u0750-\u077f\u08a0-\u08ff"
           "\ufb50-\ufdff\ufe70-\ufeff")
_DIGIT = "0-9\u0660-\u0669"
# an address: a URL or an e-mail address, to its last character that is not closing punctuation
_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s<>«»]*[^\s<>«».,;:!?)\]،؛]"
                      r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# a run with no Arabic letter in it, from its first to its last letter or digit
_SIGN = f"(?:(?<![\\w{_DIGIT}])[-\u2212](?=[{_DIGIT}]))?"
_FOREIGN = re.compile(f"{_SIGN}[A-Za-z{_DIGIT}][^{_ARABIC}]*[A-Za-z{_DIGIT}%\u066a]"
                      f"|{_SIGN}[A-Za-z{_DIGIT}]")
# a number as typed or printed: sign, digits with separators, a range or a ratio, a percent sign
_NUMBER = re.compile(
    f"{_SIGN}[{_DIGIT}]+(?:[.,:\u066b\u066c][{_DIGIT}]+)*"
    f"(?:[-\u2013/][{_DIGIT}]+(?:[.,:\u066b\u066c][{_DIGIT}]+)*)*(?: ?[%\u066a])?")
_ARABIC_RUN = re.compile(f"[{_ARABIC}][{_ARABIC}{_DIGIT} ]*[{_ARABIC}{_DIGIT}]|[{_ARABIC}]")


def isolate(run: str, rtl: bool) -> str:
    return f"{RLI if rtl else LRI}{run}{PDI}"


def number_run(number: str, digits: str) -> str:
    """One number as printed in an Arabic part: U+2212 for a typed hyphen-minus sign, no space
    before the percent sign, the edition's digits (separators between digits, ٪), isolated."""
    number = re.sub("^-", "\u2212", number).replace(" %", "%").replace(" \u066a", "\u066a")
    number = localize_typed_digits(number, digits)
    number = number.replace("%", "\u066a") if digits == "arabic-indic" else number.replace(
        "\u066a", "%")
    return isolate(number, rtl=digits == "arabic-indic")


def arabic_part_text(text: str, digits: str) -> str:
    """A string of an Arabic part with its addresses and Latin phrases isolated left to right and
    each number isolated in the part's digits (see the module's rules)."""
    out, last = [], 0
    for match in _ADDRESS.finditer(text):
        out.append(_foreign_runs(text[last:match.start()], digits))
        # an Arabic path segment is a right-to-left run of its own inside the address, or the
        # digits after it would join it («…/تقارير/2023» drawn «…/2023/تقارير»)
        address = _ARABIC_RUN.sub(lambda m: isolate(m.group(0), rtl=True), match.group(0))
        out.append(isolate(address, rtl=False))
        last = match.end()
    out.append(_foreign_runs(text[last:], digits))
    return "".join(out)


def _foreign_runs(text: str, digits: str) -> str:
    def run(match: re.Match) -> str:
        found = match.group(0)
        if re.search("[A-Za-z]", found):
            return isolate(found, rtl=False)  # a Latin phrase: its numbers stay as typed
        return _NUMBER.sub(lambda m: number_run(m.group(0), digits), found)
    return _FOREIGN.sub(run, text)


def english_part_text(text: str) -> str:
    """A string of an English part with each Arabic phrase isolated right to left (split at
    punctuation, so a list of Arabic names reads in its order), and U+2212 for a typed
    hyphen-minus sign («-3.5%» prints «−3.5%»)."""
    text = re.sub(f"(?<![\\w{_DIGIT}])-(?=[{_DIGIT}])", "\u2212", text)
    # Western digits throughout, whichever the editor typed («٢٠٣٠» prints «2030», «٥٫٧٪» «5.7%»)
    text = _NUMBER.sub(lambda m: localize_typed_digits(m.group(0), "western").replace(
        "\u066a", "%"), text)
    return _ARABIC_RUN.sub(lambda m: isolate(m.group(0), rtl=True), text)


def part_text(text: str, lang: str, digits: str) -> str:
    """:func:`arabic_part_text` or :func:`english_part_text`, by the part's language."""
    if not text:
        return text
    return arabic_part_text(text, digits) if lang == "ar" else english_part_text(text)


def percent_before_number(text: str) -> str | None:
    """A percent sign typed before its number («%5.7»), which the convention does not allow (the
    sign follows the number in reading order, CLDR ``ar``): the offending text, or None."""
    found = re.search(f"[%\u066a] ?[{_DIGIT}][{_DIGIT}.,\u066b\u066c]*(?! ?[%\u066a])", text)
    return found.group(0) if found else None

