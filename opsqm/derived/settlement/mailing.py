"""第二十一条: the vendor manager's mailbox receives a copy of the settlement statement
when it is signed off (the frozen statement as a spreadsheet, threaded under its own
tag `[JS-<year>-<contract>]`; replies and the server time are kept by the incidents
register's mail records, opsqm.facts.incidents.mailing)."""

from __future__ import annotations

from typing import Any

from opsqm.derived.settlement import exports
from opsqm.derived.settlement.models import SettlementStatement
from opsqm.facts.incidents.mailing import PREFIXES, manager_copy
from opsqm.facts.incidents.models import NoticeMail
from opsqm.infra.core.formats import shown_time


def statement_ref(st: SettlementStatement) -> str:
    return f"{PREFIXES['settlement']}-{st.contract.end.year}-{st.contract_id:04d}"


def copy_to_manager(st: SettlementStatement, user: Any) -> NoticeMail | None:
    """Queue the manager's copy of a signed statement (None: no manager mailbox)."""
    contract = st.contract
    signed = shown_time(st.signed_at)
    meta = {
        "状态 Status": str(st.get_status_display()),
        "签发 Signed off at": signed,
        "证据 SHA-256": st.evidence_sha256,
        "规则 Rulebook": st.rulebook,
    }
    sheet = exports.statement_xlsx(contract, st.frozen_ledger or {}, meta)
    body = "\n".join(
        [
            f"结算单 Settlement statement — 合同 Contract {contract.code}",
            f"签发 Signed off at: {signed}",
            f"证据 Evidence export SHA-256: {st.evidence_sha256}",
            "",
            "结算单见附件。 The statement is attached.",
        ]
    )
    return manager_copy(
        contract,
        NoticeMail.Purpose.SETTLEMENT,
        statement_ref(st),
        subject=f"结算单 {contract.code}",
        body=body,
        user=user,
        attachments=[(f"settlement-{contract.code}.xlsx", sheet, None)],
    )
