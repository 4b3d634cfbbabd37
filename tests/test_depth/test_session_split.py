"""Session grouping, session split tool and leakage audit on synthetic ids with known sessions."""
import importlib.util
import os.path as osp

import numpy as np
import pytest

from mmext.depth.datasets import audit_leakage, group_sessions, split_by_sessions

ROOT = osp.join(osp.dirname(__file__), '..', '..')


def _tool(path):
    spec = importlib.util.spec_from_file_location(osp.basename(path)[:-3], osp.join(ROOT, path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _ids(seed=0, n_sessions=30):
    """Sessions of 2-9 dishes 20-290 s apart, sessions >= 301 s apart (known ground truth)."""
    rng = np.random.default_rng(seed)
    t, ids, truth = 1_556_000_000, [], []
    for s in range(n_sessions):
        sess = []
        for _ in range(int(rng.integers(2, 10))):
            sess.append(f'dish_{t}')
            t += int(rng.integers(20, 291))
        t += int(rng.integers(301, 5000)) - int(rng.integers(20, 291)) + 290
        truth.append(sess)
        ids += sess
    return ids, truth


def test_group_sessions_recovers_truth():
    ids, truth = _ids()
    shuffled = list(np.random.default_rng(1).permutation(ids))
    assert group_sessions(shuffled, 300) == truth
    # A 1-s gap threshold makes every dish its own session.
    assert len(group_sessions(ids, 1)) == len(ids)
    with pytest.raises(ValueError, match='unix timestamp'):
        group_sessions(['dish_abc'])


def test_split_by_sessions_has_no_leak_and_close_ratios():
    ids, truth = _ids()
    splits = split_by_sessions(ids, (0.7, 0.15, 0.15), ('train', 'val', 'test'), seed=3)
    assert sorted(sum(splits.values(), [])) == sorted(ids)
    audit = audit_leakage(splits, within_s=300, gap_s=300)
    assert sum(audit['pairs'].values()) == 0 and sum(audit['shared_sessions'].values()) == 0
    assert abs(len(splits['train']) / len(ids) - 0.7) < 0.08
    # Deterministic per seed, different across seeds.
    assert splits == split_by_sessions(ids, (0.7, 0.15, 0.15), ('train', 'val', 'test'), seed=3)
    assert splits != split_by_sessions(ids, (0.7, 0.15, 0.15), ('train', 'val', 'test'), seed=4)


def test_audit_counts_random_split_leak_exactly():
    ids = ['dish_1000', 'dish_1100', 'dish_1500', 'dish_5000', 'dish_5200']
    splits = {'train': ['dish_1000', 'dish_1500', 'dish_5000'],
              'test': ['dish_1100', 'dish_5200', 'dish_1000']}
    a = audit_leakage(splits, within_s=300, gap_s=300)
    # Pairs (train, test) within 300 s: (1000,1100), (1000,1000), (1500,1...)? 1500-1100=400 no;
    # (5000,5200) yes; (1000,1000) same id counts as a pair at distance 0.
    assert a['pairs'][('train', 'test')] == 3
    # Sessions: {1000,1100}, {1500}, {5000,5200}: the 1st and 3rd are shared.
    assert a['shared_sessions'][('train', 'test')] == 2
    assert a['duplicates'][('train', 'test')] == 1
    assert a['num_sessions'] == 3


def test_tools_write_and_audit_split_files(tmp_path, capsys):
    ids, truth = _ids(seed=5, n_sessions=12)
    ids_file = tmp_path / 'all_ids.txt'
    ids_file.write_text('\n'.join(ids) + '\n')
    split_tool = _tool('tools/dataset_converters/nutrition5k_session_split.py')
    out = tmp_path / 'splits'
    split_tool.main([str(tmp_path), '--ids-files', 'all_ids.txt', '--ratios', '0.75', '0.25',
                     '--out-dir', str(out), '--seed', '2'])
    files = [str(out / 'depth_train_ids.txt'), str(out / 'depth_test_ids.txt')]
    audit_tool = _tool('tools/analysis_tools/audit_split_leakage.py')
    a = audit_tool.main(files + ['--within', '300', '--fail-on-leak'])
    assert sum(a['pairs'].values()) == 0
    # A random dish-level split of the same ids leaks, and --fail-on-leak exits with 1.
    rng = np.random.default_rng(0)
    perm = rng.permutation(ids)
    (tmp_path / 'rand_train.txt').write_text('\n'.join(perm[:len(ids) * 3 // 4]))
    (tmp_path / 'rand_test.txt').write_text('\n'.join(perm[len(ids) * 3 // 4:]))
    with pytest.raises(SystemExit) as e:
        audit_tool.main([str(tmp_path / 'rand_train.txt'), str(tmp_path / 'rand_test.txt'),
                         '--fail-on-leak'])
    assert e.value.code == 1
    assert 'shared sessions' in capsys.readouterr().out
