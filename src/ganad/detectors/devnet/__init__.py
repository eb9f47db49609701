"""DevNet (Pang et al. 2019): deviation networks, semi-supervised with a few known anomalies."""

from .detector import DevNet
from .synthetic import latent_gaussian_anomalies

__all__ = ["DevNet", "latent_gaussian_anomalies"]
