"""The settlement statement as rows: one shape for the page, XLSX and print."""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from opsqm.derived.ledger.services import rule_groups
from opsqm.infra.core.formats import shown_time
from opsqm.infra.core.spreadsheet import Money, xlsx_workbook
from opsqm.pure.assessment.model import RULE_TITLES


def groups(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """Items of a ledger dict (spec §4) grouped by rule, in rule order."""
    return rule_groups(ledger["items"], ledger["totals"], operator.getitem)


def tier_row(tier: str, final: bool) -> list[Any]:
    """A1's tier; on a provisional result the projected one, never shown as a fine."""
    if final:
        return [_("Tier (第十九条)"), tier]
    return [_("Projected tier (第十九条, provisional)"), _("projected: %(tier)s") % {"tier": tier}]


def summary_rows(contract: Any, ledger: dict[str, Any], meta: dict[str, Any]) -> list[list[Any]]:
    s = ledger["settlement"]
    rows: list[list[Any]] = [
        [_("Contract"), f"{contract.code} {contract.title}"],
        [_("Vendor"), contract.vendor.name],
        [_("Contract amount"), Money(str(contract.amount))],
        [_("Service period"), f"{contract.start} – {contract.end}"],
        [_("As of"), shown_time(ledger["as_of"])],
        [_("Final result"), _("yes") if ledger["final"] else _("no (provisional)")],
        [_("Score"), Decimal(ledger["score"])],
        tier_row(ledger["tier"], ledger["final"]),
    ]
    rows += [
        [f"{_('Fine')} {k if k != 'total' else _('Total')}", Money(v)]
        for k, v in ledger["fines"].items()
    ]
    rows += [
        [_("Final payment"), Money(s["final_payment"])],
        [_("Deducted from the final payment"), Money(s["deducted"])],
        [_("Payable to the vendor"), Money(s["payable"])],
        [_("Owed by the vendor"), Money(s["vendor_owes"])],
        [_("Claim on the performance bond"), Money(s["bond_claim"])],
        *compensation_rows(ledger.get("compensation")),
        [
            _("Termination right (合同 十.2)"),
            _("yes") if ledger["flags"]["termination_right"] else _("no"),
        ],
    ]
    rows += [[k, v] for k, v in meta.items()]
    return rows


def compensation_rows(comp: dict[str, Any] | None) -> list[list[Any]]:
    """第十二条 compensation deducted beside the fines (合同 五.5), line by line."""
    if not comp or not comp.get("lines"):
        return []
    title = _("Compensation for operators' errors (第十二条)")
    rows: list[list[Any]] = [
        [f"{title} {line['incident']} {line['decided_on']}", Money(line["amount"])]
        for line in comp["lines"]
    ]
    return [
        *rows,
        [_("Payable after the compensation"), Money(comp["payable"])],
        [_("Owed by the vendor in all"), Money(comp["vendor_owes"])],
    ]


def item_header() -> list[str]:
    return [
        _("Rule"),
        _("Title"),
        _("Clause"),
        _("Evidence"),
        _("When"),
        _("Note"),
        _("Points"),
        _("Fine"),
        _("Line"),
    ]


def item_rows(ledger: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            i["rule"],
            RULE_TITLES.get(i["rule"], ""),
            i["clause"],
            i["ref"],
            shown_time(i["at"]) if i["at"] else "",
            i["note"],
            Decimal(i["points"]),
            Money(i["fine"]),
            i["line"],
        ]
        for i in ledger["items"]
    ]


def statement_xlsx(contract: Any, ledger: dict[str, Any], meta: dict[str, Any]) -> bytes:
    totals = [[r, RULE_TITLES[r], Decimal(v)] for r, v in ledger["totals"].items()]
    return xlsx_workbook(
        [
            (_("Summary"), None, summary_rows(contract, ledger, meta)),
            (_("Items"), item_header(), item_rows(ledger)),
            (_("Totals"), [_("Rule"), _("Title"), _("Points")], totals),
        ]
    )
