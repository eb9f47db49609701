"""Configurations from the papers that several detectors share.

`TABLE1` is [DA3D-A] Table 1 (METHODS §2.2.7): DA3D's per-data-set sizes, which its Table 2
baselines (A3, f-AnoGAN, GANomaly, Deep SVDD) reuse for their `da3d_<name>` presets. It lives
here, not in DA3D's folder, so that no detector imports another.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .nn.sizing import BIG_ALARM, SMALL_ALARM

__all__ = ["TABLE1"]

#: [DA3D-A] Table 1 / METHODS §2.2.7, the single source of the per-data-set sizes that DA3D and
#: the baselines of its Table 2 share: name -> (AAE encoder dims with the code last, or None for
#: the conv AAE; alarm hidden sizes; the code's batch size).
TABLE1: Mapping[str, tuple[tuple[int, ...] | None, tuple[int, ...], int]] = MappingProxyType(
    {
        "creditcard": ((50, 40, 30, 20, 10, 5), BIG_ALARM, 4096),
        "census": ((600, 300, 150, 75, 30, 15), BIG_ALARM, 512),
        "covtype": ((90, 75, 60, 45, 25, 15), BIG_ALARM, 4096),
        "doh": ((50, 40, 30, 20, 10, 2), BIG_ALARM, 128),
        "kdd": ((150, 100, 70, 40, 25, 10), BIG_ALARM, 512),
        "mammography": ((12, 10, 8, 6, 3, 2), SMALL_ALARM, 128),
        "url": ((100, 80, 60, 40, 20, 10), BIG_ALARM, 64),
        "mnist": (None, BIG_ALARM, 256),
        "fmnist": (None, BIG_ALARM, 256),
        "emnist": (None, BIG_ALARM, 512),
    }
)
