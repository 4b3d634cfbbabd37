# CPU-sized FUMET on the synthetic twin of the Cityscapes sequence layout
# (mmext.synthetic.cityscapes_road: camera 1.22 m above a flat road, a bonnet band at the
# bottom, camera json per sequence), 256x80 after the 1024x320 crop; the layout and
# pipeline of fumet_r18_cityscapes_1024x320_35e.py with the CPU network of
# fumet_r18c16_synthkitti_256x96_cpu.py.
_base_ = ['./fumet_r18_cityscapes_1024x320_35e.py']
data_root = 'data/synthcityscapes'
synth = dict(num_sequences=4, frames_per_sequence=12, image_size=(512, 256), seed=0)
_crop = dict(type='CropFrames', top=0.125, bottom=0.25)
_resize = dict(type='ResizeFrames', scale=(256, 80))
_train = [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'), _crop, _resize,
          dict(type='RandomFlipFrames', prob=0.5), dict(type='FrameColorJitter', prob=0.5),
          dict(type='PackSelfSupInputs')]
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='splits/cityscapes_synth/train_files.txt',
                 image_size=(512, 256), camera_image_size=(512, 256),
                 generate_if_missing=synth, pipeline=_train))
norm_cfg = dict(type='BN', requires_grad=True)
r18c16 = dict(type='ResNet', depth=18, base_channels=16, norm_cfg=norm_cfg,
              norm_eval=False, init_cfg=None)
model = dict(
    depth_encoder=dict(pretrained=None, backbone=dict(r18c16, in_channels=3)),
    depth_decoder=dict(num_ch_dec=(8, 16, 32, 64, 128)),
    pose_net=dict(hidden=64, encoder=dict(pretrained=None,
                                          backbone=dict(r18c16, in_channels=6))))
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=5e-4))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=20, val_interval=1000)
