"""The oversight bodies the resolution names exist on every installation, not only with demo data."""

from django.db import migrations

BODIES = [
    ("OIOS", "Office of Internal Oversight Services", "内部监督事务厅"),
    ("BOA", "Board of Auditors", "审计委员会"),
    ("JIU", "Joint Inspection Unit", "联合检查组"),
    ("ACABQ", "Advisory Committee on Administrative and Budgetary Questions", "行政和预算问题咨询委员会"),
    ("IAAC", "Independent Audit Advisory Committee", "独立审计咨询委员会"),
]


def add_bodies(apps, schema_editor):
    OversightBody = apps.get_model("oversight", "OversightBody")
    for code, name, name_zh in BODIES:
        OversightBody.objects.get_or_create(code=code, defaults={"name": name, "name_zh": name_zh})


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]

    operations = [migrations.RunPython(add_bodies, migrations.RunPython.noop)]
