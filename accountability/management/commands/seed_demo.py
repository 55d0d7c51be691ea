from django.conf import settings
from django.core.management.base import CommandError

from accountability.seeding import app_seed_modules
from core.management import AuditedCommand
from org.seed_base import seed_demo_base


class Command(AuditedCommand):
    help = "Create the demo org units, people, accounts and a small coherent set of records in every app. Idempotent."

    def run(self, *args, **options):
        if not settings.ALLOW_DEMO_DATA:
            raise CommandError(
                "Demo data is disabled here (ALLOW_DEMO_DATA=0): it creates well-known passwords."
            )
        counts = seed_demo_base(self.stdout)
        for _app, module in app_seed_modules():
            if hasattr(module, "seed_demo"):
                counts.update(module.seed_demo(self.stdout) or {})
        self.stdout.write("Demo data ready: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
