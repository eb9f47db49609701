"""Adversarial autoencoder (DA3D's frozen feature extractor)."""
