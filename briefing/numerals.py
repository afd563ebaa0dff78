"""How numbers are written in the book: digit style, separators, rounding, Arabic ordinals.

One place for these rules, so a table cell, a chart label and a sentence print a value alike.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

_ARABIC_INDIC = str.maketrans("0123456789.,%", "٠١٢٣٤٥٦٧٨٩٫٬٪")
# A negative number's sign is the minus sign U+2212; in an Arabic part the whole number is one
# isolated run (briefing.directions), so the sign stays before the digits.
NEGATIVE = "\u2212"
#: what follows a year in Arabic text: «2022م» (ميلادي)
YEAR_SUFFIX_AR = "م"

ORDINALS_AR = (
    "أولاً", "ثانياً", "ثالثاً", "رابعاً", "خامساً", "سادساً", "سابعاً", "ثامناً", "تاسعاً", "عاشراً",
    "حادي عشر", "ثاني عشر", "ثالث عشر", "رابع عشر", "خامس عشر", "سادس عشر", "سابع عشر",
    "ثامن عشر", "تاسع عشر", "عشرون",
)


def part_digits(digits: str, lang: str) -> str:
    """The digits of a part: the edition's in Arabic text; an English part keeps Western digits."""
    return digits if lang == "ar" else "western"


def localize_digits(text: str, digits: str) -> str:
    """Western digits and separators as the edition writes them (٠١٢٣, ٫, ٬ and ٪ when Arabic-Indic)."""
    return text.translate(_ARABIC_INDIC) if digits == "arabic-indic" else text


_DIGIT_SEPARATOR = re.compile("(?<=[0-9])([.,])(?=[0-9])")
_DIGITS_ONLY = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_INDIC_SEPARATOR = re.compile("(?<=[\u0660-\u0669])([\u066b\u066c])(?=[\u0660-\u0669])")
_WESTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def localize_typed_digits(text: str, digits: str) -> str:
    """Digits of free text in the digit style ``digits``, whichever the editor typed: each
    digit, and a decimal or thousands separator between two digits («.» «,» ↔ «٫» «٬»); other
    punctuation stays («2018-2028،» keeps its hyphen and comma)."""
    if digits != "arabic-indic":
        text = _INDIC_SEPARATOR.sub(lambda m: "." if m.group(1) == "\u066b" else ",", text)
        return text.translate(_WESTERN_DIGITS)
    text = _DIGIT_SEPARATOR.sub(lambda m: "\u066b" if m.group(1) == "." else "\u066c", text)
    return text.translate(_DIGITS_ONLY)


def format_number(value: float, decimals: int = 0, digits: str = "western",
                  thousands: bool = True) -> str:
    """A value rounded half-up (as statistical tables print it), grouped, in the digit style."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)  # numpy too
    text = f"{abs(rounded):,.{decimals}f}" if thousands else f"{abs(rounded):.{decimals}f}"
    if rounded < 0:
        text = NEGATIVE + text
    return localize_digits(text, digits)


MONTHS = {
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
           "أكتوبر", "نوفمبر", "ديسمبر"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def format_percent(value: float, decimals: int = 0, digits: str = "western") -> str:
    """«45%» / «٤٥٪»: the sign follows the number, with no space, as the booklet prints it;
    a negative keeps its minus sign in front: «−2.3%»."""
    return format_number(value, decimals, digits) + ("٪" if digits == "arabic-indic" else "%")


def format_year(year: int, lang: str = "ar", digits: str = "western") -> str:
    """«2022م» in Arabic (the year in the edition's digits, then م), «2022» in English."""
    return localize_digits(str(int(year)), digits) + (YEAR_SUFFIX_AR if lang == "ar" else "")


def format_month(date: dt.date, lang: str, digits: str = "western") -> str:
    """«يوليو 2023م» / «July 2023»: how a booklet dates itself."""
    return f"{MONTHS[lang][date.month - 1]} {format_year(date.year, lang, digits)}"


_SCALE_WORDS = {"ar": {"thousand": "ألف", "million": "مليون", "billion": "مليار"},
                "en": {"thousand": "thousand", "million": "million", "billion": "billion"}}
_UNIT_WORDS = {"ar": {"USD": "دولار", "people": "نسمة", "percent": "%",
                      "percent_of_gdp": "% من الناتج المحلي الإجمالي"},
               "en": {"USD": "USD", "people": "people", "percent": "%",
                      "percent_of_gdp": "% of GDP"}}


def unit_words(unit: str, scale: str, lang: str) -> str:
    """«مليار دولار», «مليون نسمة», «%»: the words that follow a value of a dataset."""
    words = [_SCALE_WORDS[lang].get(scale, ""), _UNIT_WORDS[lang].get(unit, unit)]
    return " ".join(w for w in words if w)


ORDINALS_EN = (
    "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
    "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth",
    "Eighteenth", "Nineteenth", "Twentieth",
)
ORDINALS = {"ar": ORDINALS_AR, "en": ORDINALS_EN}


def ordinal(n: int, lang: str = "ar") -> str:
    """The ordinal heading word for section n in the part's language (1 → أولاً / First).
    Raises ValueError past the twentieth section (the manifest's ``numbering: decimal`` has no
    limit)."""
    words = ORDINALS[lang]
    if not 1 <= n <= len(words):
        raise ValueError(f"no ordinal word for section {n} (at most {len(words)} sections; use "
                         "numbering: decimal)")
    return words[n - 1]
