import sys

from django.core.management.base import BaseCommand

from core.history import verify_chain


class Command(BaseCommand):
    help = "Check the whole change-history hash chain. Exit 0 and 'OK n entries' when intact."

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(f"OK {result.entries} entries (head {result.head_sha256})")
            return
        self.stderr.write(
            f"BROKEN at entry #{result.broken_seq}: {result.reason}. "
            f"The {result.entries} entries before it are intact."
        )
        sys.exit(1)
