"""Deep SVDD (Ruff et al. 2018): one-class hypersphere around AE-pre-trained embeddings."""

from .detector import DeepSVDD

__all__ = ["DeepSVDD"]
