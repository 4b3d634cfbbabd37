"""Install mmext, the lab's OpenMMLab plugin package.

The heavy, build-sensitive part of the stack (torch, torchvision, mmcv with compiled ops)
is installed by ``tools/setup_env.sh``; ``pip install -e .`` alone expects it present.
"""
import os.path as osp

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_version() -> str:
    """Read ``__version__`` from mmext/version.py without importing the package."""
    namespace: dict = {}
    with open(osp.join(HERE, 'mmext', 'version.py'), encoding='utf-8') as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def read_requirements(name: str) -> list:
    """Return the requirement lines of requirements/<name>.txt (comments dropped)."""
    path = osp.join(HERE, 'requirements', f'{name}.txt')
    with open(path, encoding='utf-8') as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [line for line in lines if line]


setup(
    name='mmext',
    version=read_version(),
    description='OpenMMLab plugin for metric depth, food volume, self-supervised road depth, '
                'thermal pseudo-label detection and slot learning',
    long_description=open(osp.join(HERE, 'README.md'), encoding='utf-8').read()
    if osp.exists(osp.join(HERE, 'README.md')) else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.9',
    install_requires=['torch>=2.0', 'mmengine>=0.10.7', 'mmcv>=2.0.0,<2.2.0',
                      'mmdet>=3.3.0', 'numpy', 'pycocotools'],
    extras_require={
        'tests': read_requirements('tests'),
        'all': read_requirements('runtime'),
        'pretrain': ['mmpretrain>=1.2.0', 'torchvision'],
        'hf': ['transformers>=4.45'],
        'sam2': ['sam2>=1.1.0'],
        'optuna': ['optuna>=4.0'],
        # optuna studies on PostgreSQL: psycopg 3, what SQLAlchemy 2.1 maps postgresql:// to
        # (URL form: postgresql+psycopg://user:password@host:5432/db; see docs/hpo.md)
        'postgres': ['optuna>=4.0', 'psycopg[binary]>=3.1'],
    },
    zip_safe=False,
)
