"""mmext registries: children of mmdet's, so mmdet (and mmengine) names resolve unprefixed.

Every registry below has ``scope='mmext'`` and its locations are ``'mmext'`` plus the
parent's own (e.g. ``'mmdet.models'``): using any of them (``MODELS.build(cfg)`` with
``default_scope='mmext'``) imports the whole package, which registers every family's modules,
and mmdet's modules of that kind, so mmdet names resolve unprefixed. (A child registry
looks names up in its parents but only imports its own locations.) Modules of another OpenMMLab package are reached with its
scope prefix, e.g. ``type='mmpretrain.VisionTransformer'``.

Example:
    >>> from mmext.registry import MODELS
    >>> head = MODELS.build(dict(type='DepthAnythingHead', ...))
"""
from mmdet.registry import DATA_SAMPLERS as MMDET_DATA_SAMPLERS
from mmdet.registry import DATASETS as MMDET_DATASETS
from mmdet.registry import EVALUATOR as MMDET_EVALUATOR
from mmdet.registry import HOOKS as MMDET_HOOKS
from mmdet.registry import LOG_PROCESSORS as MMDET_LOG_PROCESSORS
from mmdet.registry import LOOPS as MMDET_LOOPS
from mmdet.registry import METRICS as MMDET_METRICS
from mmdet.registry import MODEL_WRAPPERS as MMDET_MODEL_WRAPPERS
from mmdet.registry import MODELS as MMDET_MODELS
from mmdet.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMDET_OPTIM_WRAPPER_CONSTRUCTORS
from mmdet.registry import OPTIM_WRAPPERS as MMDET_OPTIM_WRAPPERS
from mmdet.registry import OPTIMIZERS as MMDET_OPTIMIZERS
from mmdet.registry import PARAM_SCHEDULERS as MMDET_PARAM_SCHEDULERS
from mmdet.registry import RUNNER_CONSTRUCTORS as MMDET_RUNNER_CONSTRUCTORS
from mmdet.registry import RUNNERS as MMDET_RUNNERS
from mmdet.registry import TASK_UTILS as MMDET_TASK_UTILS
from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS
from mmdet.registry import VISBACKENDS as MMDET_VISBACKENDS
from mmdet.registry import VISUALIZERS as MMDET_VISUALIZERS
from mmdet.registry import WEIGHT_INITIALIZERS as MMDET_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

_LOCATIONS = ['mmext']


def _child(name: str, parent: Registry) -> Registry:
    """Create the mmext child registry ``name`` of ``parent`` (see the module docstring)."""
    locations = _LOCATIONS + list(getattr(parent, '_locations', []) or [])
    return Registry(name, parent=parent, scope='mmext', locations=locations)


RUNNERS = _child('runner', MMDET_RUNNERS)
RUNNER_CONSTRUCTORS = _child('runner constructor', MMDET_RUNNER_CONSTRUCTORS)
LOOPS = _child('loop', MMDET_LOOPS)
HOOKS = _child('hook', MMDET_HOOKS)
DATASETS = _child('dataset', MMDET_DATASETS)
DATA_SAMPLERS = _child('data sampler', MMDET_DATA_SAMPLERS)
TRANSFORMS = _child('transform', MMDET_TRANSFORMS)
MODELS = _child('model', MMDET_MODELS)
MODEL_WRAPPERS = _child('model_wrapper', MMDET_MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = _child('weight initializer', MMDET_WEIGHT_INITIALIZERS)
OPTIMIZERS = _child('optimizer', MMDET_OPTIMIZERS)
OPTIM_WRAPPERS = _child('optim_wrapper', MMDET_OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _child('optimizer wrapper constructor',
                                    MMDET_OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _child('parameter scheduler', MMDET_PARAM_SCHEDULERS)
METRICS = _child('metric', MMDET_METRICS)
EVALUATOR = _child('evaluator', MMDET_EVALUATOR)
TASK_UTILS = _child('task util', MMDET_TASK_UTILS)
VISUALIZERS = _child('visualizer', MMDET_VISUALIZERS)
VISBACKENDS = _child('vis_backend', MMDET_VISBACKENDS)
LOG_PROCESSORS = _child('log_processor', MMDET_LOG_PROCESSORS)
# Steps run before the Runner is built, keyed by the config field that switches them on
# (e.g. 'pseudo_labels'); a family registers its own (see mmext.apis.prepare_experiment).
# mmext's own kind of registry (mmdet has none to be a child of), so not in __all__ below.
EXPERIMENT_PREPARERS = Registry('experiment preparer', scope='mmext', locations=_LOCATIONS)

__all__ = [
    'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'DATASETS', 'DATA_SAMPLERS',
    'TRANSFORMS', 'MODELS', 'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'OPTIMIZERS',
    'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'PARAM_SCHEDULERS', 'METRICS',
    'EVALUATOR', 'TASK_UTILS', 'VISUALIZERS', 'VISBACKENDS', 'LOG_PROCESSORS'
]
