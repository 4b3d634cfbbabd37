"""Errors about the user's inputs (configs, data, checkpoints), reported without a traceback."""


class UserInputError(Exception):
    """A problem with something the user gave (a path, a file's format, a config field).

    The message names the path or field, says what was expected and how to fix it. The
    tools print it as one ``error:`` line and exit with status 2 instead of a traceback.
    """


def missing_path_message(what: str, path: str, hint: str = '') -> str:
    """Format the standard message for a missing file or folder.

    Args:
        what: what the path is (e.g. ``'data root of train_dataloader'``).
        path: the path that does not exist.
        hint: how to get it (download page, generator command); may be empty.
    """
    msg = f'{what} not found: {path!r}'
    return f'{msg}. {hint}' if hint else msg
