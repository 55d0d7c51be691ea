from django.core.management.base import BaseCommand

from operations.upgrade import bridge_release_0_1, needs_bridge


class Command(BaseCommand):
    help = (
        "Bring a database made by release 0.1.0 to the state of today's first migrations "
        "(its rows kept), so that `migrate` can run; does nothing on any other database."
    )

    def handle(self, *args, **options):
        if not needs_bridge():
            self.stdout.write("Not a release 0.1.0 database: nothing to do; run migrate.")
            return
        copied = bridge_release_0_1(write=lambda line: self.stdout.write(line, ending="\n"))
        self.stdout.write(f"Release 0.1.0 database bridged: {copied} rows copied. Now run migrate.")
