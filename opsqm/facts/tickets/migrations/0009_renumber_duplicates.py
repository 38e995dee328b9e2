"""A ticket number names one ticket across all contracts (issue 12).

Numbers were unique per contract only, so registered or imported history (the demo's
`GD-0001` in every contract) could give two contracts the same number, and a mail tag
or a ledger line named two tickets.  Before the constraint is made, every duplicate
but the first (lowest id) gets the next free number of the flow's own sequence,
`GD-<year>-<NNNN>` for the year of its dispatch (else of its creation); the old number
is kept on the ticket's timeline (`renumbered`).  The same database always gives the
same numbers.  The `problem` key is left alone (T7 groups by it within a contract),
and the contracts concerned get a new evidence version so that kept ledgers are
recomputed with the new references.
"""

import zoneinfo

from django.conf import settings
from django.db import migrations
from django.db.models import Count, F
from django.utils import timezone

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def _next_free(seq, year, taken):
    prefix = getattr(settings, "MAIL_TICKET_PREFIX", "GD")
    while True:
        seq.last += 1
        number = f"{prefix}-{year}-{seq.last:04d}"
        if number not in taken:
            seq.save(update_fields=["last"])
            return number


def renumber_duplicates(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Event = apps.get_model("tickets", "Event")
    Sequence = apps.get_model("tickets", "TicketSequence")
    EvidenceVersion = apps.get_model("contracts", "EvidenceVersion")
    duplicated = sorted(
        Ticket.objects.values("number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("number", flat=True)
    )
    if not duplicated:
        return
    taken = set(Ticket.objects.values_list("number", flat=True))
    now = timezone.now()
    touched = set()
    for old in duplicated:
        for ticket in Ticket.objects.filter(number=old).order_by("id")[1:]:
            year = (ticket.dispatched_at or ticket.created_at).astimezone(BEIJING).year
            seq, _created = Sequence.objects.get_or_create(year=year)
            new = _next_free(seq, year, taken)
            taken.add(new)
            Ticket.objects.filter(pk=ticket.pk).update(number=new)
            Event.objects.create(
                ticket_id=ticket.pk,
                at=now,
                source="app",
                action="renumbered",
                text=old,
                data={"old": old, "new": new},
            )
            touched.add(ticket.contract_id)
    for contract_id in sorted(touched):
        bumped = EvidenceVersion.objects.filter(contract_id=contract_id)
        if not bumped.update(version=F("version") + 1):
            EvidenceVersion.objects.create(contract_id=contract_id, version=1)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0003_evidenceversion"),
        ("tickets", "0008_text_limits"),
    ]

    operations = [migrations.RunPython(renumber_duplicates, migrations.RunPython.noop)]
