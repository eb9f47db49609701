"""REPEN (Pang et al. 2018): representations learned for random-distance outlier detection."""

from .detector import REPEN

__all__ = ["REPEN"]
