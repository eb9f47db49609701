"""DA3D: double-adversarial activation anomaly detection (Schulze et al., IJCNN 2022)."""
