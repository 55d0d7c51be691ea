import time

from django.core.management.base import CommandError

from accountability.seeding import ProgressBar, app_seed_modules
from core.management import AuditedCommand
from org.seed_base import seed_scale_base


class Command(AuditedCommand):
    help = "Synthetic data at UN scale (factor 1: ~100 units, ~37,000 staff, 1,000,000 decisions, ...)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor", type=float, default=0.01, help="1 = Secretariat scale; 0.01 for a quick run"
        )

    def run(self, *args, factor: float, **options):
        if not 0 < factor <= 10:
            raise CommandError("--factor must be above 0 and at most 10")
        started = time.monotonic()
        progress = ProgressBar(self.stdout)
        counts = seed_scale_base(factor, progress)
        for _app, module in app_seed_modules():
            if hasattr(module, "seed_scale"):
                counts.update(module.seed_scale(factor, progress) or {})
        self.stdout.write(f"Done in {time.monotonic() - started:.1f}s:")
        for name, value in counts.items():
            self.stdout.write(f"  {name:<28} {value:>12,}")
