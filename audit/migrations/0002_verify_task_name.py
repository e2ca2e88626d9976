"""The nightly verification task is now named after the app it lives in."""

from django.db import migrations

OLD, NEW = "workflow.audit_verify", "audit.verify"


def forwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=OLD).update(task=NEW)


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=NEW).update(task=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("ntm_workflow", "0003_audit_verify_schedule"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
