"""ReinitHook: re-initialise the networks and the optimiser after an early epoch (log 002)."""
from collections import defaultdict

from mmengine.hooks import Hook
from mmengine.model import BaseModule, is_model_wrapper

from mmext.registry import HOOKS


@HOOKS.register_module()
class ReinitHook(Hook):
    """After (1-based) epoch ``epoch``, re-initialise every network weight and reset the
    optimiser's state (Adam moments and step counts); the model's buffers that are not
    network state (``camera_height_target``) and the learning-rate schedule are kept.

    Log 002 (L1546-1553, L1580): after the first epoch the photometric loss alone leaves
    the network in a scale-free local optimum where only the road's scale adapts to the
    camera-height term; re-initialising weights and Adam after epoch 1 and training from
    epoch 2 on against the camera height estimated from epoch 1 escaped it and stabilised
    training. Every module with ``reset_parameters`` (convolutions, norms, linears) is reset
    to PyTorch's default initialisation and ``init_weights`` runs again (ImageNet weights
    of ``pretrained`` encoders are reloaded). Priority ``VERY_LOW``: it runs after
    :class:`CameraHeightHook` (``LOW``) so the estimate of the finished epoch still comes
    from the trained network.

    Args:
        epoch: The 1-based epoch after which to re-initialise (the log: 1).
        optimizer: Also reset the optimiser state.
    """
    priority = 'VERY_LOW'

    def __init__(self, epoch: int = 1, optimizer: bool = True) -> None:
        if epoch < 1:
            raise ValueError(f'ReinitHook epoch must be >= 1, got {epoch}')
        self.epoch, self.optimizer = epoch, optimizer

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 != self.epoch:
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        for m in model.modules():
            if m is not model and hasattr(m, 'reset_parameters'):
                m.reset_parameters()
            if isinstance(m, BaseModule):
                m._is_init = False
        if hasattr(model, 'init_weights'):
            model.init_weights()
        if self.optimizer:
            opt = runner.optim_wrapper.optimizer
            opt.state = defaultdict(dict)
        runner.logger.info(f'ReinitHook: networks{" and optimiser" if self.optimizer else ""} '
                           f're-initialised after epoch {self.epoch}')
