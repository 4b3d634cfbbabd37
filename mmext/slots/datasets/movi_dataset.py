"""MOViDataset: clips of the exported MOVi layout (see :mod:`.movi_io`)."""
from typing import List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset

from mmext.registry import DATASETS, TRANSFORMS
from mmext.utils.data_errors import sample_errors
from .movi_io import detect_format, index_videos, load_metadata, load_video, video_material


@DATASETS.register_module()
class MOViDataset(BaseDataset):
    """Clips of ``num_frames`` frames (every ``frame_stride``-th) from MOVi videos.

    Config keys:
        data_root: Root of the export.
        split: Split name (``train``, ``validation``, ...).
        fmt: ``'auto'``, ``'folder'`` or ``'webdataset'``.
        num_frames: Clip length T (1 = image mode).
        frame_stride: Step between clip frames.
        clip_mode: ``'random'`` (one clip per video, start drawn by ``LoadMOViClip`` each
            time; training), ``'first'`` (the clip starting at frame 0) or ``'all'`` (all
            non-overlapping clips; reads every video's length once).
        max_videos: Keep only the first ``max_videos`` videos (sorted by id, after the
            ``subset`` filter).
        subset: Keep only videos whose objects are all ``'metal'``, all ``'rubber'``, or
            ``'mixed'`` (a name or a list of names; log 004's MOVi-A metal / mixed subsets).
            Needs per-object materials in ``metadata.json`` (MOVi-A/B exports, synthetic
            videos); an error names the video otherwise.
        subset_key: If set (e.g. ``'material'``), every clip's metainfo gets the video's
            material class under this key, for ``ObjectDiscoveryMetric(breakdown_key=...)``.
        generate_if_missing: For synthetic data only: if the split is absent, first write it
            with :func:`mmext.synthetic.movi.write_synthetic_movi` using these arguments
            (e.g. ``dict(num_videos=64, seed=0, size=64)``), so a synthetic config is a
            complete experiment. Never used for real MOVi.
        pipeline: Transforms (``LoadMOViClip``, ``ResizeClip``, ``PackSlotInputs``).
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments.
    """

    METAINFO = dict(dataset='MOVi')
    DATA_HINT = ('MOVi: export it from TFDS with tools/dataset_converters/movi_tfds_to_npy.py; '
                 'synthetic MOVi-like videos: python tools/dataset_converters/movi_synthetic.py '
                 'data/movi_synth (layout: docs/slots.md, "Data").')

    def __init__(self, data_root: str, split: str = 'train', fmt: str = 'auto',
                 num_frames: int = 1, frame_stride: int = 1, clip_mode: str = 'random',
                 max_videos: Optional[int] = None,
                 generate_if_missing: Optional[dict] = None,
                 subset: Union[None, str, Sequence[str]] = None,
                 subset_key: Optional[str] = None, **kwargs) -> None:
        if clip_mode not in ('random', 'first', 'all'):
            raise ValueError(f"clip_mode must be 'random', 'first' or 'all', got "
                             f'{clip_mode!r}')
        if num_frames < 1 or frame_stride < 1:
            raise ValueError(f'num_frames and frame_stride must be >= 1, got {num_frames}, '
                             f'{frame_stride}')
        self.split, self.fmt = split, fmt
        self.num_frames, self.frame_stride = num_frames, frame_stride
        self.clip_mode, self.max_videos = clip_mode, max_videos
        self.generate_if_missing = generate_if_missing
        subset = [subset] if isinstance(subset, str) else subset
        bad = sorted(set(subset or ()) - {'metal', 'rubber', 'mixed'})
        if bad:
            raise ValueError(f"MOViDataset.subset entries must be 'metal', 'rubber' or "
                             f"'mixed', got {bad}")
        self.subset, self.subset_key = (list(subset) if subset else None), subset_key
        # build the transforms from mmext's registry (works without a default scope)
        kwargs['pipeline'] = [TRANSFORMS.build(t) if isinstance(t, dict) else t
                              for t in kwargs.get('pipeline', [])]
        super().__init__(data_root=data_root, **kwargs)

    def _generate(self) -> None:
        try:
            detect_format(self.data_root, self.split)
            return
        except FileNotFoundError:
            pass
        from mmext.synthetic.movi import write_synthetic_movi
        kwargs = dict(self.generate_if_missing)
        if self.fmt != 'auto':
            kwargs.setdefault('fmt', self.fmt)
        write_synthetic_movi(self.data_root, split=self.split, **kwargs)

    def prepare_data(self, idx: int):
        """Load sample ``idx``; a bad file is named with the sample (mmext.utils.data_errors)."""
        with sample_errors(self, idx):
            return super().prepare_data(idx)

    def _with_material(self, videos: List[dict]) -> List[dict]:
        """Attach each video's material class; keep those of ``subset``."""
        kept = []
        for v in videos:
            material = video_material(load_metadata(v))
            if self.subset is not None:
                if material == 'unknown':
                    raise ValueError(
                        f"{v['location']} ({v['video_id']}): metadata.json has no per-object "
                        'materials, needed by MOViDataset.subset (MOVi-A/B exports and the '
                        'synthetic videos have them; MOVi-C/D/E do not)')
                if material not in self.subset:
                    continue
            kept.append(dict(v, material=material))
        if not kept:
            raise ValueError(f'MOViDataset: no {self.subset} video in {self.data_root!r} '
                             f'split {self.split!r}')
        return kept

    def load_data_list(self) -> List[dict]:
        """One entry per clip: video location, start frame (-1 = random), length."""
        if self.generate_if_missing is not None:
            self._generate()
        videos = index_videos(self.data_root, self.split, self.fmt)
        if self.subset is not None or self.subset_key is not None:
            videos = self._with_material(videos)
        if self.max_videos is not None:
            videos = videos[:self.max_videos]
        span = (self.num_frames - 1) * self.frame_stride + 1
        data_list = []
        for v in videos:
            base = dict(v, num_frames=self.num_frames, frame_stride=self.frame_stride)
            if self.subset_key is not None:
                base[self.subset_key] = base.pop('material')
            else:
                base.pop('material', None)
            if self.clip_mode == 'random':
                data_list.append(dict(base, start=-1))
            elif self.clip_mode == 'first':
                data_list.append(dict(base, start=0))
            else:
                length = load_video(v)[0].shape[0]
                if length < span:
                    raise ValueError(f"{v['location']}: {length} frames < clip span {span}")
                for start in range(0, length - span + 1, span):
                    data_list.append(dict(base, start=start))
        return data_list
