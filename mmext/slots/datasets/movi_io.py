"""Reading the exported MOVi layout (folders or webdataset tar shards).

Layout (written by ``tools/dataset_converters/movi_tfds_to_npy.py`` from TFDS and by
:func:`mmext.synthetic.movi.write_synthetic_movi`)::

    folder:      <data_root>/<split>/<video_id>/video.npy          uint8 (T, H, W, 3)
                 <data_root>/<split>/<video_id>/segmentations.npy  integer (T, H, W), 0 = bg
    webdataset:  <data_root>/<split>-*.tar, members <video_id>.video.npy and
                 <video_id>.segmentations.npy (other members are ignored)

(MOVi's TFDS ``segmentations`` are (T, H, W, 1); a trailing singleton axis is accepted.)
"""
import glob
import io
import os
import os.path as osp
import tarfile
from typing import Dict, List, Tuple

import numpy as np

REQUIRED = ('video.npy', 'segmentations.npy')


def detect_format(data_root: str, split: str) -> str:
    """``'folder'`` if ``<data_root>/<split>/`` exists, ``'webdataset'`` if shards do."""
    if osp.isdir(osp.join(data_root, split)):
        return 'folder'
    if glob.glob(osp.join(data_root, f'{split}-*.tar')):
        return 'webdataset'
    raise FileNotFoundError(
        f'MOVi split {split!r} not found under {data_root!r}: expected a folder '
        f'{osp.join(data_root, split)}/<video_id>/video.npy or shards '
        f'{osp.join(data_root, split)}-*.tar (see mmext/slots/datasets/movi_io.py)')


def index_videos(data_root: str, split: str, fmt: str = 'auto') -> List[Dict[str, str]]:
    """List the videos of a split: ``[{'video_id', 'fmt', 'location'}]``, sorted by id.

    ``location`` is the video folder (folder format) or the tar path (webdataset).
    """
    fmt = detect_format(data_root, split) if fmt == 'auto' else fmt
    entries: List[Dict[str, str]] = []
    if fmt == 'folder':
        base = osp.join(data_root, split)
        for vid in sorted(d for d in os.listdir(base) if osp.isdir(osp.join(base, d))):
            folder = osp.join(base, vid)
            missing = [f for f in REQUIRED if not osp.isfile(osp.join(folder, f))]
            if missing:
                raise FileNotFoundError(f'MOVi video folder {folder} lacks {missing}')
            entries.append(dict(video_id=vid, fmt=fmt, location=folder))
    elif fmt == 'webdataset':
        for shard in sorted(glob.glob(osp.join(data_root, f'{split}-*.tar'))):
            members: Dict[str, set] = {}
            with tarfile.open(shard) as tar:
                for name in tar.getnames():
                    vid, _, field = osp.basename(name).partition('.')
                    members.setdefault(vid, set()).add(field)
            for vid in sorted(members):
                missing = [f for f in REQUIRED if f not in members[vid]]
                if missing:
                    raise FileNotFoundError(f'shard {shard}: video {vid!r} lacks {missing}')
                entries.append(dict(video_id=vid, fmt=fmt, location=shard))
    else:
        raise ValueError(f"fmt must be 'auto', 'folder' or 'webdataset', got {fmt!r}")
    if not entries:
        raise FileNotFoundError(f'no MOVi videos found for split {split!r} in {data_root!r}')
    return entries


def _load_npy(src, mmap_mode=None, where: str = ''):
    """``np.load`` (never unpickling) with the file named in any error."""
    try:
        return np.load(src, mmap_mode=mmap_mode, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ValueError(f'{where or src}: not a readable .npy array ({err})') from None


def load_video(entry: Dict[str, str]) -> Tuple[np.ndarray, np.ndarray]:
    """Load ``(video (T, H, W, 3) uint8, segmentations (T, H, W))`` of an index entry."""
    if entry['fmt'] == 'folder':
        video = _load_npy(osp.join(entry['location'], 'video.npy'), mmap_mode='r')
        segs = _load_npy(osp.join(entry['location'], 'segmentations.npy'), mmap_mode='r')
        where = entry['location']
    else:
        with tarfile.open(entry['location']) as tar:
            arrays = []
            for field in REQUIRED:
                f = tar.extractfile(f"{entry['video_id']}.{field}")
                arrays.append(_load_npy(io.BytesIO(f.read()),
                                        where=f"{entry['location']}:{entry['video_id']}.{field}"))
        video, segs = arrays
        where = f"{entry['location']}:{entry['video_id']}"
    if segs.ndim == 4 and segs.shape[-1] == 1:
        segs = segs[..., 0]
    if video.ndim != 4 or video.shape[-1] != 3:
        raise ValueError(f'{where}: video.npy must be (T, H, W, 3), got {video.shape}')
    if segs.shape != video.shape[:3]:
        raise ValueError(f'{where}: segmentations.npy {segs.shape} does not match '
                         f'video.npy {video.shape[:3]}')
    if video.dtype != np.uint8:
        raise ValueError(f'{where}: video.npy must be uint8, got {video.dtype}')
    return video, segs


def load_metadata(entry: Dict[str, str]) -> Dict:
    """The ``metadata.json`` of an index entry ({} when the export has none)."""
    import json
    if entry['fmt'] == 'folder':
        path = osp.join(entry['location'], 'metadata.json')
        if not osp.isfile(path):
            return {}
        with open(path) as f:
            return json.load(f)
    with tarfile.open(entry['location']) as tar:
        try:
            f = tar.extractfile(f"{entry['video_id']}.metadata.json")
        except KeyError:
            return {}
        return json.loads(f.read().decode())


MATERIALS = ('metal', 'rubber')


def object_materials(meta: Dict) -> List[str]:
    """Per-object materials (``'metal'`` / ``'rubber'``) of a video's metadata.

    Reads ``meta['objects'][i]['material']`` (the TFDS converter, from MOVi-A/B's
    ``instances/material_label``) or the synthetic generator's ``metal`` flag. MOVi-C/D/E
    (Google Scanned Objects) carry no material: the list is empty.
    """
    mats = []
    for obj in meta.get('objects', []):
        if 'material' in obj:
            mats.append(str(obj['material']))
        elif 'metal' in obj:
            mats.append('metal' if obj['metal'] else 'rubber')
    return mats


def video_material(meta: Dict) -> str:
    """``'metal'`` / ``'rubber'`` when every object is made of it, ``'mixed'`` otherwise,
    ``'unknown'`` without material information."""
    mats = set(object_materials(meta))
    if not mats:
        return 'unknown'
    return mats.pop() if len(mats) == 1 else 'mixed'

