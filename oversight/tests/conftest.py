import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence files and previewed imports go to a throw-away folder, not the project's var/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
