# As yolox_x_sam2_pseudo.py with the stricter teacher score threshold of seed 003 (0.7).
_base_ = './yolox_x_sam2_pseudo.py'
pseudo_labels = dict(score_thr=0.7)
