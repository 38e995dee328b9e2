"""An index on UPPER(number) for the board's number search and the mail threading.

Django writes case-insensitive lookups on PostgreSQL as `UPPER("number"::text) = …`
(`iexact`: the mail subscriber's `number__iexact`) and `UPPER("number"::text) LIKE
'GD-2025-00%'` (`istartswith`: the board's number search).  The plain index on
`number` serves neither.  `text_pattern_ops` lets one index serve both, whatever the
database's collation.  PostgreSQL only: on SQLite (the small, embedded set-up) these
lookups are `LIKE`s that an ordinary index does not serve, and the index is not made.
Not part of the model state (like the `_like` indexes Django adds itself on
PostgreSQL), so `makemigrations` leaves it alone.  docs/tickets.md, docs/benchmarks.md.
"""

from django.db import migrations

NAME = "ticket_number_upper_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} "
            "ON tickets_ticket (UPPER(number::text) text_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_awaiting_phone"),
    ]

    operations = [migrations.RunPython(create, drop)]
