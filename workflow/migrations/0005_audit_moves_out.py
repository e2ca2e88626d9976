"""The audit trail now lives in the ``audit`` app (see audit/migrations/0001_initial.py):
the workflow app forgets the model; the table and its rows stay. Its append-only trigger
is dropped only after the audit app has installed its own on the same table, so the
table is never unprotected."""

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ntm_workflow", "0004_request_origin"),
        ("audit", "0003_append_only_trigger"),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name="auditevent", name="audit_append_only"),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
        ),
    ]
