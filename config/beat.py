"""Periodic tasks are declared in data migrations through these two helpers, so that the
schedule lives in the database (editable in the admin) and is declared in one way."""

from typing import Any

TIME_ZONE = "Asia/Ho_Chi_Minh"


def ensure_periodic_task(apps: Any, *, name: str, task: str, hour: str, minute: str) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")  # noqa: N806
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")  # noqa: N806
    schedule, _created = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=TIME_ZONE)
    PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": schedule,
                                                            "enabled": True})


def remove_periodic_task(apps: Any, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
