"""BiGAN / EGBAD (Zenati et al. 2018; METHODS §5.3): joint encoder, generator and D(x, z)."""

from .detector import EGBAD

__all__ = ["EGBAD"]
