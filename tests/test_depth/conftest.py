"""Shared fixtures of the depth tests: one small synthetic Nutrition5k tree per session."""
import pytest


@pytest.fixture(scope='session')
def n5k_root(tmp_path_factory):
    """12 synthetic dishes in 4 sessions at 240x320, one without depth, one in millimetres."""
    from mmext.synthetic.nutrition5k_trays import generate_nutrition5k
    root = tmp_path_factory.mktemp('nutrition5k')
    gt = generate_nutrition5k(str(root), num_dishes=12, num_sessions=4, seed=0,
                              size=(240, 320), K=(308.0, 308.0, 159.5, 119.5),
                              no_depth=1, mm_units=1)
    return root, gt
