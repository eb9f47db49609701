"""Adversarial autoencoder (DA3D's frozen feature extractor)."""

from .detector import AAE

__all__ = ["AAE"]
