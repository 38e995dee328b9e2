"""The number formats of the pages (opsqm_format template filters)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from opsqm.infra.core.templatetags.opsqm_format import money, points, score


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("530000.00"), "¥530,000.00"),
        (Decimal("90100"), "¥90,100.00"),
        (0, "¥0.00"),
        (Decimal("-1234.5"), "-¥1,234.50"),
        (Decimal("0.005"), "¥0.01"),
        (None, "—"),
        ("", "—"),
        ("n/a", "n/a"),
    ],
)
def test_money(value, shown):
    assert money(value) == shown


def test_score_and_points():
    assert score(Decimal("86.5")) == "86.50"
    assert score(Decimal("-520.7")) == "-520.70"
    assert points(Decimal("-0.5")) == "-0.50"
    assert points(2) == "+2.00"
    assert points(Decimal("0.00")) == "0.00"
    assert points(None) == "—"


def test_in_a_template_under_the_chinese_locale(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    out = Template("{% load opsqm_format %}{{ a|money }} {{ s|score }} {{ p|points }}").render(
        Context({"a": Decimal("132500"), "s": Decimal("97"), "p": Decimal("-1")})
    )
    assert out == "¥132,500.00 97.00 -1.00"
