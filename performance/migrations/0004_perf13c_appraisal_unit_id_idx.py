from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0003_list_order_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appraisal",
            index=models.Index(fields=["unit", "id"], name="appraisal_unit_id_idx"),
        ),
    ]
