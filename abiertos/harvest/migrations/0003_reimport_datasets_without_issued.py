"""Harvested datasets whose source gave only ``modified`` were stored without ``issued`` (the
import mapping now uses ``modified`` for it): their records forget the content hash, so the next
run of each source imports them again, through the usual path (revision, audit, export fragments)."""

from django.db import migrations


def records_of_datasets_without_issued_forget_their_hash(apps, schema_editor):
    HarvestRecord = apps.get_model("harvest", "HarvestRecord")
    HarvestRecord.objects.filter(
        dataset__issued__isnull=True, dataset__modified__isnull=False, dataset__deleted_at__isnull=True
    ).exclude(content_hash="").update(content_hash="")


class Migration(migrations.Migration):
    dependencies = [
        ("harvest", "0002_validation_checks"),
    ]

    operations = [
        migrations.RunPython(records_of_datasets_without_issued_forget_their_hash, migrations.RunPython.noop),
    ]
