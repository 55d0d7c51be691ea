import pytest


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    """Each test keeps its history checkpoints (and their key) in a folder of its own: the
    checkpoints of a test database from another run must not be compared with this one."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    settings.AUDIT_CHECKPOINT_KEY = "test-checkpoint-key-not-the-secret-key"
    return settings.AUDIT_CHECKPOINT_DIR
