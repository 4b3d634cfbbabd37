"""Staged fine-tuning: frozen encoder first, then every layer at a lower learning rate."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmext.registry import HOOKS


@HOOKS.register_module()
class StagedFinetuneHook(Hook):
    """Freeze ``model.<encoder>`` for the first ``freeze_epochs`` epochs (or ``freeze_iters``
    iterations), then unfreeze it and multiply every param group's learning rate by
    ``lr_factor`` (seed 001: stage 1 trains the decoder, stage 2 all layers at a lower LR).

    Frozen parameters get ``requires_grad=False`` so they receive no gradient and the
    optimizer skips them. Unfreezing restores only the parameters that were trainable before
    the first freeze, so partial fine-tuning (``trainable_blocks``, LoRA) stays partial. The
    LR change is applied to ``lr`` and ``initial_lr`` of the param groups, so mmengine's
    chained schedulers (e.g. PolyLR) continue from the lowered value.
    With DDP use ``model_wrapper_cfg=dict(type='MMDistributedDataParallel',
    find_unused_parameters=True)`` during the frozen stage.

    Args:
        freeze_epochs: Epochs with the encoder frozen (epoch-based loops).
        freeze_iters: Iterations with the encoder frozen (used when not None).
        encoder: Attribute of the model holding the encoder.
        lr_factor: LR multiplier applied when the encoder is unfrozen.
    """
    priority = 'NORMAL'

    def __init__(self, freeze_epochs: int = 1, freeze_iters: Optional[int] = None,
                 encoder: str = 'backbone', lr_factor: float = 0.1) -> None:
        self.freeze_epochs, self.freeze_iters = freeze_epochs, freeze_iters
        self.encoder, self.lr_factor = encoder, lr_factor
        self.stage = None
        self._trainable = None

    def _model(self, runner):
        # Unwrap DDP-style wrappers only: UniDepthWrapper has a `.module` of its own.
        from mmengine.model import is_model_wrapper
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def _set(self, runner, frozen: bool) -> None:
        enc = getattr(self._model(runner), self.encoder, None)
        if enc is None:
            raise AttributeError(f'StagedFinetuneHook: the model has no attribute '
                                 f'{self.encoder!r} to freeze')
        if self._trainable is None:
            self._trainable = {id(p) for p in enc.parameters() if p.requires_grad}
        for p in enc.parameters():
            p.requires_grad_(not frozen and id(p) in self._trainable)
        if not frozen and self.stage == 'frozen':
            groups = runner.optim_wrapper.optimizer.param_groups
            for g in groups:
                g['lr'] *= self.lr_factor
                if 'initial_lr' in g:
                    g['initial_lr'] *= self.lr_factor
            print_log(f'StagedFinetuneHook: {self.encoder} unfrozen, LR x{self.lr_factor}',
                      logger='current')
        elif frozen and self.stage != 'frozen':
            print_log(f'StagedFinetuneHook: {self.encoder} frozen', logger='current')
        self.stage = 'frozen' if frozen else 'all'

    def _update(self, runner, step: int, limit: int) -> None:
        frozen = step < limit
        if self.stage != ('frozen' if frozen else 'all'):
            self._set(runner, frozen)

    def before_train_epoch(self, runner) -> None:
        if self.freeze_iters is None:
            self._update(runner, runner.epoch, self.freeze_epochs)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if self.freeze_iters is not None:
            self._update(runner, runner.iter, self.freeze_iters)
