"""Runs the demo and scale seeds: the base (units, people, accounts), then each app's own `seed.py`
(functions `seed_demo(stdout)` and `seed_scale(factor, progress)`), in dependency order."""

import importlib
import sys
import time

SEED_APPS = ["accountability", "oversight", "performance", "risk", "governance", "reports"]


def app_seed_modules():
    for app in SEED_APPS:
        try:
            yield app, importlib.import_module(f"{app}.seed")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.seed":
                raise


class ProgressBar:
    """A text progress bar on a stream: `label [#####-----] 12,000/37,000`, and each label's
    rate when it completes (`rates` keeps them, so the command can print them at the end)."""

    def __init__(self, stream=None, width: int = 30, live: bool = True):
        self.stream = stream or sys.stdout
        self.width = width
        # Not live: only each label's last line (two processes writing to one stream).
        self.live = live
        self.started = time.monotonic()
        self._last = ""
        self._label = ""
        self._label_started = self._previous = self.started
        self.rates: dict[str, tuple[int, float]] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        now = time.monotonic()
        if label != self._label:
            # A step's time runs from the end of the one before (its first batch included).
            self._label, self._label_started = label, self._previous
        self._previous = now
        total = max(total, 1)
        filled = int(self.width * min(done, total) / total)
        line = f"\r{label:<28} [{'#' * filled}{'-' * (self.width - filled)}] {done:,}/{total:,}"
        if not self.live:
            if done < total:
                return
            line = line[1:]
        if line != self._last:
            text = line
            if done >= total:
                seconds = now - self._label_started
                self.rates[label] = (done, seconds)
                rate = f", {done / seconds:,.0f} rows/s" if seconds > 0 and done > 1 else ""
                # One write: another process's lines may come between two.
                text += f"  ({seconds:.1f}s{rate})\n"
                self._label = ""
            self.stream.write(text)
            self.stream.flush()
            self._last = line
