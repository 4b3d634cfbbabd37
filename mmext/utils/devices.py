"""Device checks for models built from a config field (pseudo-label teacher and refiner, SAM 2
food masks) before they are built."""
from mmext.utils.errors import UserInputError


def check_device(device: str, field: str) -> str:
    """Return ``device`` if this machine has it, else raise a one-line :class:`UserInputError`.

    Args:
        device: a torch device string (``'cpu'``, ``'cuda'``, ``'cuda:1'``, ``'mps'``).
        field: the config field that gave it, named in the message
            (e.g. ``'pseudo_labels.teacher.device'``).
    """
    import torch
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise UserInputError(f'{field}={device!r} is not a torch device ({err})') from None
    fix = f"set {field}='cpu' (e.g. --cfg-options {field}=cpu)"
    if dev.type == 'cuda':
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise UserInputError(f'{field}={device!r} but this machine has no usable CUDA GPU '
                                 f'(torch.cuda.is_available() is False); {fix}')
        if dev.index is not None and dev.index >= count:
            raise UserInputError(f'{field}={device!r} but this machine has {count} CUDA '
                                 f'GPU(s) (cuda:0..cuda:{count - 1}); {fix}')
    elif dev.type == 'mps':
        mps = getattr(torch.backends, 'mps', None)
        if mps is None or not mps.is_available():
            raise UserInputError(f'{field}={device!r} but MPS is not available here; {fix}')
    return device
