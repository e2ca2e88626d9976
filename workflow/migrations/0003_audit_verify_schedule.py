"""Nightly verification of the audit chain (editable in the admin's periodic tasks)."""

from django.db import migrations

from config.beat import ensure_periodic_task, remove_periodic_task

NAME = "Verify the audit chain"


def forwards(apps, schema_editor):
    ensure_periodic_task(apps, name=NAME, task="workflow.audit_verify", hour="2", minute="30")


def backwards(apps, schema_editor):
    remove_periodic_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("ntm_workflow", "0002_sqlite_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
