"""Runtime components shared by all families (hooks)."""
from . import hooks  # noqa: F401
