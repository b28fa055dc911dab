"""Indexed text search of problems (issue 11): the problem list's ?q= scanned every description.

SQLite: an FTS5 table with the trigram tokenizer over number and description (external content,
kept in step by triggers), so any run of three or more characters is found through the index.
PostgreSQL: pg_trgm GIN indexes on number and description, which ``ILIKE '%…%'`` uses. Other
databases, or PostgreSQL without the right to create the extension: nothing (search still works,
by scanning).
"""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE supervision_problem_fts USING fts5(
        number, description, content='supervision_problem', content_rowid='id',
        tokenize='trigram')""",
    """CREATE TRIGGER supervision_problem_fts_insert AFTER INSERT ON supervision_problem BEGIN
        INSERT INTO supervision_problem_fts(rowid, number, description)
        VALUES (new.id, new.number, new.description);
    END""",
    """CREATE TRIGGER supervision_problem_fts_delete AFTER DELETE ON supervision_problem BEGIN
        INSERT INTO supervision_problem_fts(supervision_problem_fts, rowid, number, description)
        VALUES ('delete', old.id, old.number, old.description);
    END""",
    """CREATE TRIGGER supervision_problem_fts_update
    AFTER UPDATE OF number, description ON supervision_problem BEGIN
        INSERT INTO supervision_problem_fts(supervision_problem_fts, rowid, number, description)
        VALUES ('delete', old.id, old.number, old.description);
        INSERT INTO supervision_problem_fts(rowid, number, description)
        VALUES (new.id, new.number, new.description);
    END""",
    "INSERT INTO supervision_problem_fts(supervision_problem_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS supervision_problem_fts_insert",
    "DROP TRIGGER IF EXISTS supervision_problem_fts_delete",
    "DROP TRIGGER IF EXISTS supervision_problem_fts_update",
    "DROP TABLE IF EXISTS supervision_problem_fts",
]
POSTGRES_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS problem_description_trgm ON supervision_problem "
    "USING gin (description gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS problem_number_trgm ON supervision_problem "
    "USING gin (number gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS problem_description_trgm",
    "DROP INDEX IF EXISTS problem_number_trgm",
]


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        try:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SAVEPOINT civility_trgm")
            _run(schema_editor, POSTGRES_CREATE)
        except Exception:  # noqa: BLE001 - no right to create pg_trgm: search scans instead
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("ROLLBACK TO SAVEPOINT civility_trgm")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0010_city_scale_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
