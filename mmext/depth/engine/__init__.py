"""Training hooks of the depth family."""
from .evaluate_before_train_hook import EvaluateBeforeTrainHook
from .staged_finetune_hook import StagedFinetuneHook

__all__ = ['StagedFinetuneHook', 'EvaluateBeforeTrainHook']
