"""DA3D: double-adversarial activation anomaly detection (Schulze et al., IJCNN 2022)."""

from .detector import DA3D

__all__ = ["DA3D"]
