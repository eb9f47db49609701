"""DevNet (Pang et al. 2019): deviation networks, semi-supervised with a few known anomalies."""

from .synthetic import latent_gaussian_anomalies

__all__ = ["latent_gaussian_anomalies"]
