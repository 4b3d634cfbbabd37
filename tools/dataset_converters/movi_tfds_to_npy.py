"""Export MOVi (Kubric, published as TFDS) to mmext's MOVi layout (.npy folders / shards).

Optional dependencies (not in mmext's requirements): ``tensorflow`` and
``tensorflow-datasets``, plus access to ``gs://kubric-public/tfds`` (or a local copy of it
passed as ``--data-dir``). Example::

    pip install tensorflow-cpu tensorflow-datasets gcsfs
    python tools/dataset_converters/movi_tfds_to_npy.py movi_c data/movi_c \
        --resolution 128 --split train --format webdataset
    python tools/dataset_converters/movi_tfds_to_npy.py movi_c data/movi_c \
        --resolution 128 --split validation

Each example's ``video`` (T, H, W, 3) uint8 and ``segmentations`` (T, H, W, 1) (0 =
background) are written as ``video.npy`` / ``segmentations.npy`` (T, H, W) with
:func:`mmext.synthetic.movi.write_movi_videos`; see ``docs/slots.md`` for the layout.
"""
import argparse
from typing import Dict, Iterator, Optional, Tuple

import numpy as np

from mmext.synthetic.movi import write_movi_videos

MOVI_MATERIALS = ('metal', 'rubber')  # MOVi-A/B instances/material_label names


def tfds_videos(name: str, resolution: int, split: str, data_dir: str,
                limit: Optional[int] = None) -> Iterator[Tuple[str, np.ndarray, np.ndarray,
                                                                Dict]]:
    """Yield ``(video_id, video, segmentations, metadata)`` from the TFDS MOVi data set."""
    try:
        import tensorflow_datasets as tfds
    except ImportError as e:  # pragma: no cover - optional dependency
        raise SystemExit('this converter needs tensorflow-datasets (and tensorflow): '
                         'pip install tensorflow-cpu tensorflow-datasets gcsfs') from e
    ds = tfds.load(f'{name}/{resolution}x{resolution}', split=split, data_dir=data_dir,
                   shuffle_files=False)
    for i, ex in enumerate(tfds.as_numpy(ds)):
        if limit is not None and i >= limit:
            return
        meta = ex.get('metadata', {})
        vid = meta.get('video_name', f'{split}_{i:06d}')
        vid = vid.decode() if isinstance(vid, bytes) else str(vid)
        out_meta = dict(source=f'{name}/{resolution}x{resolution}', split=split, index=i)
        # MOVi-A/B: instances/material_label is ClassLabel(['metal', 'rubber']) (per object,
        # in segmentation id order 1..N); MOVi-C/D/E have no material
        labels = ex.get('instances', {}).get('material_label')
        if labels is not None:
            out_meta['objects'] = [dict(material=MOVI_MATERIALS[int(m)]) for m in labels]
        yield (vid.replace('.', '_').replace('/', '_'), ex['video'], ex['segmentations'],
               out_meta)


def main() -> None:
    """Command line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('name', help='TFDS name: movi_a ... movi_e')
    p.add_argument('out', help='output root')
    p.add_argument('--resolution', type=int, default=128, choices=(128, 256))
    p.add_argument('--split', default='train')
    p.add_argument('--data-dir', default='gs://kubric-public/tfds')
    p.add_argument('--format', default='folder', choices=('folder', 'webdataset'))
    p.add_argument('--videos-per-shard', type=int, default=64)
    p.add_argument('--limit', type=int, default=None, help='export only the first N')
    a = p.parse_args()
    out_split = 'validation' if a.split.startswith('validation') else a.split
    written = write_movi_videos(
        a.out, tfds_videos(a.name, a.resolution, a.split, a.data_dir, a.limit),
        split=out_split, fmt=a.format, videos_per_shard=a.videos_per_shard)
    print(f'wrote {len(written)} {"folders" if a.format == "folder" else "shards"} '
          f'under {a.out}')


if __name__ == '__main__':
    main()
