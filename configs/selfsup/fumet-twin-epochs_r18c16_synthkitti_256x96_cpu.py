# Labelled variant of fumet_r18c16_synthkitti_256x96_cpu.py (FUMET's formulas unchanged):
# FUMET's epoch-based schedules at the twin's scale. FUMET counts its camera-height updates
# and weight schedules in epochs of KITTI's Eigen-Zhou split (39810 frames, ~4976 iterations
# at batch 8), so its first camera-height estimate (after its epoch 1) comes from a network
# already trained ~5000 iterations on the rough term; FUMET itself rescales the schedule
# limit with the data set size on Cityscapes (12 = 20 x 39810 / 69731). On the twin one
# epoch is 13 iterations: with FUMET's epochs taken literally the first estimate is made
# after 26 iterations of a from-scratch network (20.6 m for the true 1.65 m in the
# published-form run, benchmarks/RESULTS_selfsup.md) and the outlier test then rejects
# nearly every object. Here one epoch is 5 passes over the 103 training frames (65
# iterations) and the run keeps the published form's budget of 780 iterations
# (12 epochs): first estimate after 130 iterations, the rough/fine schedules' limit at half
# of the training (6 of 12 epochs, FUMET: 20 of 40), the lr step after 10 of 12 epochs
# (published form: 50 of 60).
_base_ = ['./fumet_r18c16_synthkitti_256x96_cpu.py']
passes_per_epoch = 5
train_dataloader = dict(dataset=dict(
    _delete_=True, type='RepeatDataset', times=passes_per_epoch,
    dataset={{_base_.train_dataset}}))
model = dict(loss_schedule=dict(
    object=dict(type='fumet_rough', limit_epoch=6, keep_epoch=1, min_value=0.005),
    camera=dict(type='fumet_fine', limit_epoch=6, keep_epoch=1)))
max_epochs = 12
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=4)
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[10], gamma=0.1)]
default_hooks = dict(checkpoint=dict(interval=2, max_keep_ckpts=2))
