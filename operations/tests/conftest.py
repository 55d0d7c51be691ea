import io
import json
import logging

import pytest

from operations.logging import ContextFilter, RedactFilter, ScrubbingJsonFormatter


class Lines:
    def __init__(self, stream):
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def log_lines():
    """The JSON lines the configured handler would write, captured from the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        ScrubbingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter())
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    yield Lines(stream)
    root.removeHandler(handler)
    root.setLevel(level)
