from django.core.management.base import BaseCommand

from core.context import acting_as


class AuditedCommand(BaseCommand):
    """A management command whose changes the history attributes to `command:<name>`.
    Subclasses implement run() instead of handle()."""

    def handle(self, *args, **options):
        name = self.__class__.__module__.rsplit(".", 1)[-1]
        with acting_as(f"command:{name}"):
            return self.run(*args, **options)

    def run(self, *args, **options):  # pragma: no cover - abstract
        raise NotImplementedError
