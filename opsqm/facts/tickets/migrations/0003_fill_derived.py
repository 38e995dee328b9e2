from django.db import migrations


def fill(apps, schema_editor):
    from opsqm.facts.tickets.models import derived_deadline, derived_status

    Ticket = apps.get_model("tickets", "Ticket")
    batch = []
    for t in Ticket.objects.all().iterator(chunk_size=2000):
        t.deadline, t.status = derived_deadline(t), derived_status(t)
        batch.append(t)
        if len(batch) >= 2000:
            Ticket.objects.bulk_update(batch, ["deadline", "status"])
            batch = []
    if batch:
        Ticket.objects.bulk_update(batch, ["deadline", "status"])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_flow"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
