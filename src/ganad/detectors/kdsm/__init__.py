"""K-DSM: denoising score matching with kurtosis-guided per-feature noise scales (Livernoche,
Zan, Rabbany, arXiv 2605.06955, 2026)."""

from .detector import KDSM

__all__ = ["KDSM"]
