"""Reading Nutrition5k files: depth_raw.png with its unit check, metadata CSVs, split files."""
import csv
import os.path as osp
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

DEPTH_UNIT_M = 1e-4          # depth_raw.png: 1 m = 10000 units
TABLE_RANGE_M = (0.2, 0.6)   # plausible camera-to-table distance (paper: 0.359 m)


class Nutrition5kFormatError(ValueError):
    """A Nutrition5k file does not have the expected content."""


def read_depth_raw(path: str, unit_m: float = DEPTH_UNIT_M) -> np.ndarray:
    """``depth_raw.png`` (uint16) -> float32 metres; 0 stays 0 (no measurement).

    Raises:
        Nutrition5kFormatError: If the file is missing, unreadable or not 16-bit single-channel.
    """
    raw = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if raw is None:
        raise Nutrition5kFormatError(f'{path}: cannot read depth_raw.png')
    if raw.dtype != np.uint16 or raw.ndim != 2:
        raise Nutrition5kFormatError(f'{path}: depth_raw.png must be single-channel 16-bit '
                                     f'(1 unit = {unit_m} m), got {raw.dtype} {raw.shape}')
    return raw.astype(np.float32) * np.float32(unit_m)


def check_depth_units(depth_m: np.ndarray, path: str,
                      table_range: Tuple[float, float] = TABLE_RANGE_M) -> Optional[str]:
    """Per-dish unit sanity check: the median valid depth (mostly table) must be a plausible
    camera-to-table distance. Returns a message when it is not (e.g. a dish stored in mm)."""
    valid = depth_m[depth_m > 0]
    if valid.size == 0:
        return f'{path}: depth_raw.png has no valid pixel'
    med = float(np.median(valid))
    if not table_range[0] <= med <= table_range[1]:
        return (f'{path}: median depth {med:.4f} m is outside {table_range} m with '
                f'{DEPTH_UNIT_M} m per unit; the file is probably in other units '
                f'(x{0.359 / med:.3g} would fit)')
    return None


def read_split_ids(path: str) -> List[str]:
    """One dish id per line (``dish_<unix ts>``); blank lines ignored."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'split file {path} does not exist')
    with open(path) as f:
        ids = [line.strip() for line in f if line.strip()]
    bad = [i for i in ids if not i.startswith('dish_')]
    if bad:
        raise Nutrition5kFormatError(f'{path}: expected ids like dish_1556572657, got {bad[:3]}')
    return ids


def read_dish_metadata(paths: List[str]) -> Dict[str, Dict]:
    """Header-less ``dish_metadata_cafe{1,2}.csv``: dish_id, total_calories, total_mass,
    total_fat, total_carb, total_protein, then 7-field ingredient groups (id, name, grams,
    calories, fat, carb, protein)."""
    out = {}
    for path in paths:
        with open(path, newline='') as f:
            for n, row in enumerate(csv.reader(f), 1):
                if not row:
                    continue
                if len(row) < 6 or (len(row) - 6) % 7:
                    raise Nutrition5kFormatError(
                        f'{path}:{n}: expected 6 dish fields + 7 per ingredient, got {len(row)}')
                try:
                    cal, mass, fat, carb, prot = map(float, row[1:6])
                except ValueError as e:
                    raise Nutrition5kFormatError(f'{path}:{n}: non-numeric dish totals ({e}); '
                                                 'the file must have no header') from e
                ingr = [dict(id=row[i], name=row[i + 1], grams=float(row[i + 2]))
                        for i in range(6, len(row), 7)]
                out[row[0]] = dict(total_calories=cal, total_mass=mass, total_fat=fat,
                                   total_carb=carb, total_protein=prot, ingredients=ingr)
    return out
