"""Batch assembly shared by the families' data preprocessors."""
from typing import Any, Optional, Sequence, Union

import torch


def stack_same_size(inputs: Union[torch.Tensor, Sequence[torch.Tensor]],
                    what: str = 'images') -> torch.Tensor:
    """Stack a list of equally shaped tensors (a tensor is returned as it is).

    Raises:
        ValueError: naming the shapes when they differ, with the usual fix.
    """
    if not isinstance(inputs, (list, tuple)):
        return inputs
    shapes = {tuple(x.shape) for x in inputs}
    if len(shapes) != 1:
        raise ValueError(f'{what} in a batch differ in shape: {sorted(shapes)}; '
                         'add a crop/resize transform to the pipeline')
    return torch.stack(list(inputs))


def stack_field(samples: Sequence[Any], key: str,
                device: Union[str, torch.device, None] = None) -> Optional[torch.Tensor]:
    """Stack field ``key`` of every data sample (``None`` when the first lacks it)."""
    if not samples or key not in samples[0]:
        return None
    return torch.stack([torch.as_tensor(s.get(key)) for s in samples]).to(device)
