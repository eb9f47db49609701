"""Loaders for each data set's original file format (used through `ganad.data.load_dataset`).

Importing this package registers every data set: each loader module defines its data sets'
`DatasetInfo` next to the loader function and registers both with `@register_dataset`.
"""

from . import images, network, tabular

__all__ = ["images", "network", "tabular"]
