from django.core.management.base import BaseCommand

from operations.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Anonymise personal records past their retention period (RETENTION_YEARS); with "
        "--dry-run, only list what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; list only.")

    def handle(self, *args, dry_run=False, **options):
        result = apply_retention(dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        for kind, ids in result.changed.items():
            listed = ", ".join(str(i) for i in ids[:50]) + (" ..." if len(ids) > 50 else "")
            self.stdout.write(f"{verb} {len(ids)} {kind} record(s){': ' + listed if ids else ''}")
        for pk, (since, separated) in list(result.person_basis.items())[:50]:
            if separated:
                self.stdout.write(f"  person {pk}: separated on {since.isoformat()}")
            else:
                self.stdout.write(
                    f"  person {pk}: no date of separation; inactive, last changed on "
                    f"{since.isoformat()} (used instead)"
                )
