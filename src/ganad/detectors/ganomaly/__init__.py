"""GANomaly (Akçay et al. 2018; METHODS §5.5): encoder-decoder-encoder generator, latent-distance score."""

from .detector import GANomaly

__all__ = ["GANomaly"]
