import re
from datetime import time
from decimal import Decimal

import pytest

from opsqm.pure.assessment.model import RULE_IDS
from opsqm.pure.assessment.rulebook import (
    DEFAULT_RULEBOOK,
    RULEBOOK_DIR,
    RulebookError,
    load_rulebook,
    rulebook_for,
)

from .factories import contract


def test_default_rulebook_reads_the_contract_numbers():
    rb = load_rulebook()
    assert rb.name == DEFAULT_RULEBOOK
    assert rb.base_score == Decimal("100")
    assert set(rb.clauses) == set(RULE_IDS)
    assert rb.clauses["T6"] == "第十七条六(一)"
    assert rb.personnel.workday_start == time(9, 0)
    assert rb.personnel.workday_end == time(17, 30)
    assert rb.personnel.late_gap_points == Decimal("-0.1")
    assert rb.tickets.sla_hours == {"urgent": 8, "normal": 24}
    assert rb.tickets.ack_window_hours == 4
    assert [(s.count, s.points, s.fine_rate) for s in rb.tickets.run_steps] == [
        (3, Decimal("-2"), Decimal("0.01")),
        (5, Decimal("-5"), Decimal("0.02")),
    ]
    assert rb.incident_levels[1].fine_rate == Decimal("0.03")
    assert rb.incident_levels[3].report_hours == 48
    assert rb.praise_points["main_leader"] == Decimal("10")
    assert rb.delay_rate_per_period == Decimal("0.005")
    assert [t.name for t in rb.tiers] == ["pass", "5%", "10%", "15%"]


def test_load_by_name_and_by_path_agree():
    by_name = load_rulebook(DEFAULT_RULEBOOK)
    by_path = load_rulebook(RULEBOOK_DIR / f"{DEFAULT_RULEBOOK}.toml")
    assert by_name == by_path


def test_unknown_rulebook_name():
    with pytest.raises(RulebookError, match="no-such-book"):
        load_rulebook("no-such-book")


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        ("100", "pass"),
        ("90", "pass"),
        ("89.99", "5%"),
        ("80", "5%"),
        ("79.99", "10%"),
        ("60", "10%"),
        ("59.99", "15%"),
        ("-20", "15%"),
    ],
)
def test_tier_boundaries(score, tier):
    assert load_rulebook().tier_for(Decimal(score)).name == tier


def test_contract_without_overrides_uses_default_as_is():
    rb = load_rulebook()
    assert rulebook_for(contract(), rb) is rb


def test_dotted_and_nested_overrides():
    rb = load_rulebook()
    dotted = rulebook_for(
        contract(parameters={"tickets.ack_window_hours": 2, "tickets.sla_hours.urgent": 6}), rb
    )
    nested = rulebook_for(
        contract(parameters={"tickets": {"ack_window_hours": 2, "sla_hours": {"urgent": 6}}}), rb
    )
    assert dotted == nested
    assert dotted.tickets.ack_window_hours == 2
    assert dotted.tickets.sla_hours == {"urgent": 6, "normal": 24}
    assert rb.tickets.ack_window_hours == 4  # the default is untouched


def test_override_of_a_decimal_parameter():
    rb = rulebook_for(contract(parameters={"personnel.late_gap_points": "-0.3"}), load_rulebook())
    assert rb.personnel.late_gap_points == Decimal("-0.3")


@pytest.mark.parametrize("key", ["tickets.ack_window", "nosuch", "tickets.sla_hours.critical"])
def test_unknown_parameter_is_named(key):
    with pytest.raises(RulebookError, match=key.replace(".", r"\.")):
        rulebook_for(contract(parameters={key: 1}), load_rulebook())


def test_bad_value_is_named():
    with pytest.raises(RulebookError, match="ack_window_hours"):
        rulebook_for(contract(parameters={"tickets.ack_window_hours": "soon"}), load_rulebook())


def test_contract_names_another_shipped_rulebook(tmp_path):
    with pytest.raises(RulebookError, match="other-book"):
        rulebook_for(contract(rulebook="other-book"), load_rulebook())
    same = rulebook_for(contract(rulebook=DEFAULT_RULEBOOK), load_rulebook())
    assert same.name == DEFAULT_RULEBOOK


def test_rulebook_file_from_path_with_changed_number(tmp_path):
    text = (RULEBOOK_DIR / f"{DEFAULT_RULEBOOK}.toml").read_text(encoding="utf-8")
    text = text.replace('name = "beijing-prison-2025"', 'name = "custom"')
    text = re.sub(r"(?m)^ack_window_hours = 4", "ack_window_hours = 3", text)
    path = tmp_path / "custom.toml"
    path.write_text(text, encoding="utf-8")
    rb = load_rulebook(path)
    assert rb.name == "custom"
    assert rb.tickets.ack_window_hours == 3


def test_missing_parameter_in_file_is_named(tmp_path):
    text = (RULEBOOK_DIR / f"{DEFAULT_RULEBOOK}.toml").read_text(encoding="utf-8")
    path = tmp_path / "broken.toml"
    path.write_text(re.sub(r"(?m)^ack_window_hours.*\n", "", text), encoding="utf-8")
    with pytest.raises(RulebookError, match="ack_window_hours"):
        load_rulebook(path)
