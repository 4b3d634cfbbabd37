# The design card's headline experiment:
#   python tools/train.py configs/thermal/yolox_x_sam2_pseudo.py
# COCO YOLOX-x teacher on the paired RGB frames -> COCO->FLIR classes -> score >= 0.5 ->
# RGB->thermal homography -> SAM 2 (hiera-large, box prompts on the thermal frame) tightens
# every box -> COCO json cached in <work_dir>/pseudo_labels/<key>/ -> YOLOX-x trained on
# thermal frames with these labels -> validated on the real thermal ground truth.
# SAM 2 weights: checkpoints/sam2.1_hiera_large.pt (facebookresearch/sam2 release), or use
# refiner.backend=dict(type='hf', model='facebook/sam2.1-hiera-large').
_base_ = './yolox_x_flir-pseudo-raw_100e.py'

pseudo_labels = dict(
    refiner=dict(_delete_=True, type='SAM2PseudoLabeler',
                 backend=dict(type='sam2', config='configs/sam2.1/sam2.1_hiera_l.yaml',
                              checkpoint='checkpoints/sam2.1_hiera_large.pt', device='cuda'),
                 iou_thr=0.5, min_area=16))
