import sys

from django.core.management.base import BaseCommand
from django.db import transaction

from risk.models import ProcurementCase
from risk.querysets import flag_expression

CHUNK = 20_000
SHOWN = 20


class Command(BaseCommand):
    help = (
        "Recompute every procurement case's `flagged` from the rule (an undeclared panel "
        "member, or a declared interest in one of the case's vendors) and compare it with the "
        "stored flag. Exit 0 and 'OK n cases' when they agree; with --repair, store the rule's "
        "value where they differ (exit 0); without it, name the cases and exit 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Store the recomputed flag where it differs."
        )

    def handle(self, *args, repair=False, **options):
        checked, wrong = 0, []
        last = 0
        while True:
            # Keyset over ids: each chunk one statement, whatever the table's size.
            rows = list(
                ProcurementCase.objects.filter(pk__gt=last)
                .order_by("pk")
                .annotate(should_flag=flag_expression())
                .values_list("pk", "reference", "is_flagged", "should_flag")[:CHUNK]
            )
            if not rows:
                break
            last = rows[-1][0]
            checked += len(rows)
            wrong.extend((pk, ref, should) for pk, ref, stored, should in rows if stored != should)
        for pk, reference, should in wrong[:SHOWN]:
            self.stdout.write(f"{reference} (id {pk}): stored {not should}, the rule says {should}")
        if len(wrong) > SHOWN:
            self.stdout.write(f"... and {len(wrong) - SHOWN} more")
        if not wrong:
            self.stdout.write(f"OK {checked} cases")
            return
        if not repair:
            self.stderr.write(
                f"{len(wrong)} of {checked} cases have a stored flag that differs from the rule "
                "(run with --repair to store it)"
            )
            sys.exit(1)
        with transaction.atomic():
            for value in (True, False):
                ids = [pk for pk, _, should in wrong if should is value]
                for start in range(0, len(ids), CHUNK):
                    ProcurementCase.objects.filter(pk__in=ids[start : start + CHUNK]).update(
                        is_flagged=value
                    )
        self.stdout.write(f"Repaired {len(wrong)} of {checked} cases")
