"""Ticket numbers unique across contracts (the data: 0009)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0009_renumber_duplicates"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="ticket",
            name="ticket_number_per_contract",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_number_idx",
        ),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.UniqueConstraint(fields=("number",), name="ticket_number_unique"),
        ),
    ]
