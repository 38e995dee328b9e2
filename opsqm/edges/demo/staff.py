"""Each contract's on-site team: registered and verified (the third person two days
late: P1), and on the seed contract a replacement notified only 4 days ahead (P2)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from opsqm.edges.demo.files import pdf
from opsqm.edges.demo.story import at
from opsqm.facts.contracts.models import Contract
from opsqm.facts.staff import services as staff


def register_team(
    contract: Contract, prefix: str, names: list[str], first: date, replace: bool
) -> list[Any]:
    """The people of `names`, then (`replace`) a newcomer who replaces the last of
    them a month into the period.  Returns everyone, the newcomer last."""
    people = [_member(contract, prefix, n, name) for n, name in enumerate(names, start=1)]
    if replace:
        people.append(_replacement(contract, f"{prefix}{len(names) + 1:02d}", people[-1], first))
    return people


def _pledge(prefix: str, n: int, day: date) -> dict[str, Any]:
    """附件二: the signed 保密承诺书, needed before the entry verification."""
    from django.utils import timezone

    from opsqm.infra.core.uploads import as_upload

    day = min(day, timezone.localdate())  # a contract starting later: signed already
    scan = pdf([f"Confidentiality pledge {prefix}{n:02d}", f"signed {day.isoformat()}"])
    return {"pledge_signed_on": day, "pledge_scan": as_upload(scan, f"pledge-{prefix}{n}.pdf")}


def _member(contract: Contract, prefix: str, n: int, name: str) -> Any:
    s = staff.register_staff(
        contract,
        {
            "person": f"{prefix}{n:02d}",
            "name": name,
            "on_site": True,
            "entered_on": contract.start,
            "id_number": f"11010819900101{n:03d}X",
            **_pledge(prefix, n, contract.start),
        },
    )
    # The third person was verified two days after the first day (P1).
    verified = contract.start + timedelta(days=2 if n == 3 else 0)
    staff.record_verification(
        s,
        {
            "verified_on": verified,
            "id_card_checked": True,
            "resume_checked": True,
            "degree_or_certificate_checked": True,
            "remarks": "原件核验",
        },
    )
    return s


def _replacement(contract: Contract, person: str, leaving: Any, first: date) -> Any:
    day = first + timedelta(days=30)
    newcomer = staff.register_staff(
        contract, {"person": person, "name": "赵工", "entered_on": day, **_pledge(person, 0, day)}
    )
    staff.record_verification(
        newcomer,
        {
            "verified_on": day,
            "id_card_checked": True,
            "resume_checked": True,
            "degree_or_certificate_checked": True,
        },
    )
    staff.register_replacement(
        contract,
        {
            "person_out": leaving,
            "person_in": newcomer,
            "replaced_at": at(day, 9),
            "notified_at": at(day - timedelta(days=4), 10),  # < 7 days: P2
            "emergency": False,
            "reason": "原驻场人员调岗",
        },
    )
    leaving.refresh_from_db()
    return newcomer
