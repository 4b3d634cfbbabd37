"""mmcv's NMS routed to torchvision (mmext.utils.mmcv_ops): the kept boxes are mmcv's own.

The route serves CUDA tensors when mmcv has no CUDA kernels; here it is forced on CPU
tensors (``needed=lambda t: True``) and compared with mmcv's CPU kernel, bit for bit.
"""
import warnings

import pytest
import torch

mmcv_ops = pytest.importorskip('mmcv.ops')
from mmcv.ops import batched_nms, nms  # noqa: E402
from mmcv.ops.nms import ext_module  # noqa: E402

from mmext.utils import mmcv_ops as fallback  # noqa: E402


def _boxes(n, seed, scale=100.0, integer=False):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g) * scale
    wh = torch.rand(n, 2, generator=g) * scale * 0.4 + 1
    boxes = torch.cat([xy, xy + wh], 1)
    if integer:
        boxes = boxes.round()
    return boxes


@pytest.fixture
def forced_route():
    fallback.uninstall_nms_route()
    assert fallback.install_nms_route(needed=lambda t: True)
    yield
    fallback.uninstall_nms_route()
    fallback.apply()  # restore what `import mmext` set up


@pytest.mark.parametrize('seed', range(6))
@pytest.mark.parametrize('thr', [0.3, 0.5, 0.65, 0.9])
def test_random_boxes_keep_mmcvs_boxes(seed, thr):
    boxes = _boxes(300, seed)
    scores = torch.rand(300, generator=torch.Generator().manual_seed(100 + seed))
    ref = fallback._STATE['original'] or ext_module.nms
    ref = ref(boxes, scores, iou_threshold=thr, offset=0)
    got = fallback.nms_like_mmcv(boxes, scores, thr)
    assert torch.equal(got, ref) and got.dtype == torch.long


def test_ties_in_scores_and_identical_boxes():
    boxes = _boxes(200, 7)
    boxes[50:60] = boxes[40:50]  # exact duplicates: IoU 1
    scores = (torch.rand(200, generator=torch.Generator().manual_seed(3)) * 5).floor() / 5
    for thr in (0.0, 0.5, 0.99):
        ref = ext_module.nms(boxes, scores, iou_threshold=thr, offset=0)
        assert torch.equal(fallback.nms_like_mmcv(boxes, scores, thr), ref)
    # all scores equal
    flat = torch.full((200, ), 0.5)
    assert torch.equal(fallback.nms_like_mmcv(boxes, flat, 0.5),
                       ext_module.nms(boxes, flat, iou_threshold=0.5, offset=0))


def test_iou_exactly_at_the_threshold_is_kept():
    # IoU of these two boxes is exactly 0.5: mmcv keeps both (strict ">")
    boxes = torch.tensor([[0., 0., 2., 1.], [0., 0., 1., 1.]])
    scores = torch.tensor([0.9, 0.8])
    ref = ext_module.nms(boxes, scores, iou_threshold=0.5, offset=0)
    assert ref.tolist() == [0, 1]
    assert torch.equal(fallback.nms_like_mmcv(boxes, scores, 0.5), ref)


def test_legacy_offset_one_on_integer_boxes():
    boxes = _boxes(150, 11, integer=True)
    scores = torch.rand(150, generator=torch.Generator().manual_seed(5))
    for thr in (0.3, 0.7):
        ref = ext_module.nms(boxes, scores, iou_threshold=thr, offset=1)
        assert torch.equal(fallback.nms_like_mmcv(boxes, scores, thr, offset=1), ref)


def test_empty_input():
    empty = torch.zeros((0, 4))
    got = fallback.nms_like_mmcv(empty, torch.zeros(0), 0.5)
    assert got.shape == (0, ) and got.dtype == torch.long


@pytest.mark.parametrize('nms_cfg', [
    dict(iou_threshold=0.65),                            # YOLOX's test_cfg.nms
    dict(type='nms', iou_threshold=0.5, class_agnostic=True),
    dict(iou_threshold=0.5, split_thr=50),               # the per-class loop
    dict(iou_threshold=0.6, score_threshold=0.3, max_num=40),
])
def test_batched_nms_several_classes_through_the_route(forced_route, nms_cfg):
    boxes = _boxes(400, 21)
    scores = torch.rand(400, generator=torch.Generator().manual_seed(8)).round(decimals=1)
    idxs = torch.randint(0, 4, (400, ), generator=torch.Generator().manual_seed(9))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        dets, keep = batched_nms(boxes, scores, idxs, dict(nms_cfg))
    fallback.uninstall_nms_route()
    ref_dets, ref_keep = batched_nms(boxes, scores, idxs, dict(nms_cfg))
    assert torch.equal(keep, ref_keep) and torch.equal(dets, ref_dets)
    assert len([w for w in caught if 'torchvision' in str(w.message)]) == 1


def test_route_warns_once_and_leaves_other_tensors_alone(forced_route):
    boxes, scores = _boxes(50, 1), torch.rand(50)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for _ in range(3):
            dets, keep = nms(boxes, scores, 0.5)
    assert len([w for w in caught if 'torchvision' in str(w.message)]) == 1
    if torch.cuda.is_available():
        return
    fallback.uninstall_nms_route()
    # default predicate: CPU tensors keep mmcv's kernel, no warning
    assert fallback.install_nms_route()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        nms(boxes, scores, 0.5)
    assert not [w for w in caught if 'torchvision' in str(w.message)]


def test_installed_by_import_mmext_and_half_inputs_work():
    """mmcv's kernels read float32 only; under AMP the wrapper casts half inputs."""
    assert fallback._STATE['installed']
    boxes, scores = _boxes(200, 2), torch.rand(200, generator=torch.Generator().manual_seed(1))
    for half in (torch.bfloat16, torch.float16):
        b, s = boxes.to(half), scores.to(half)
        ref = fallback._STATE['original'](b.float(), s.float(), iou_threshold=0.5, offset=0)
        dets, keep = nms(b, s, 0.5)
        assert torch.equal(keep, ref) and dets.dtype == half
    fallback.uninstall_nms_route()
    try:
        with pytest.raises(RuntimeError, match='expected scalar type Float'):
            nms(boxes.bfloat16(), scores.bfloat16(), 0.5)  # mmcv alone
    finally:
        fallback.apply()


@pytest.mark.cuda
def test_nms_on_cuda_equals_cpu():
    """On a GPU: mmcv.ops.nms/batched_nms on CUDA (kernel or route) equal the CPU result."""
    if not torch.cuda.is_available():
        pytest.skip('needs CUDA')
    boxes = _boxes(2000, 3, scale=600)
    scores = torch.rand(2000, generator=torch.Generator().manual_seed(4))
    idxs = torch.randint(0, 3, (2000, ), generator=torch.Generator().manual_seed(5))
    cfg = dict(iou_threshold=0.65)
    _, keep_cpu = batched_nms(boxes, scores, idxs, cfg)
    _, keep_gpu = batched_nms(boxes.cuda(), scores.cuda(), idxs.cuda(), cfg)
    assert torch.equal(keep_gpu.cpu(), keep_cpu)
    got = fallback.nms_like_mmcv(boxes.cuda(), scores.cuda(), 0.5).cpu()
    assert torch.equal(got, ext_module.nms(boxes, scores, iou_threshold=0.5, offset=0))


def _gpu_check():
    import importlib.util
    import os.path as osp
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(
        'mmext_gpu_check_ops', osp.join(root, 'benchmarks', 'gpu_check.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize('family, makes', [
    ('thermal (YOLOX student validation/test, mmdet YOLOX teacher)',
     ['case_thermal', 'case_teacher']),
    ('food (Depth Anything V2, UniDepth)', ['case_food']),
    ('selfsup (monodepth2 / FUMET)', ['case_selfsup']),
    ('slots (DINOSAUR, pixel Slot Attention)', ['case_slots']),
])
def test_mmcv_ops_reached_are_the_listed_ones(monkeypatch, family, makes):
    """Record every call into mmcv's compiled module while each family trains a step and
    predicts: exactly the ops of MMCV_OPS_REACHED (only these need CUDA kernels)."""
    import mmcv._ext as ext
    from mmengine.registry import DefaultScope
    gc = _gpu_check()
    called = set()
    for name in dir(ext):
        fn = getattr(ext, name)
        if callable(fn) and not name.startswith('_'):
            def rec(*a, _n=name, _f=fn, **k):
                called.add(_n)
                return _f(*a, **k)
            monkeypatch.setattr(ext, name, rec)
    with DefaultScope.overwrite_default_scope('mmext'):
        for make in makes:
            case = getattr(gc, make)(True, torch.Generator().manual_seed(0))
            model = case.model
            if case.kind == 'train':
                ow = gc._optim_wrapper(model, False, 'bfloat16', True)
                model.train_step(case.data, ow)
            model.eval()
            with torch.no_grad():
                model.test_step(case.data) if case.kind == 'infer' else \
                    model(**model.data_preprocessor(case.data, False), mode='predict')
    assert called == set(fallback.MMCV_OPS_REACHED[family]), called
