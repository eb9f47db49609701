"""DAGMM (Zong et al. 2018): deep autoencoding Gaussian mixture model."""
