from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_search_facet_value_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchindexgeneration",
            name="seq",
            field=models.BigIntegerField(default=0),
        ),
        migrations.CreateModel(
            name="SearchIndexChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(db_index=True)),
                ("dataset_id", models.BigIntegerField(null=True)),
                ("prev_token", models.CharField(max_length=32)),
                ("token", models.CharField(max_length=32)),
            ],
        ),
    ]
