"""One audit chain per province and a national chain (docs/AUDIT_KEYS.md, "Chains").

Every existing event and checkpoint gets the column default, chain 0: together they are the
national chain's first segment, their hashes unchanged (an event of the national chain does
not hash its chain key). New chains start empty from this migration on. No row is updated:
on PostgreSQL ``ADD COLUMN ... DEFAULT`` writes no row (the append-only trigger is not
involved); SQLite rebuilds the tables, which drops their triggers: they are put back."""

from django.conf import settings
from django.db import migrations, models

from audit.sqlite import ALL_TRIGGERS


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in ALL_TRIGGERS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_auditkeys_keyed_hash_checkpoints'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditcheckpoint',
            options={'ordering': ['at', 'chain', 'seq'], 'verbose_name': 'audit checkpoint', 'verbose_name_plural': 'audit checkpoints'},
        ),
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['id'], 'verbose_name': 'audit event', 'verbose_name_plural': 'audit events'},
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='chain',
            field=models.BigIntegerField(default=0, verbose_name='chain'),
        ),
        migrations.AddField(
            model_name='auditcheckpoint',
            name='overall',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='overall head'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.BigIntegerField(default=0, verbose_name='chain'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(verbose_name='sequence'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('chain', 'seq'), name='audit_chain_seq_uniq'),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
    ]
