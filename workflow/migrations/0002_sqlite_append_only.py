"""On SQLite (the embedded default) refuse UPDATE of audit rows too.

PostgreSQL refuses UPDATE and DELETE through the pgtrigger ``audit_append_only`` trigger.
SQLite has no way to let the test runner's flush through a DELETE trigger, so there a
deleted row is caught by the hash chain (``verify_audit``) instead."""

from django.db import migrations

from audit.sqlite import TRIGGERS


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in TRIGGERS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")


class Migration(migrations.Migration):
    dependencies = [("ntm_workflow", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
