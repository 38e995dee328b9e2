"""The bureau's registers: three vendors, five units and the contracts (the seed
contract of the rulebook, two more of this year, and the seed's renewal once the seed
year is over)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from opsqm.edges.demo.story import Story
from opsqm.facts.contracts import services as contracts
from opsqm.facts.contracts.models import Contract

SEED_CONTRACT = "C-2025-001"
# The seed contract renewed with the same vendor for the next year: once the seed
# year is over, today's reports are the renewal's work (a report after a contract's
# end would otherwise count in that contract's final ledger).
RENEWAL_CONTRACT = "C-2026-004"

VENDORS = (
    ("北京凯辉科技有限公司", "kaihui-om@bjjgj.intranet", "tanglibin@kaihui.example", "汤利斌"),
    ("北京华信运维服务有限公司", "huaxin-om@bjjgj.intranet", "manager@huaxin.example", "李经理"),
    ("北京中科数安科技有限公司", "zkshuan-om@bjjgj.intranet", "boss@zkshuan.example", "周经理"),
)
UNITS = ("清河分局", "天河监狱", "前进监狱", "良乡监狱", "女子监狱")


def create_vendors_and_units() -> tuple[list[Any], dict[str, Any]]:
    vendors = [
        contracts.create_vendor(
            {"name": n, "intranet_mailbox": i, "manager_mailbox": m, "contact": c}
        )
        for n, i, m, c in VENDORS
    ]
    units = {n: contracts.create_unit({"name": n, "head": f"{n}信息科"}) for n in UNITS}
    return vendors, units


def create_seed(vendors: list[Any], units: dict[str, Any]) -> Contract:
    """The contract of the seed text (合同), with its own dates."""
    return contracts.create_contract(
        {
            "code": SEED_CONTRACT,
            "title": "移动执法终端软件运维",
            "vendor": vendors[0],
            "amount": Decimal("530000.00"),
            "final_payment": Decimal("132500.00"),
            "start": date(2025, 10, 25),
            "end": date(2026, 10, 24),
            "bond": False,
            "signed_on": date(2025, 10, 29),  # 六(二)1's staff list and 五.2 count from it
        },
        [units["清河分局"], units["天河监狱"], units["前进监狱"]],
    )


def create_network(story: Story, vendors: list[Any], units: dict[str, Any]) -> Contract:
    year = story.now.year
    return contracts.create_contract(
        {
            "code": "C-2026-002",
            "title": "网络与机房运维",
            "vendor": vendors[1],
            "amount": Decimal("860000.00"),
            "final_payment": Decimal("215000.00"),
            "start": date(year, 1, 1),
            "end": date(year, 12, 31),
            "bond": True,
        },
        [units["良乡监狱"], units["女子监狱"], units["清河分局"]],
    )


def create_video(story: Story, vendors: list[Any], units: dict[str, Any]) -> Contract:
    """A contract with a rulebook override (a 2-hour acknowledgement window)."""
    year = story.now.year
    return contracts.create_contract(
        {
            "code": "C-2026-003",
            "title": "视频会议系统运维",
            "vendor": vendors[2],
            "amount": Decimal("320000.00"),
            "final_payment": Decimal("80000.00"),
            "start": date(year, 3, 1),
            "end": date(year + 1, 2, 28),
            "bond": False,
            "rulebook_overrides": {"tickets.ack_window_hours": 2},
        },
        [units["天河监狱"], units["前进监狱"]],
    )


def create_renewal(story: Story, seed: Contract) -> Contract | None:
    """The seed renewed for the next year, once the seed year is over."""
    if story.now.date() <= seed.end:
        return None
    return contracts.create_contract(
        {
            "code": RENEWAL_CONTRACT,
            "title": "移动执法终端软件运维（续签）",
            "vendor": seed.vendor,
            "amount": Decimal("530000.00"),
            "final_payment": Decimal("132500.00"),
            "start": seed.end + timedelta(days=1),
            "end": date(seed.end.year + 1, seed.end.month, seed.end.day),
            "bond": False,
        },
        list(seed.units.all()),  # the units the seed served
    )
