"""The morning reminder sweep at 07:00 Asia/Ho_Chi_Minh (editable in the admin)."""

from django.db import migrations

from config.beat import ensure_periodic_task, remove_periodic_task

NAME = "Deadline reminders"


def forwards(apps, schema_editor):
    ensure_periodic_task(apps, name=NAME, task="notifications.sweep", hour="7", minute="0")


def backwards(apps, schema_editor):
    remove_periodic_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
