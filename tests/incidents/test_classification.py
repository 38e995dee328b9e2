"""第十一条 classification helper: every case and its boundaries (pure Python)."""

from __future__ import annotations

import datetime
import subprocess
import sys

import pytest

from opsqm.facts.incidents.classification import (
    Facts,
    HumanError,
    Scope,
    classify,
    minutes_between,
)

H = 60


@pytest.mark.parametrize(
    ("scope", "minutes", "level"),
    [
        (Scope.CORE_PARALYSED, 2 * H, None),  # exactly 2 h is not "> 2 h"
        (Scope.CORE_PARALYSED, 2 * H + 1, 1),
        (Scope.CORE_PARALYSED, 30 * H, 1),
        (Scope.PARTIAL_FUNCTION, 4 * H, None),
        (Scope.PARTIAL_FUNCTION, 4 * H + 1, 2),
        (Scope.PARTIAL_FUNCTION, 3 * H, None),
        (Scope.PARTIAL_FUNCTION, 48 * H, 2),
        (Scope.NON_CORE, 24 * H, None),
        (Scope.NON_CORE, 24 * H + 1, 3),
        (Scope.NON_CORE, 5 * H, None),
        (Scope.NONE, 100 * H, None),
    ],
)
def test_outage_thresholds(scope: Scope, minutes: int, level: int | None) -> None:
    p = classify(Facts(scope=scope, outage_minutes=minutes))
    assert p.level == level
    assert p.reasons, "every proposal says why"
    assert all(r.clause.startswith("第十一条") for r in p.reasons)


def test_outage_reason_cites_the_clause_and_the_duration() -> None:
    p = classify(Facts(scope=Scope.CORE_PARALYSED, outage_minutes=2 * H + 1))
    assert p.reasons[0].clause == "第十一条(一)"
    assert "2 小时 1 分" in p.reasons[0].text and "超过 2 小时" in p.reasons[0].text


@pytest.mark.parametrize(
    ("facts", "level", "clause"),
    [
        (Facts(core_data_lost=True), 1, "第十一条(一)2"),
        (Facts(sensitive_data_leaked=True), 1, "第十一条(一)2"),
        (Facts(major_security_event=True), 1, "第十一条(一)3"),
        (Facts(human_error=HumanError.DELETED_CORE_DATA), 1, "第十一条(四)"),
        (Facts(human_error=HumanError.WRONG_COMMAND_PARTIAL_OUTAGE), 2, "第十一条(四)"),
        (Facts(human_error=HumanError.VIDEO_CONFERENCE_OPERATION), 3, "第十一条(四)"),
        (Facts(video_conference_fault=True), 3, "第十一条(三)4"),
    ],
)
def test_cases_without_a_duration(facts: Facts, level: int, clause: str) -> None:
    p = classify(facts)
    assert p.level == level
    assert [r.clause for r in p.reasons] == [clause]


def test_data_loss_is_level_1_even_for_a_short_outage() -> None:
    p = classify(Facts(scope=Scope.PARTIAL_FUNCTION, outage_minutes=30, core_data_lost=True))
    assert p.level == 1
    assert len(p.reasons) == 2  # the short outage is named too, giving no level


def test_the_most_severe_finding_wins_and_all_are_listed() -> None:
    p = classify(
        Facts(
            scope=Scope.NON_CORE,
            outage_minutes=25 * H,
            human_error=HumanError.WRONG_COMMAND_PARTIAL_OUTAGE,
            video_conference_fault=True,
        )
    )
    assert p.level == 2
    assert sorted(r.level for r in p.reasons if r.level) == [2, 3, 3]


@pytest.mark.parametrize(("base", "raised"), [(3, 2), (2, 1)])
def test_core_business_impact_raises_one_level(base: int, raised: int) -> None:
    scope, minutes = {3: (Scope.NON_CORE, 25 * H), 2: (Scope.PARTIAL_FUNCTION, 5 * H)}[base]
    p = classify(Facts(scope=scope, outage_minutes=minutes, core_business_affected=True))
    assert p.level == raised and p.raised
    assert "可根据实际影响程度提升事故等级" in p.reasons[-1].text
    assert p.reasons[-1].clause == "第十一条(四)"


def test_level_1_cannot_be_raised() -> None:
    p = classify(Facts(core_data_lost=True, core_business_affected=True))
    assert p.level == 1 and not p.raised
    assert "无从提升" in p.reasons[-1].text


def test_core_business_impact_alone_does_not_make_an_incident() -> None:
    p = classify(
        Facts(scope=Scope.PARTIAL_FUNCTION, outage_minutes=3 * H, core_business_affected=True)
    )
    assert p.level is None and not p.raised


def test_nothing_recorded_proposes_no_level() -> None:
    p = classify(Facts())
    assert p.level is None
    assert p.reasons[0].clause == "第十一条"


def test_unknown_duration_gives_no_outage_reason() -> None:
    assert classify(Facts(scope=Scope.CORE_PARALYSED, outage_minutes=None)).level is None


def test_minutes_between_drops_seconds_and_never_goes_negative() -> None:
    t0 = datetime.datetime(2026, 1, 1, 8, 0, tzinfo=datetime.UTC)
    assert minutes_between(t0, t0 + datetime.timedelta(hours=2, seconds=59)) == 120
    assert minutes_between(t0, t0 + datetime.timedelta(hours=2, minutes=1)) == 121
    assert minutes_between(t0, t0 - datetime.timedelta(hours=1)) == 0


def test_as_list_is_json_ready() -> None:
    p = classify(Facts(video_conference_fault=True))
    assert p.as_list() == [
        {
            "level": 3,
            "clause": "第十一条(三)4",
            "text": "视频会议类故障（音频啸叫、回声/噪音干扰、画面不同步）",
        }
    ]


def test_module_is_pure() -> None:
    code = (
        "import sys, opsqm.facts.incidents.classification; "
        "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
