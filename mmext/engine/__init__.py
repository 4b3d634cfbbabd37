"""Runtime components shared by all families (hooks, the run card)."""
from . import hooks, run_card  # noqa: F401
