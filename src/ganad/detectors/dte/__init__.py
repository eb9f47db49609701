"""Diffusion time estimation (Livernoche et al., "On Diffusion Modeling for Anomaly Detection",
ICLR 2024): the neural DTE classifier and its non-parametric form DTE-NP."""

from .detector import DTE, DTENonParametric

__all__ = ["DTE", "DTENonParametric"]
