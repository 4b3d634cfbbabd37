"""No loader executes code from a data or checkpoint file (issue 17, item 7).

Each test writes a file whose pickle payload would create ``pwned`` (harmless ``open(.., 'w')``)
and feeds it to a loader; the loader must refuse and the marker file must not exist.
"""
import io
import os.path as osp
import pickle
import tarfile
import zipfile

import numpy as np
import pytest
import torch


class _Payload:
    """Unpickling this calls ``open(marker, 'w')``, i.e. creates the marker file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return open, (self.marker, 'w')


def _malicious_npy_bytes(marker: str) -> bytes:
    """A valid .npy object-array header followed by a pickle that runs ``open``."""
    buf = io.BytesIO()
    header = {'descr': '|O', 'fortran_order': False, 'shape': (1, )}
    np.lib.format.write_array_header_1_0(buf, header)
    buf.write(pickle.dumps([_Payload(marker)], protocol=3))
    return buf.getvalue()


def _write_npz(path: str, members: dict) -> None:
    with zipfile.ZipFile(path, 'w') as zf:
        for name, data in members.items():
            zf.writestr(f'{name}.npy', data)


def _object_array(maps):
    arr = np.empty(len(maps), dtype=object)
    arr[:] = maps
    return arr


def test_unsafe_numpy_load_would_run_the_payload(tmp_path):
    """The payload is live: numpy with allow_pickle=True creates the marker (control)."""
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'bad.npz')
    _write_npz(path, {'data': _malicious_npy_bytes(marker)})
    with np.load(path, allow_pickle=True) as f:
        f['data']
    assert osp.exists(marker)


def test_kitti_gt_depths_refuses_pickled_code(tmp_path):
    from mmext.selfsup.datasets.kitti_gt import load_gt_depths
    from mmext.utils.safe_load import UnsafeDataFileError
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'gt_depths.npz')
    _write_npz(path, {'data': _malicious_npy_bytes(marker)})
    with pytest.raises(UnsafeDataFileError, match=r'gt_depths\.npz.*(io|builtins)\.open'):
        load_gt_depths(path)
    assert not osp.exists(marker)


def test_kitti_gt_depths_reads_monodepth2_layout_without_pickle(tmp_path):
    """The object-array layout (ragged maps) and a plain (N, H, W) array both load safely
    and equal numpy's own (unsafe) reading."""
    from mmext.selfsup.datasets.kitti_gt import load_gt_depths
    rng = np.random.default_rng(0)
    maps = [rng.random((4, 6)).astype(np.float32), rng.random((5, 3)).astype(np.float32)]
    ragged = str(tmp_path / 'ragged.npz')
    np.savez_compressed(ragged, data=_object_array(maps))
    got = load_gt_depths(ragged)
    assert got.dtype == object and len(got) == 2
    for a, b in zip(got, maps):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float32
    dense = str(tmp_path / 'dense.npz')
    np.savez(dense, data=np.stack([maps[0], maps[0] * 2]))
    np.testing.assert_array_equal(load_gt_depths(dense), np.stack([maps[0], maps[0] * 2]))
    missing_key = str(tmp_path / 'nokey.npz')
    np.savez(missing_key, depth=maps[0])
    with pytest.raises(ValueError, match=r"nokey\.npz.*'data'"):
        load_gt_depths(missing_key)


def test_safe_npz_refuses_other_numpy_globals(tmp_path):
    """Only array reconstruction is allowed, not other numpy callables."""
    from mmext.utils.safe_load import UnsafeDataFileError, load_npz_array

    class _NumpyCall:
        def __reduce__(self):
            return np.save, (str(tmp_path / 'pwned.npy'), np.zeros(1))

    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {'descr': '|O', 'fortran_order': False, 'shape': (1, )})
    buf.write(pickle.dumps([_NumpyCall()], protocol=3))
    path = str(tmp_path / 'x.npz')
    _write_npz(path, {'data': buf.getvalue()})
    with pytest.raises(UnsafeDataFileError, match='numpy'):
        load_npz_array(path, 'data')
    assert not osp.exists(tmp_path / 'pwned.npy')


def test_road_masks_refuse_pickled_code(tmp_path):
    from mmext.selfsup.datasets.road_masks import load_road_instance_masks
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'masks.npz')
    _write_npz(path, {'road': _malicious_npy_bytes(marker),
                      'instances': _malicious_npy_bytes(marker),
                      'labels': _malicious_npy_bytes(marker)})
    with pytest.raises(ValueError):
        load_road_instance_masks(path, classes=('car', ))
    assert not osp.exists(marker)


def test_movi_videos_refuse_pickled_code(tmp_path):
    from mmext.slots.datasets.movi_io import load_video
    marker = str(tmp_path / 'pwned')
    folder = tmp_path / 'train' / 'vid0'
    folder.mkdir(parents=True)
    for name in ('video.npy', 'segmentations.npy'):
        (folder / name).write_bytes(_malicious_npy_bytes(marker))
    with pytest.raises(ValueError):
        load_video(dict(video_id='vid0', fmt='folder', location=str(folder)))
    shard = str(tmp_path / 'train-000.tar')
    with tarfile.open(shard, 'w') as tar:
        for field in ('video.npy', 'segmentations.npy'):
            data = _malicious_npy_bytes(marker)
            info = tarfile.TarInfo(f'vid0.{field}')
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(ValueError):
        load_video(dict(video_id='vid0', fmt='webdataset', location=shard))
    assert not osp.exists(marker)


def _malicious_checkpoint(path: str, marker: str) -> None:
    torch.save({'state_dict': {'w': torch.zeros(1)}, 'meta': _Payload(marker)}, path)


def test_checkpoint_loaders_refuse_pickled_code(tmp_path):
    """mmengine's load_checkpoint (load_from, --resume) and mmext's DAV2 loader."""
    import torch.nn as nn
    from mmengine.runner.checkpoint import load_checkpoint
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'evil.pth')
    _malicious_checkpoint(path, marker)
    with pytest.raises(Exception, match='(?i)weights_only|unsupported global|safe'):
        load_checkpoint(nn.Linear(1, 1), path, map_location='cpu')
    from mmext.depth.models.checkpoint import load_depth_anything
    with pytest.raises(Exception, match='(?i)weights_only|unsupported global'):
        load_depth_anything(nn.Linear(1, 1), path, fmt='official')
    assert not osp.exists(marker)
