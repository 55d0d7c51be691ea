"""Writes docs/paragraph-coverage.md from governance.coverage (`--check`: exit 1 when the file
differs from the registry)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance.coverage import render_markdown

TARGET = Path(settings.BASE_DIR) / "docs" / "paragraph-coverage.md"


class Command(BaseCommand):
    help = "Write (or --check) docs/paragraph-coverage.md from governance.coverage."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check=False, **options):
        text = render_markdown()
        if check:
            if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
                raise CommandError(f"{TARGET} differs from governance.coverage")
            self.stdout.write("OK")
            return
        TARGET.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {TARGET}")
