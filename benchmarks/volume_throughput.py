"""compute_volume throughput at 640x480: batched torch vs a straightforward per-image NumPy
reference (same maths: least-squares ring plane, plane footprint ``Z^2/(fx fy |r.n|)``).

Both use the 'plane' footprint so they compute the same number (checked before timing); the
default 'surface' footprint of mmext is timed too.

Example::

    python benchmarks/volume_throughput.py --batch 16 --repeats 5
"""
import argparse
import json
import time

import numpy as np


def numpy_volume(depth, K, mask, inner=5, width=20):
    """Per-image reference: ring by square dilation, LS plane Z = aX + bY + c, integration."""
    import cv2
    H, W = depth.shape
    v, u = np.mgrid[0:H, 0:W].astype(np.float64)
    X = (u - K[0, 2]) / K[0, 0] * depth
    Y = (v - K[1, 2]) / K[1, 1] * depth
    m8 = mask.astype(np.uint8)
    big = cv2.dilate(m8, np.ones((2 * (inner + width) + 1,) * 2, np.uint8)) > 0
    small = cv2.dilate(m8, np.ones((2 * inner + 1,) * 2, np.uint8)) > 0
    ring = big & ~small & (depth > 0)
    A = np.stack([X[ring], Y[ring], np.ones(ring.sum())], 1)
    a, b, c = np.linalg.lstsq(A, depth[ring], rcond=None)[0]
    s = np.sqrt(a * a + b * b + 1)
    n, d = np.array([a, b, -1.0]) / s, c / s
    h = np.maximum(n[0] * X + n[1] * Y + n[2] * depth + d, 0)
    rx, ry = (u - K[0, 2]) / K[0, 0], (v - K[1, 2]) / K[1, 1]
    cos = np.abs(n[0] * rx + n[1] * ry + n[2])
    area = depth ** 2 / (K[0, 0] * K[1, 1]) / cos
    sel = mask & (depth > 0)
    return float((h * area)[sel].sum())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=16)
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--threads', type=int, default=None, help='torch.set_num_threads')
    a = p.parse_args()
    import torch
    if a.threads:
        torch.set_num_threads(a.threads)
    from mmext.geometry import compute_volume
    from mmext.synthetic.nutrition5k_solids import (SphericalCap, TableScene, intrinsics,
                                                    render_scene)
    K = intrinsics(616.0, 616.0, 319.5, 239.5)
    rng = np.random.default_rng(0)
    depths, masks = [], []
    for _ in range(a.batch):
        cap = SphericalCap(rng.uniform(-0.05, 0.05), rng.uniform(-0.03, 0.03), 0.04, 0.02)
        d, lab, _ = render_scene(TableScene(K, (480, 640), 0.359, solids=[cap]))
        depths.append(d.astype(np.float32))
        masks.append(lab == 1)
    dt, mt, Kt = torch.from_numpy(np.stack(depths)), torch.from_numpy(np.stack(masks)), \
        torch.from_numpy(K).float()
    ref = [numpy_volume(d.astype(np.float64), K, m) for d, m in zip(depths, masks)]
    got = compute_volume(dt, Kt, mt, footprint='plane').numpy()
    assert np.allclose(got, ref, rtol=1e-3), (got, ref)

    # Process CPU time (all threads): on a shared machine wall time measures the others.
    def timeit(fn):
        fn()
        ts = []
        for _ in range(a.repeats):
            t = time.process_time()
            fn()
            ts.append(time.process_time() - t)
        return float(np.median(ts))
    t_np = timeit(lambda: [numpy_volume(d, K, m) for d, m in zip(depths, masks)])
    with torch.no_grad():
        t_plane = timeit(lambda: compute_volume(dt, Kt, mt, footprint='plane'))
        t_surf = timeit(lambda: compute_volume(dt, Kt, mt))
    res = dict(batch=a.batch, size='640x480', threads=torch.get_num_threads(),
               clock='process CPU time',
               numpy_per_image_ms=1e3 * t_np / a.batch,
               torch_batched_plane_ms=1e3 * t_plane / a.batch,
               torch_batched_surface_ms=1e3 * t_surf / a.batch,
               speedup_plane=t_np / t_plane, max_rel_diff=float(np.max(np.abs(got / ref - 1))))
    print(json.dumps(res, indent=1))


if __name__ == '__main__':
    main()
