"""Capture sessions of Nutrition5k dishes and leak-free splits by session.

Nutrition5k dish ids are unix timestamps (``dish_1556572657``). Shots of the same plate taken
minutes apart are near-duplicates; splitting dishes at random leaks them across train/test
(seed 000: > 1000 train/test pairs < 5 min apart). Dishes are grouped into sessions (a new
session starts after a gap > ``gap_s`` seconds) and whole sessions are assigned to splits.
"""
import bisect
from typing import Dict, List, Sequence

import numpy as np

__all__ = ['dish_timestamp', 'group_sessions', 'split_by_sessions', 'audit_leakage']


def dish_timestamp(dish_id: str) -> int:
    """``'dish_1556572657'`` -> ``1556572657``; clear error for other ids."""
    try:
        return int(dish_id.rsplit('_', 1)[-1])
    except ValueError:
        raise ValueError(f'dish id {dish_id!r} does not end in a unix timestamp '
                         '(expected dish_<seconds>)') from None


def group_sessions(dish_ids: Sequence[str], gap_s: float = 300) -> List[List[str]]:
    """Sessions in time order: consecutive dishes at most ``gap_s`` apart share one."""
    ids = sorted(set(dish_ids), key=dish_timestamp)
    sessions: List[List[str]] = []
    last = None
    for d in ids:
        t = dish_timestamp(d)
        if last is None or t - last > gap_s:
            sessions.append([])
        sessions[-1].append(d)
        last = t
    return sessions


def split_by_sessions(dish_ids: Sequence[str], ratios: Sequence[float] = (0.8, 0.2),
                      names: Sequence[str] = ('train', 'test'), seed: int = 0,
                      gap_s: float = 300) -> Dict[str, List[str]]:
    """Assign whole sessions to splits so dish counts approach ``ratios``.

    Sessions are shuffled (``seed``) and each goes to the split furthest below its target
    dish count, so no session is shared and the sizes are close to the ratios.
    """
    if len(ratios) != len(names):
        raise ValueError(f'{len(ratios)} ratios for {len(names)} split names')
    if any(r < 0 for r in ratios) or sum(ratios) <= 0:
        raise ValueError(f'ratios must be non-negative with a positive sum, got {ratios}')
    sessions = group_sessions(dish_ids, gap_s)
    order = np.random.default_rng(seed).permutation(len(sessions))
    total = sum(len(s) for s in sessions)
    target = np.asarray(ratios, float) / sum(ratios) * total
    count = np.zeros(len(names))
    out = {n: [] for n in names}
    for i in order:
        k = int(np.argmax((target - count) / np.maximum(target, 1e-9)))
        out[names[k]].extend(sessions[i])
        count[k] += len(sessions[i])
    return {n: sorted(v, key=dish_timestamp) for n, v in out.items()}


def audit_leakage(splits: Dict[str, Sequence[str]], within_s: float = 300,
                  gap_s: float = 300) -> Dict:
    """Leakage between splits.

    Returns:
        ``{'pairs': {(a, b): n}, 'shared_sessions': {(a, b): n}, 'num_sessions': n,
        'duplicates': {(a, b): n}}``: dish pairs of two different splits shot within
        ``within_s`` seconds, sessions (gap ``gap_s``) with dishes in both splits, and dish ids
        listed in both.
    """
    names = list(splits)
    times = {n: np.sort(np.array([dish_timestamp(d) for d in splits[n]], np.int64))
             for n in names}
    session_of = {}
    all_ids = [d for n in names for d in splits[n]]
    sessions = group_sessions(all_ids, gap_s)
    for k, s in enumerate(sessions):
        for d in s:
            session_of[d] = k
    pairs, shared, dup = {}, {}, {}
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            tb = times[b]
            n = 0
            for t in times[a]:
                lo = bisect.bisect_left(tb, t - within_s)
                hi = bisect.bisect_right(tb, t + within_s)
                n += hi - lo
            pairs[(a, b)] = int(n)
            sa = {session_of[d] for d in splits[a]}
            sb = {session_of[d] for d in splits[b]}
            shared[(a, b)] = len(sa & sb)
            dup[(a, b)] = len(set(splits[a]) & set(splits[b]))
    return {'pairs': pairs, 'shared_sessions': shared, 'duplicates': dup,
            'num_sessions': len(sessions)}
