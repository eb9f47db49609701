"""REPEN (Pang et al. 2018): representations learned for random-distance outlier detection."""
