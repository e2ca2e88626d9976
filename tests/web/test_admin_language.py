"""The Django admin reads Vietnamese throughout, third-party models included."""

import re

from django.contrib import admin
from django.test import Client
from django.urls import reverse

ENGLISH = re.compile(r"\b(the|of|and|Add|Change|Delete|Save|Search|Filter|Show|Hide|Select|"
                     r"Skip|link|Tasks?|Tokens?|Periodic|Process|Workflow|Model|Intervals?|"
                     r"Crontabs?|Clocked|Solar|History|Home)\b")


# Not translatable from outside: django-celery-beat's literal verbose_name "Task Name"
# (no gettext in the package), and the names of the schedules, which are data.
VENDOR_LITERALS = {"Task Name", "Bởi Task Name", "Verify the audit chain", "Deadline reminders",
                   "Sign an audit checkpoint", "Publish the audit chain head"}
# django-otp builds its search help from a literal "Search by user's ..." (no gettext).
# django-celery-beat describes a crontab with cron-descriptor, in English only.
VENDOR_PREFIXES = ("Search by user&#x27;s ", "At ")


def visible_text(html: str) -> list[str]:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return [t.strip() for t in re.sub(r"<[^>]+>", "\n", html).splitlines() if t.strip()]


def test_admin_pages_have_no_english_text(admin_user, kit):
    client = Client()
    client.force_login(admin_user)
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    found = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        english = [t for t in visible_text(response.content.decode()) if ENGLISH.search(t) and t not in VENDOR_LITERALS
                   and not t.startswith(VENDOR_PREFIXES)]
        if english:
            found[page] = english
    assert found == {}, found
