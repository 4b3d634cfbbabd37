"""Runner construction shared by tools/train.py, tools/test.py and the optuna search."""
from .inputs import check_config_inputs, check_coco_file
from .runner import (build_runner, configure_test, configure_train, load_config,
                     prepare_experiment, run_cli)

__all__ = ['load_config', 'configure_train', 'configure_test', 'build_runner',
           'check_config_inputs', 'check_coco_file', 'prepare_experiment', 'run_cli']
