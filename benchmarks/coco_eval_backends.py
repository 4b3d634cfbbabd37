"""Time pycocotools vs faster-coco-eval on a FLIR-val-sized random bbox case.

1366 images (FLIR v1.3 val), 3-14 GT boxes and 100 random detections per image (136,600
detections), 3 classes; both evaluate / accumulate / summarize with default parameters.
Prints both times and the largest difference of the 12 summary numbers.

Example:
    python benchmarks/coco_eval_backends.py
"""
import time, numpy as np, copy, contextlib, io
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
from faster_coco_eval import COCO as FC, COCOeval_faster
rng = np.random.default_rng(0)
images, anns, dets = [], [], []
for i in range(1366):
    images.append(dict(id=i, file_name=f'{i}.jpg', width=640, height=512))
    for _ in range(rng.integers(3, 15)):
        w, h = rng.uniform(8, 200, 2); x, y = rng.uniform(0, 440), rng.uniform(0, 312)
        c = int(rng.choice([1, 2, 3]))
        anns.append(dict(id=len(anns)+1, image_id=i, category_id=c, bbox=[x, y, w, h], area=w*h, iscrowd=0))
    for _ in range(100):
        w, h = rng.uniform(8, 200, 2); x, y = rng.uniform(0, 440), rng.uniform(0, 312)
        dets.append(dict(image_id=i, category_id=int(rng.choice([1, 2, 3])), bbox=[x, y, w, h], score=float(rng.random())))
gt = dict(images=images, annotations=anns, categories=[dict(id=k, name=n) for k, n in [(1,'person'),(2,'bicycle'),(3,'car')]])
def run(COCOc, Eval, **kw):
    g = COCOc(); g.dataset = copy.deepcopy(gt); g.createIndex()
    t = time.time()
    with contextlib.redirect_stdout(io.StringIO()):
        e = Eval(g, g.loadRes(copy.deepcopy(dets)), 'bbox', **kw); e.evaluate(); e.accumulate(); e.summarize()
    return time.time() - t, e.stats


tf, sf = run(FC, COCOeval_faster, print_function=lambda *a: None)
tp, sp = run(COCO, COCOeval)
print(f'{len(images)} images, {len(dets)} detections: pycocotools {tp:.1f} s, faster-coco-eval {tf:.1f} s, max |stats diff| {np.abs(np.array(sp)-np.array(sf)).max():.2e}')
