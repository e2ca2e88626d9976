"""Nightly verification of the audit chain (editable in the admin's periodic tasks)."""

from django.db import migrations


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Ho_Chi_Minh")
    PeriodicTask.objects.get_or_create(
        name="Verify the audit chain",
        defaults={"task": "workflow.audit_verify", "crontab": schedule, "enabled": True})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="Verify the audit chain").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ntm_workflow", "0002_sqlite_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
