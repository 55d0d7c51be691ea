import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from core.history import (
    checkpoint_path,
    key_source,
    link_pending,
    verify_chain,
    verify_checkpoints,
    write_checkpoint,
)


class Command(BaseCommand):
    help = (
        "Link any committed history entries not yet linked, check the whole change-history "
        "hash chain, then compare it with every checkpoint of "
        "its head kept outside the database (a rewrite with recomputed hashes, a truncation "
        "with the head rewound, an older backup restored). Exit 0 and 'OK n entries' when "
        "intact; 1 naming the first broken entry or the rewind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help="Compare with this checkpoint file (e.g. a backup's) instead of this "
            "database's own.",
        )
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="After a successful check, record the current head as a new checkpoint.",
        )

    def handle(self, *args, checkpoints=None, checkpoint=False, **options):
        # Entries committed but never linked (the writer stopped between its commit and the
        # link) are linked first, in the order they were appended, then checked with the rest.
        repaired = link_pending()
        result = verify_chain()
        if repaired:
            # On stderr: the checked figures stay the first line of stdout.
            self.stderr.write(
                f"Linked {repaired} entries that were committed but not yet linked to the chain "
                "(a writer stopped between its commit and the link)."
            )
        if not result.ok:
            self.stderr.write(
                f"BROKEN at entry #{result.broken_seq}: {result.reason}. "
                f"The {result.entries} entries before it are intact."
            )
            sys.exit(1)
        path = checkpoints or checkpoint_path()
        anchors = verify_checkpoints(result, path)
        if not anchors.ok:
            self.stderr.write(f"BROKEN: {anchors.message}. Checkpoints: {path}.")
            sys.exit(1)
        if checkpoint:
            write_checkpoint()
        self.stdout.write(f"OK {result.entries} entries (head {result.head_sha256})")
        if anchors.checkpoints:
            self.stdout.write(f"{anchors.message} ({path})")
        if not settings.DEBUG and key_source() != "AUDIT_CHECKPOINT_KEY":
            self.stdout.write(
                f"Note: the checkpoint key is the per-machine file {key_source()}; set "
                "AUDIT_CHECKPOINT_KEY in production (README, Verifying the history)."
            )
