"""AnoGAN (Schlegl et al. 2017; METHODS §5.1): a GAN on normal data, scored by a batched latent search."""

from .detector import AnoGAN

__all__ = ["AnoGAN"]
