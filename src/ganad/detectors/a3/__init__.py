"""A3: activation anomaly analysis (Sperl et al., 2020), DA3D's building block."""

from .detector import A3

__all__ = ["A3"]
