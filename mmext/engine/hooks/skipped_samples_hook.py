"""Write the samples datasets skipped to ``<work_dir>/skipped.json``."""
from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from mmext.registry import HOOKS
from mmext.utils.data_errors import write_skipped_json


@HOOKS.register_module()
class SkippedSamplesHook(Hook):
    """Dump :func:`mmext.utils.data_errors.skipped_samples` once the datasets exist.

    Registered by :func:`mmext.apis.build_runner` for every run. Nothing is written when no
    sample was skipped. The list covers every dataset built in this process.
    """

    priority = 'VERY_LOW'

    def _write(self, runner) -> None:
        if is_main_process():
            write_skipped_json(runner.work_dir)

    def before_train(self, runner) -> None:
        """Train and val datasets are built before this point."""
        self._write(runner)

    def before_test(self, runner) -> None:
        """The test dataset is built before this point."""
        self._write(runner)

    def after_run(self, runner) -> None:
        """Catch datasets built later (e.g. a val loop built lazily)."""
        self._write(runner)
