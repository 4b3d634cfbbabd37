# Variant of fumet-legacy_r18c16_synthkitti_256x96_cpu.py (representative-depth form) with
# the rough term in the log's first form (ObjectHeightLoss target='frame'): the objects'
# median scale factor rescales the whole prediction (pseudo label s * D, log-L1 on every
# pixel) instead of pulling the objects' own depths. In the instance form the small from-
# scratch CPU network fitted the object heights locally and left the road at the
# photometric scale (camera height 2.4 m for 1.65 m at 2 m/frame); a global rescaling
# cannot bend objects away from the road.
_base_ = ['./fumet-legacy_r18c16_synthkitti_256x96_cpu.py']
model = dict(object_height_loss=dict(target='frame'))
