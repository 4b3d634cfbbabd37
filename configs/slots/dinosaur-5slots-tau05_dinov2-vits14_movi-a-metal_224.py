# As dinosaur-5slots-tau05_dinov2-vits14_movi-a_224.py, trained and evaluated on the videos
# whose objects are all metal (log 004's metal subset: specular highlights).
_base_ = ['./dinosaur-5slots-tau05_dinov2-vits14_movi-a_224.py']
train_dataloader = dict(dataset=dict(subset='metal'))
val_dataloader = dict(dataset=dict(subset='metal'))
test_dataloader = val_dataloader
