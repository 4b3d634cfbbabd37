# FUMET's published Cityscapes resolution (512x192): the bottom 25% cropped (2048x768),
# resized; otherwise fumet_r18_cityscapes_1024x320_35e.py.
_base_ = ['./fumet_r18_cityscapes_1024x320_35e.py']
_crop = dict(type='CropFrames', top=0.0, bottom=0.25)
_resize = dict(type='ResizeFrames', scale=(512, 192))
_train = [dict(type='LoadKITTIFrames'), dict(type='LoadRoadInstanceMasks'), _crop, _resize,
          dict(type='RandomFlipFrames', prob=0.5),
          dict(type='FrameColorJitter', brightness=0.2, contrast=0.2, saturation=0.2, hue=0.1,
               prob=0.5),
          dict(type='PackSelfSupInputs')]
train_dataloader = dict(dataset=dict(pipeline=_train))
