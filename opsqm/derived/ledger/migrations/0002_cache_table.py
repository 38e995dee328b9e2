"""The shared cache's table (settings.CACHES, the database backend): made here so that
`migrate` is the one set-up step (createcachetable skips what exists)."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def make_cache_table(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(make_cache_table, migrations.RunPython.noop)]
