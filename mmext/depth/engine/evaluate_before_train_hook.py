"""Run the validation loop once before training (the 'before' numbers of a fine-tuning run)."""
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmext.registry import HOOKS


@HOOKS.register_module()
class EvaluateBeforeTrainHook(Hook):
    """Evaluate the initial (pretrained) model with the val loop before the first epoch; its
    metrics are logged with the prefix ``before/`` in the log and vis backends."""
    priority = 'LOWEST'

    def before_train(self, runner) -> None:
        if runner.val_loop is None or runner.iter > 0:   # no val loop, or resumed
            return
        metrics = runner.val_loop.run()
        print_log('before fine-tuning: ' + ', '.join(f'{k}: {v:.4f}' for k, v in metrics.items()
                                                     if isinstance(v, (int, float))),
                  logger='current')
        runner.visualizer.add_scalars({f'before/{k}': v for k, v in metrics.items()
                                       if isinstance(v, (int, float))}, step=0)
        runner.model.train()
