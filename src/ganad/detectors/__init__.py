"""The detectors, one folder each: `networks.py` (pure modules), `losses.py` (pure loss
functions), `training.py` (the update steps) and `detector.py` (the estimator, registered with
`ganad.registry.register_detector`). A detector imports from `ganad.nn`, `ganad.training`,
`ganad.tags` and `ganad.base`, never from another detector.

Importing this package imports every detector, which registers it.
"""

from .a3 import A3
from .aae import AAE
from .alad import ALAD
from .anogan import AnoGAN
from .auto import AutoDetector
from .da3d import DA3D
from .dagmm import DAGMM
from .deepsvdd import DeepSVDD
from .devnet import DevNet
from .dte import DTE, DTENonParametric
from .egbad import EGBAD
from .fanogan import FAnoGAN
from .fence_gan import FenceGAN
from .ganomaly import GANomaly
from .kdsm import KDSM
from .repen import REPEN

__all__ = [
    "A3",
    "AAE",
    "ALAD",
    "DA3D",
    "DAGMM",
    "DTE",
    "EGBAD",
    "KDSM",
    "REPEN",
    "AnoGAN",
    "AutoDetector",
    "DTENonParametric",
    "DeepSVDD",
    "DevNet",
    "FAnoGAN",
    "FenceGAN",
    "GANomaly",
]
