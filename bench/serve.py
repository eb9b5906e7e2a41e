"""Kept only for tests/test_naturalness_crash.py until it imports `running_app` from `ui.serve`, where this moved."""
from ui.serve import running_app

__all__ = ["running_app"]
