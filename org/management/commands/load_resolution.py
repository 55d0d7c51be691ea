from django.utils.translation import gettext as _

from core.management import AuditedCommand
from org.resolution import load_resolution


class Command(AuditedCommand):
    help = "Load resolution 64/259 (12 sections, 33 paragraphs, English and Chinese). Idempotent."

    def run(self, *args, **options):
        counts = load_resolution()
        self.stdout.write(
            _(
                "Resolution 64/259 loaded: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
            )
            % counts
        )
