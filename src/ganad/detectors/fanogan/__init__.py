"""f-AnoGAN (Schlegl et al. 2019; METHODS §5.2): WGAN-GP, then an encoder; one-pass scoring."""

from .detector import FAnoGAN

__all__ = ["FAnoGAN"]
