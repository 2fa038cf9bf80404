"""A trigram index for the back office's search of staff by the name the organisation entered
(`full_name icontains`, i.e. UPPER(full_name) LIKE UPPER('%word%')) on PostgreSQL; the e-mail
address has one since `children.0004`. SQLite (development, tests) needs none."""

from django.db import migrations

INDEXES = [
    ("accounts_profile_full_name_trgm", "accounts_organisationprofile", "gin (UPPER(full_name) gin_trgm_ops)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_group_tablet_and_tablet_pin"),
        ("children", "0004_trigram_search"),
    ]

    operations = [migrations.RunPython(create, drop)]
