"""Fence GAN (Ngo et al., ICTAI 2019): a GAN whose generator encircles the normal data."""

from .detector import FenceGAN

__all__ = ["FenceGAN"]
