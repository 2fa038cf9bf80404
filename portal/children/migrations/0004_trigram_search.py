"""Indexes for the back office's children search on PostgreSQL: `icontains` becomes
UPPER(column) LIKE UPPER('%word%'), which a trigram (pg_trgm) GIN index on UPPER(column)
answers without reading every child; `iexact` on the external id uses a plain index on
UPPER(external_id). SQLite (development, tests) has no such indexes and needs none."""

from django.db import migrations

INDEXES = [
    ("children_child_first_name_trgm", "children_child", "gin (UPPER(first_name) gin_trgm_ops)"),
    ("children_child_last_name_trgm", "children_child", "gin (UPPER(last_name) gin_trgm_ops)"),
    ("children_child_external_id_upper", "children_child", "(UPPER(external_id))"),
    ("accounts_user_email_trgm", "accounts_user", "gin (UPPER(email) gin_trgm_ops)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, definition in INDEXES:
        using = "USING " if definition.startswith("gin") else ""
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {using}{definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _definition in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0003_alter_placement_group"),
        ("accounts", "0004_fill_organisation_profiles"),
    ]

    operations = [migrations.RunPython(create, drop)]
