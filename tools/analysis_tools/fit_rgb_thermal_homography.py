"""Fit the RGB -> thermal homography of a camera rig from point correspondences.

FLIR ADAS RGB and thermal frames come from two cameras and are not registered. Click the
same scene points in a few RGB/thermal pairs (corners of signs, lamp posts, wheels; spread
over the frame) and list them in a CSV with the header ``x_rgb,y_rgb,x_thermal,y_thermal``.

Example:
    python tools/analysis_tools/fit_rgb_thermal_homography.py points.csv \
        data/FLIR_ADAS_1_3/rgb_to_thermal_homography.json --rgb-size 1800 1600
"""
import argparse
import csv
import json
import sys

import cv2
import numpy as np


def fit_homography(rgb: np.ndarray, thermal: np.ndarray, ransac_px: float = 3.0):
    """RANSAC homography mapping ``rgb`` (N, 2) points onto ``thermal`` (N, 2) points.

    Returns:
        (3x3 matrix, inlier mask, per-point reprojection error in thermal pixels).
    """
    if len(rgb) < 4:
        raise ValueError(f'need at least 4 point pairs, got {len(rgb)}')
    H, inliers = cv2.findHomography(rgb.astype(np.float64), thermal.astype(np.float64),
                                    cv2.RANSAC, ransac_px)
    if H is None:
        raise ValueError('no homography found: check that the points are not collinear')
    proj = cv2.perspectiveTransform(rgb.reshape(-1, 1, 2).astype(np.float64), H)[:, 0]
    return H / H[2, 2], inliers.ravel().astype(bool), np.linalg.norm(proj - thermal, axis=1)


def main(argv=None) -> None:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('points', help='CSV with x_rgb,y_rgb,x_thermal,y_thermal')
    parser.add_argument('out', help='output JSON (rgb_to_thermal, thermal_to_rgb)')
    parser.add_argument('--ransac-px', type=float, default=3.0)
    parser.add_argument('--rgb-size', type=int, nargs=2, metavar=('W', 'H'),
                        help='size of the RGB frames the points were clicked on; stored as '
                        'rgb_size so frames of other sizes are scaled, not mis-mapped')
    parser.add_argument('--thermal-size', type=int, nargs=2, metavar=('W', 'H'))
    args = parser.parse_args(argv)
    with open(args.points, newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    need = {'x_rgb', 'y_rgb', 'x_thermal', 'y_thermal'}
    if not rows or not need <= set(rows[0]):
        sys.exit(f'error: {args.points} must have the columns {sorted(need)}')
    rgb = np.array([[float(r['x_rgb']), float(r['y_rgb'])] for r in rows])
    thermal = np.array([[float(r['x_thermal']), float(r['y_thermal'])] for r in rows])
    H, inliers, err = fit_homography(rgb, thermal, args.ransac_px)
    with open(args.out, 'w', encoding='utf-8') as f:
        json.dump(dict(rgb_to_thermal=H.tolist(), thermal_to_rgb=np.linalg.inv(H).tolist(),
                       points=len(rows), inliers=int(inliers.sum()),
                       median_error_px=float(np.median(err[inliers])),
                       rgb_size=args.rgb_size, thermal_size=args.thermal_size), f, indent=1)
    print(f'{inliers.sum()}/{len(rows)} inliers, median reprojection error '
          f'{np.median(err[inliers]):.2f} px -> {args.out}')


if __name__ == '__main__':
    main()
