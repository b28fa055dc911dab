"""Indexed text search on PostgreSQL that Django's ``icontains`` uses (issue 11).

``icontains`` on PostgreSQL is ``UPPER(x::text) LIKE UPPER(%s)``, which the plain pg_trgm indexes
of 0011 on ``x`` do not serve: the keyword search walked the whole list (~1 s at 500k). These
indexes are on exactly those expressions. Other databases: nothing; PostgreSQL without pg_trgm
(0011 could not create it): nothing either (search still works, by scanning).
"""

from django.db import migrations

POSTGRES_CREATE = [
    "CREATE INDEX IF NOT EXISTS problem_description_upper_trgm ON supervision_problem "
    "USING gin ((UPPER(description)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS problem_number_upper_trgm ON supervision_problem "
    "USING gin ((UPPER(number::text)) gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS problem_description_upper_trgm",
    "DROP INDEX IF EXISTS problem_number_upper_trgm",
]


def _has_trgm(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    return cursor.fetchone() is not None


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _has_trgm(cursor):
            return
    for statement in POSTGRES_CREATE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0011_problem_text_search")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
