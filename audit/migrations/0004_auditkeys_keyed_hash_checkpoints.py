"""Keyed event hashes (the key id on each event; events before it stay verifiable as legacy),
signed checkpoints of the chain head (append-only, like the events), and their schedule."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

from audit.sqlite import ALL_TRIGGERS
from config.beat import ensure_periodic_task, remove_periodic_task

CHECKPOINT_TASK = "Sign an audit checkpoint"


def sqlite_triggers(apps, schema_editor):
    # Adding the column rebuilds the table on SQLite, which drops its trigger: put both back.
    if schema_editor.connection.vendor == "sqlite":
        for sql in ALL_TRIGGERS:
            schema_editor.execute(sql)


def schedule(apps, schema_editor):
    ensure_periodic_task(apps, name=CHECKPOINT_TASK, task="audit.checkpoint", hour="*/6",
                         minute="15")


def unschedule(apps, schema_editor):
    remove_periodic_task(apps, name=CHECKPOINT_TASK)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_append_only_trigger'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.PositiveBigIntegerField(db_index=True, verbose_name='sequence')),
                ('hash', models.CharField(max_length=64, verbose_name='hash')),
                ('at', models.DateTimeField(verbose_name='time')),
                ('key_id', models.CharField(max_length=32, verbose_name='key')),
                ('signature', models.CharField(max_length=128, verbose_name='signature')),
            ],
            options={
                'verbose_name': 'audit checkpoint',
                'verbose_name_plural': 'audit checkpoints',
                'db_table': 'audit_checkpoint',
                'ordering': ['seq', 'at'],
            },
        ),
        migrations.AddField(
            model_name='auditevent',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=32, verbose_name='key'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='auditcheckpoint',
            trigger=pgtrigger.compiler.Trigger(name='audit_checkpoint_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='d51883ea346b863cfd637d581e01f63cafb9b406', operation='UPDATE OR DELETE', pgid='pgtrigger_audit_checkpoint_append_only_5e4cd', table='audit_checkpoint', when='BEFORE')),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
    ]
