"""Shares read as Vietnamese officials write them."""

from fractions import Fraction

import pytest
from django.utils import translation

from dossiers.conditions import pct


@pytest.mark.parametrize(("lang", "value", "text"), [
    ("vi", Fraction(5, 6), "83,3%"),
    ("vi", Fraction(7, 10), "70%"),
    ("vi", Fraction(1), "100%"),
    ("en", Fraction(5, 6), "83.3%"),
    ("en", Fraction(999, 1000), "99.9%"),
])
def test_percentages_use_the_language_decimal_separator(lang, value, text):
    with translation.override(lang):
        assert pct(value) == text
