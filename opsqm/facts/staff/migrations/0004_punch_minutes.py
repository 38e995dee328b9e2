"""Fill Punch.minute (the punch without its seconds) and keep one punch per person
and minute: of punches in the same minute the earliest stays (docs/attendance.md)."""

from django.db import migrations


def fill_minutes(apps, schema_editor):
    Punch = apps.get_model("staff", "Punch")
    seen = set()
    doubles = []
    batch = []
    for punch in Punch.objects.order_by("person_id", "at", "pk").iterator(chunk_size=2000):
        minute = punch.at.replace(second=0, microsecond=0)
        key = (punch.person_id, minute)
        if key in seen:
            doubles.append(punch.pk)
            continue
        seen.add(key)
        punch.minute = minute
        batch.append(punch)
        if len(batch) >= 2000:
            Punch.objects.bulk_update(batch, ["minute"])
            batch = []
    if batch:
        Punch.objects.bulk_update(batch, ["minute"])
    if doubles:
        Punch.objects.filter(pk__in=doubles).delete()


class Migration(migrations.Migration):
    dependencies = [("staff", "0003_attendance")]

    operations = [migrations.RunPython(fill_minutes, migrations.RunPython.noop)]
