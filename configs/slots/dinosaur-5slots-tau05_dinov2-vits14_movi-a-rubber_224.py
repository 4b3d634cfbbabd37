# As dinosaur-5slots-tau05_dinov2-vits14_movi-a_224.py, trained and evaluated on the videos
# whose objects are all rubber (the matte counterpart of the metal subset).
_base_ = ['./dinosaur-5slots-tau05_dinov2-vits14_movi-a_224.py']
train_dataloader = dict(dataset=dict(subset='rubber'))
val_dataloader = dict(dataset=dict(subset='rubber'))
test_dataloader = val_dataloader
