"""MOVi: a corrupt video.npy names the file and the video; never unpickled."""
import os.path as osp

import pytest

from mmext.slots.datasets import MOViDataset
from mmext.synthetic.movi import write_synthetic_movi
from mmext.utils.data_errors import DataFileError


def test_corrupt_video_names_file_and_video(tmp_path):
    write_synthetic_movi(str(tmp_path), num_videos=2, num_frames=4, size=16)
    ds = MOViDataset(str(tmp_path), split='train', num_frames=2, clip_mode='first',
                     pipeline=[dict(type='LoadMOViClip')])
    info = ds.get_data_info(1)
    video = osp.join(info['location'], 'video.npy')
    data = open(video, 'rb').read()
    with open(video, 'wb') as f:
        f.write(data[:len(data) // 2])
    with pytest.raises(DataFileError) as err:
        ds[1]
    text = str(err.value)
    assert video in text and f"video_id={info['video_id']}" in text and '\n' not in text
