"""Loaders for each data set's original file format (used through `ganad.data.load_dataset`)."""
