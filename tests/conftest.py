"""Import mmext before anything else: its compat workarounds must precede the first import
of mmdet.models / mmpretrain.models (mmdet.models imports mmpretrain.models when installed)."""
import mmext  # noqa: F401
