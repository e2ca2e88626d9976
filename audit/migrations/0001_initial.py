"""The trail moves from the workflow app to its own app at the bottom of the layers.

Only Django's state moves: the table (``ntm_workflow_auditevent``), its rows, its indexes
and its append-only triggers stay exactly as they are. The foreign keys to the domain
become the plain id columns they already were in the database (no constraints)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ntm_workflow", "0004_request_origin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("seq", models.PositiveBigIntegerField(unique=True,
                                                               verbose_name="sequence")),
                        ("at", models.DateTimeField(db_index=True, verbose_name="time")),
                        ("actor_name", models.CharField(max_length=150,
                                                        verbose_name="actor name")),
                        ("agency_id", models.BigIntegerField(db_index=True, null=True,
                                                             verbose_name="agency")),
                        ("agency_name", models.CharField(blank=True, max_length=200,
                                                         verbose_name="agency name")),
                        ("action", models.CharField(db_index=True, max_length=64,
                                                    verbose_name="action")),
                        ("object_type", models.CharField(max_length=64,
                                                         verbose_name="object type")),
                        ("object_id", models.CharField(max_length=64, verbose_name="object id")),
                        ("object_repr", models.CharField(max_length=300, verbose_name="object")),
                        ("dossier_id", models.BigIntegerField(db_index=True, null=True,
                                                              verbose_name="dossier")),
                        ("province_id", models.BigIntegerField(db_index=True, null=True,
                                                               verbose_name="province")),
                        ("before", models.JSONField(blank=True, null=True,
                                                    verbose_name="before")),
                        ("after", models.JSONField(blank=True, null=True, verbose_name="after")),
                        ("reason", models.TextField(blank=True,
                                                    verbose_name="reason or remark")),
                        ("request_id", models.CharField(blank=True, max_length=64,
                                                        verbose_name="request")),
                        ("request_path", models.CharField(blank=True, max_length=300,
                                                          verbose_name="request path")),
                        ("remote_addr", models.GenericIPAddressField(blank=True, null=True,
                                                                     verbose_name="IP address")),
                        ("prev_hash", models.CharField(max_length=64,
                                                       verbose_name="previous hash")),
                        ("hash", models.CharField(max_length=64, unique=True,
                                                  verbose_name="hash")),
                        ("actor", models.ForeignKey(
                            db_constraint=False, null=True,
                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                            to=settings.AUTH_USER_MODEL, verbose_name="actor")),
                    ],
                    options={
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit events",
                        "db_table": "ntm_workflow_auditevent",
                        "ordering": ["seq"],
                        "indexes": [
                            models.Index(fields=["object_type", "object_id"],
                                         name="audit_object_idx"),
                            models.Index(fields=["dossier_id", "seq"],
                                         name="audit_dossier_idx"),
                        ],
                    },
                ),
            ],
        ),
    ]
