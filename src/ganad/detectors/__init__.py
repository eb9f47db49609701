"""The detectors, one folder each: `networks.py` (pure modules), `losses.py` (pure loss
functions), `training.py` (the update steps) and `detector.py` (the estimator). A detector
imports from `ganad.nn`, `ganad.training` and `ganad.base`, never from another detector."""
