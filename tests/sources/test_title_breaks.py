"""Titles keep ranges whole and their last word with the one before (briefing.sources.title_breaks)."""

from briefing.sources.title_breaks import keep_title_together, unbreakable_ranges


def test_a_range_gets_a_word_joiner_after_its_dash():
    assert unbreakable_ranges("2019–2025") == "2019–\u20602025"
    # a year's «م» and the isolates briefing.directions puts around numbers
    assert unbreakable_ranges("\u20662015م\u2069–\u20662028م\u2069") == (
        "\u20662015م\u2069–\u2060\u20662028م\u2069")
    assert unbreakable_ranges("72/283 - نص") == "72/283 - نص"  # a spaced dash is no range


def test_a_title_never_ends_on_a_lone_word():
    assert keep_title_together("قمة دول مجلس التعاون ودول آسيا الوسطى").endswith(
        "آسيا\u00a0الوسطى")
    assert keep_title_together("Trade links") == "Trade links"  # two words may take two lines
