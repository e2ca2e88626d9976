"""Existing dossiers get the group and region of their commune (fixed from now on)."""

from django.db import migrations


def group_from_commune(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    for dossier in Dossier.objects.select_related("commune").filter(
            commune_group__isnull=True, region=""):
        dossier.commune_group = dossier.commune.group
        dossier.region = dossier.commune.region
        dossier.save(update_fields=["commune_group", "region"])


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0006_groups_regions_thresholds"),
    ]

    operations = [
        migrations.RunPython(group_from_commune, migrations.RunPython.noop),
    ]
