"""Runs the demo and scale seeds: the base (units, people, accounts), then each app's own `seed.py`
(functions `seed_demo(stdout)` and `seed_scale(factor, progress)`), in dependency order."""

import importlib
import sys
import time

SEED_APPS = ["accountability", "oversight", "performance", "risk", "reports"]


def app_seed_modules():
    for app in SEED_APPS:
        try:
            yield app, importlib.import_module(f"{app}.seed")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.seed":
                raise


class ProgressBar:
    """A text progress bar on a stream: `label [#####-----] 12,000/37,000`."""

    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stdout
        self.width = width
        self.started = time.monotonic()
        self._last = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        total = max(total, 1)
        filled = int(self.width * min(done, total) / total)
        line = f"\r{label:<28} [{'#' * filled}{'-' * (self.width - filled)}] {done:,}/{total:,}"
        if line != self._last:
            self.stream.write(line)
            if done >= total:
                self.stream.write(f"  ({time.monotonic() - self.started:.1f}s)\n")
            self.stream.flush()
            self._last = line
