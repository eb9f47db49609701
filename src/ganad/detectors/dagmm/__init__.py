"""DAGMM (Zong et al. 2018): deep autoencoding Gaussian mixture model."""

from .detector import DAGMM

__all__ = ["DAGMM"]
