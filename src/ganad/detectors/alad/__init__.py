"""ALAD (Zenati et al. 2018; METHODS §5.4): BiGAN plus cycle-consistency discriminators D_xx, D_zz."""

from .detector import ALAD

__all__ = ["ALAD"]
