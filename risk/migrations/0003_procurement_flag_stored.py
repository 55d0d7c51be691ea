"""The procurement `flagged` rule stored in an indexed column (issue 13), filled from the rule."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def fill_flags(apps, schema_editor):
    # The rule of risk.querysets.flag_expression, written against the historical models.
    case_model = apps.get_model("risk", "ProcurementCase")
    declaration = apps.get_model("risk", "InterestDeclaration")
    vendor = apps.get_model("risk", "Vendor")
    panel = case_model.panel.through
    undeclared = panel.objects.filter(procurementcase_id=OuterRef("pk")).exclude(
        Exists(
            declaration.objects.filter(
                case_id=OuterRef("procurementcase_id"), person_id=OuterRef("person_id")
            )
        )
    )
    conflicted = (
        declaration.objects.filter(case_id=OuterRef("pk"))
        .exclude(vendor="")
        .filter(
            Exists(
                panel.objects.filter(
                    procurementcase_id=OuterRef("case_id"), person_id=OuterRef("person_id")
                )
            ),
            Exists(vendor.objects.filter(case_id=OuterRef("case_id"), name=OuterRef("vendor"))),
        )
    )
    case_model.objects.filter(Exists(undeclared) | Exists(conflicted)).update(is_flagged=True)


class Migration(migrations.Migration):
    dependencies = [("risk", "0002_statement_critical_risks_sanctions_referrals")]

    operations = [
        migrations.AddField(
            model_name="procurementcase",
            name="is_flagged",
            field=models.BooleanField(default=False, editable=False, verbose_name="flagged"),
        ),
        migrations.AddIndex(
            model_name="procurementcase",
            index=models.Index(fields=["is_flagged", "-opened_on", "-id"], name="proc_flagged_idx"),
        ),
        migrations.RunPython(fill_flags, migrations.RunPython.noop),
    ]
