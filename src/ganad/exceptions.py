"""Errors raised by ganad.

`NotFittedError` is scikit-learn's, so code that already catches it keeps working.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError

__all__ = [
    "DataFormatError",
    "ModelCollapsedError",
    "ModelFileError",
    "NotFittedError",
    "TrainingDivergedError",
]


class TrainingDivergedError(RuntimeError):
    """A training loss became NaN or infinite.

    Raised instead of silently returning garbage scores. The message names the detector,
    the training stage and the epoch, so the user knows which knob to turn.

    Parameters
    ----------
    detector : str
        Name of the detector that was training.
    stage : str
        The training stage in which a loss diverged.
    epoch : int
        The epoch at which it diverged.
    losses : dict of str to float
        The losses of that epoch by name (shown in the message; kept as `losses`).
    """

    def __init__(self, detector: str, stage: str, epoch: int, losses: dict[str, float]):
        self.detector = detector
        self.stage = stage
        self.epoch = epoch
        self.losses = dict(losses)
        shown = ", ".join(f"{k}={v:.4g}" for k, v in self.losses.items())
        super().__init__(
            f"{detector}: training diverged in stage '{stage}' at epoch {epoch} "
            f"(non-finite or exploding loss: {shown}). Try a lower learning rate, scaled inputs "
            f"(e.g. MinMax to [0, 1]) or a different random_state."
        )


class ModelCollapsedError(TrainingDivergedError):
    """Training finished with finite losses, but the model gives every training row the same
    score: it cannot rank anything (e.g. a saturated or dead network after a too-high learning
    rate).

    Parameters
    ----------
    detector : str
        Name of the detector class.
    score : float
        The one score every training row got.
    """

    def __init__(self, detector: str, score: float):
        self.detector = detector
        self.stage = "fit"
        self.epoch = 0
        self.losses = {}
        RuntimeError.__init__(
            self,
            f"{detector}: the trained model gives every training row the same score ({score:.6g}); "
            "it has collapsed and cannot rank anomalies. Try a lower learning rate, more epochs "
            "or a different random_state.",
        )


class DataFormatError(ValueError):
    """A data file is not in the format its loader expects (names the file and, where known, line/column)."""


class ModelFileError(ValueError):
    """A saved model is missing, corrupted, or not a ganad model."""
