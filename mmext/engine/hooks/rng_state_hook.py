"""Save and restore random-number-generator states so a resumed run continues exactly."""
import random
from typing import Optional

import numpy as np
import torch
from mmengine.hooks import Hook

from mmext.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Store Python, NumPy and torch RNG states in each checkpoint and restore them on resume.

    mmengine re-seeds a resumed run with the config's seed, so randomness drawn in the main
    process (augmentations with ``num_workers=0``, dropout, random resizing) differs from the
    uninterrupted run. With this hook the resumed run continues from the saved states, so
    with ``randomness=dict(seed=..., deterministic=True)`` it reproduces the uninterrupted
    run's losses and weights. Dataloader workers are seeded per epoch by mmengine and need
    nothing extra. States are saved per rank under ``checkpoint['rng_state']``; a checkpoint
    without them (e.g. from another tool) resumes with mmengine's default behaviour.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Add the current RNG states to the checkpoint."""
        checkpoint['rng_state'] = dict(
            python=random.getstate(),
            numpy=np.random.get_state(),
            torch=torch.get_rng_state(),
            cuda=torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Restore the RNG states stored by :meth:`before_save_checkpoint` when resuming."""
        state: Optional[dict] = checkpoint.get('rng_state')
        if state is None or not getattr(runner, '_resume', False):
            return
        random.setstate(_as_python_state(state['python']))
        np.random.set_state(state['numpy'])
        torch.set_rng_state(state['torch'])
        if state.get('cuda') is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state['cuda'])


def _as_python_state(state):
    """``random.setstate`` needs tuples; a pickle round trip may give lists."""
    version, internal, gauss = state
    return version, tuple(internal), gauss
