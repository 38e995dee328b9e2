"""The seed contract's clauses that are not points rules (issue 16 §2): its two
agreements of 合同 七, the staff list of 六(二)1 (submitted the day after signing, with
one person more and two fewer than the register), a service unit's own praise
application under its seal (第二十条), and a rectification notice sent by intranet
mail, received at the mail server's time (六(一)2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from opsqm.edges.demo.files import pdf
from opsqm.edges.demo.flow import DEMO_MAILBOX, DEMO_UIDVALIDITY, SERVER_DELAY
from opsqm.edges.demo.story import Story, at
from opsqm.facts.contracts import services as contracts
from opsqm.facts.contracts.models import Contract
from opsqm.facts.incidents import services as incidents
from opsqm.facts.incidents.rectification import send_rectification
from opsqm.facts.incidents.stafflist import staff_list_delivery, submit_staff_list
from opsqm.infra.core.uploads import as_upload

SIGNED_ON = date(2025, 10, 29)  # the seed's signature block


def _scan(name: str, *lines: str) -> Any:
    return as_upload(pdf(lines), name)


def seed_clauses(story: Story, seed: Contract) -> None:
    assessor = story.users["assessor"]
    for kind, title in (("confidentiality", "Annex 1"), ("integrity", "Annex 3")):
        contracts.record_agreement(
            seed,
            kind,
            {"signed_on": SIGNED_ON, "scan": _scan(f"{kind}.pdf", seed.code, title, "signed")},
            assessor,
        )
    delivery = staff_list_delivery(seed)
    if delivery is not None:  # created when the seed was registered with its signing day
        submit_staff_list(
            delivery,
            {"lines": "KH01 张工 13800000001\nKH02 李工 13800000002\n钱工 13800000009"},
            story.users["kh_manager"],
            at(date(2025, 10, 30), 10),
        )
    incidents.apply_praise(
        seed,
        {
            "event": "E-13",
            "level": "service_unit",
            "praised_on": date(2026, 9, 20),
            "description": "清河分局执法终端批量升级，周末加班完成",
            "stamped_scan": _scan("seal.pdf", "Qinghe branch", "praise application", "sealed"),
        },
        story.users["recipient"],
    )
    _mailed_notice(story, seed)


def _mailed_notice(story: Story, seed: Contract) -> None:
    """ZG-03 mailed to the vendor's intranet mailbox; the server's receive time (a
    Sunday afternoon) starts the 5 days; rectified on the 4th day, verified."""
    assessor = story.users["assessor"]
    notice = send_rectification(
        seed,
        {
            "code": "ZG-03",
            "subject": "驻场人员名单与登记不一致",
            "description": "按合同 六(二)1 更正驻场人员名单：补报王工、赵工，删除未登记的钱工",
        },
        assessor,
        track_delivery=True,
    )
    if notice.mail is not None:  # the demo plays the mail server (flow.server)
        from opsqm.infra.mail.services import store_inbound

        story.mail_uid += 1
        sent = at(date(2026, 9, 13), 16, 40)
        raw = notice.mail.raw_bytes()
        store_inbound(DEMO_MAILBOX, DEMO_UIDVALIDITY, story.mail_uid, sent + SERVER_DELAY, raw)
    notice.refresh_from_db()
    incidents.respond_rectification(
        notice,
        {"response": "已重新报送人员名单"},
        story.users["kh_manager"],
        at(date(2026, 9, 17), 11),
    )
    incidents.verify_rectification(notice, True, "名单已与登记一致", assessor)
