"""The one training-loop helper every detector uses.

A detector writes only its update step(s): a function that takes a mini-batch and returns its
losses as 0-d tensors. This module owns everything around that: shuffling in-memory tensors (no
DataLoader overhead), batching, per-epoch loss means, the divergence check, progress bars,
logging, and an end-of-epoch hook (checkpointing, validation logging).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar, cast

import numpy as np
import torch
from tqdm.auto import tqdm

from .checkpoint import Checkpointer, Stateful
from .exceptions import TrainingDivergedError

__all__ = [
    "DEFAULT_UPDATES",
    "History",
    "StepFn",
    "TrainingContext",
    "budget_epochs",
    "fixed_epochs",
    "iterate_minibatches",
    "stage_epochs",
    "train_epochs",
]

#: The training budget of the defaults for unknown data (issue #15): about this many mini-batch
#: updates per training stage, whatever the table's size, so a 20,000-row table costs what a
#: 1,000-row one does. The paper presets set `updates=None` (their fixed epoch counts).
DEFAULT_UPDATES = 2000

logger = logging.getLogger(__name__)

History = dict[str, list[float]]
Batch = torch.Tensor | tuple[torch.Tensor, ...]
StepFn = Callable[[Batch], Mapping[str, torch.Tensor]]
#: The mini-batch type of one training stage: a step gets batches shaped like the stage's data
#: (one tensor, or a tuple of aligned tensors of the same length).
_BatchT = TypeVar("_BatchT", bound=Batch)


#: A mean loss this large is an exploded model, not a training signal (ganad's losses are
#: means of per-sample terms of order 1-1e3 on scaled data).
EXPLODED_LOSS = 1e30


def iterate_minibatches(
    data: torch.Tensor | Sequence[torch.Tensor],
    batch_size: int,
    *,
    shuffle: bool = True,
    drop_last: bool = False,
    min_rows: int = 1,
) -> Iterator[Batch]:
    """Yield mini-batches of one tensor (or aligned tensors), reshuffled with the global torch RNG.
    A last batch of fewer than `min_rows` rows is skipped (unless it is the only one): batch
    normalisation in training mode cannot normalise a single row.

    Parameters
    ----------
    data : torch.Tensor or sequence of torch.Tensor
        One tensor, or tensors of the same length whose rows are batched together.
    batch_size : int
        Rows per mini-batch.
    shuffle : bool, default True
        Draw a fresh permutation of the rows (global torch RNG); False keeps their order.
    drop_last : bool, default False
        Skip a last, incomplete batch (when there is at least one full batch).
    min_rows : int, default 1
        Smallest last batch kept when there is more than one batch.

    Yields
    ------
    torch.Tensor or tuple of torch.Tensor
        A batch of `data` (a tuple when `data` is a sequence of tensors).
    """
    tensors = (data,) if isinstance(data, torch.Tensor) else tuple(data)
    n = len(tensors[0])
    order = torch.randperm(n, device=tensors[0].device) if shuffle else None
    stop = n - n % batch_size if drop_last and n >= batch_size else n
    if n > batch_size and 0 < stop % batch_size < min_rows:
        stop -= stop % batch_size
    for start in range(0, stop, batch_size):
        if order is None:
            parts = tuple(t[start : start + batch_size] for t in tensors)
        else:
            idx = order[start : start + batch_size]
            parts = tuple(t[idx] for t in tensors)
        yield parts[0] if len(parts) == 1 else parts


def train_epochs(
    step: (
        Callable[[_BatchT], Mapping[str, torch.Tensor]] | Callable[[], Mapping[str, torch.Tensor]]
    ),
    data: _BatchT | None,
    *,
    n_epochs: int,
    batch_size: int,
    history: History,
    detector: str,
    stage: str,
    verbose: int = 0,
    start_epoch: int = 0,
    on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
    checkpoint: Checkpointer | None = None,
    optimisers: Mapping[str, Stateful] | None = None,
    min_batch_rows: int = 1,
    steps_per_epoch: int | None = None,
) -> None:
    """Run `step` over shuffled mini-batches for epochs `start_epoch .. n_epochs - 1`.

    With `data=None` the step draws its own mini-batches (DevNet's balanced batches, REPEN's
    triplets): an epoch is then `steps_per_epoch` calls of `step()`.

    Per-epoch loss means (over the batches that reported each loss) are appended to
    `history["<stage>/<loss>"]`, and the epoch's wall time
    to `history["<stage>/epoch_seconds"]`. A non-finite mean raises
    `TrainingDivergedError` naming the detector, stage and (1-based) epoch. Losses are summed on
    the device and read back once per epoch, so a GPU is not synchronised every step.

    With a `checkpoint`, the stage resumes where a killed run stopped (or is skipped when it had
    finished); `optimisers` are the stage's optimisers (and any other state it needs, see
    `ganad.checkpoint.Stateful`), saved and restored with it.

    Parameters
    ----------
    step : callable
        The update step: takes a mini-batch (or nothing, with `data=None`), updates the
        networks and returns its losses as a mapping of name to 0-d tensor.
    data : torch.Tensor, tuple of torch.Tensor or None
        The training rows (aligned tensors are batched together); None: `step` draws its own.
    n_epochs : int
        Total epochs of the stage.
    batch_size : int
        Rows per mini-batch.
    history : dict of str to list of float
        Where per-epoch loss means and epoch times are appended.
    detector : str
        Detector name, for the progress bar, log and errors.
    stage : str
        Stage name: prefix of the history keys and the checkpoint's stage.
    verbose : int, default 0
        Progress bar from 1, kept on screen from 2.
    start_epoch : int, default 0
        First epoch to run (a checkpoint may move it later).
    on_epoch_end : callable or None, default None
        Called as `on_epoch_end(epoch, means)` after each epoch (0-based epoch, loss means).
    checkpoint : Checkpointer or None, default None
        Saves the stage's state and resumes it.
    optimisers : mapping of str to Stateful or None, default None
        The stage's optimisers and other state saved with the checkpoint.
    min_batch_rows : int, default 1
        Smallest last mini-batch kept (see `iterate_minibatches`).
    steps_per_epoch : int or None, default None
        Calls of `step()` per epoch when `data` is None (then required, >= 1).
    """
    if checkpoint is not None:
        start_epoch = max(start_epoch, checkpoint.start_epoch(stage, n_epochs, optimisers))
    epochs = range(start_epoch, n_epochs)
    # `step` takes a batch exactly when there is data (`_epoch_batches` yields Nones else).
    call = cast(Callable[..., Mapping[str, torch.Tensor]], step)
    bar = tqdm(
        epochs, desc=f"{detector}:{stage}", unit="epoch", disable=verbose < 1, leave=verbose >= 2
    )
    for epoch in bar:
        started = time.perf_counter()
        sums: dict[str, torch.Tensor] = {}
        counts: dict[str, int] = {}  # per loss: a step may report a loss only on some batches
        for batch in _epoch_batches(data, batch_size, min_batch_rows, steps_per_epoch):
            losses = call() if batch is None else call(batch)
            for name, value in losses.items():
                value = value.detach()
                sums[name] = sums[name] + value if name in sums else value.clone()
                counts[name] = counts.get(name, 0) + 1
        means = {name: float(total) / counts[name] for name, total in sums.items()}
        if not all(math.isfinite(v) and abs(v) < EXPLODED_LOSS for v in means.values()):
            raise TrainingDivergedError(detector, stage, epoch + 1, means)
        for name, mean in means.items():
            history.setdefault(f"{stage}/{name}", []).append(mean)
        history.setdefault(f"{stage}/epoch_seconds", []).append(time.perf_counter() - started)
        if verbose >= 1:
            bar.set_postfix({k: f"{v:.4f}" for k, v in means.items()}, refresh=False)
        logger.debug("%s %s epoch %d/%d %s", detector, stage, epoch + 1, n_epochs, means)
        if on_epoch_end is not None:
            on_epoch_end(epoch, means)
        if checkpoint is not None:
            checkpoint.epoch_done(stage, epoch, n_epochs, optimisers)


def _epoch_batches(
    data: torch.Tensor | Sequence[torch.Tensor] | None,
    batch_size: int,
    min_rows: int,
    steps_per_epoch: int | None,
) -> Iterator[Batch | None]:
    """One epoch's mini-batches of `data`, or `steps_per_epoch` Nones for a self-drawing step."""
    if data is not None:
        yield from iterate_minibatches(data, batch_size, min_rows=min_rows)
        return
    if steps_per_epoch is None or steps_per_epoch < 1:
        raise ValueError("a step without data needs steps_per_epoch >= 1.")
    for _ in range(steps_per_epoch):
        yield None


def budget_epochs(n_rows: int, batch_size: int, updates: int, max_epochs: int) -> int:
    """Epochs that give about `updates` mini-batch updates on `n_rows` rows (at least 1, at most
    `max_epochs`): a training budget that costs the same on a large table as on a small one,
    instead of a fixed number of full passes.

    Parameters
    ----------
    n_rows : int
        Training rows per epoch.
    batch_size : int
        Rows per mini-batch (an epoch is ceil(n_rows / batch_size) updates).
    updates : int
        Target number of mini-batch updates.
    max_epochs : int
        Upper bound on the epochs.

    Returns
    -------
    int
        The number of epochs.
    """
    per_epoch = math.ceil(n_rows / batch_size)
    return int(min(max_epochs, max(1, round(updates / per_epoch))))


def fixed_epochs(
    presets: Mapping[str, Mapping[str, Any]],
) -> MappingProxyType[str, MappingProxyType[str, Any]]:
    """`presets` with `updates=None` wherever they do not set it: the papers' configurations
    train for their fixed epoch counts, whatever the default budget for unknown data.

    Parameters
    ----------
    presets : mapping of str to mapping
        Preset name to its parameter values (a detector's `PRESETS`).

    Returns
    -------
    mappingproxy
        Read-only presets, each with `updates` (None unless the preset sets it).
    """
    return MappingProxyType(
        {name: MappingProxyType({"updates": None, **values}) for name, values in presets.items()}
    )


def stage_epochs(epochs: int, updates: int | None, n_rows: int, batch_size: int) -> int:
    """Epochs of one training stage: `epochs` (the paper's count) when `updates` is None, else
    about `updates` mini-batch updates with `epochs` as the upper bound.

    Parameters
    ----------
    epochs : int
        The stage's epoch count (the paper's), and the upper bound with `updates`.
    updates : int or None
        Target number of mini-batch updates; None: exactly `epochs`.
    n_rows : int
        Training rows per epoch.
    batch_size : int
        Rows per mini-batch.

    Returns
    -------
    int
        The number of epochs.
    """
    if updates is None or epochs == 0:
        return epochs
    return budget_epochs(n_rows, batch_size, updates, epochs)


@dataclass
class TrainingContext:
    """What a detector's `_fit(X, y, context)` gets from `BaseDetector.fit`, instead of side
    channels through the estimator: the seeded generator, the device, the validation data when
    given, and `run`, the one training loop with this fit's history, progress bar and
    checkpoint.

    Parameters
    ----------
    rng : numpy.random.Generator
        NumPy generator seeded from `random_state` (torch's generators are seeded alike).
    device : torch.device
        Where the networks live and tensors go.
    history : dict of str to list of float
        The fit's `history_`; `run` appends each stage's per-epoch losses to it.
    detector : str
        Registry name, for progress bars and errors.
    verbose : int, default 0
        Progress bars from 1, kept on screen from 2.
    min_batch_rows : int, default 1
        Smallest last mini-batch kept (2 with dense batch norm, which cannot normalise one row).
    checkpoint : Checkpointer or None, default None
        Saves and resumes the stages when `fit(checkpoint=...)` asked for it.
    validation_data : tuple (ndarray, ndarray) or None, default None
        `(X_val, y_val)`: X_val scaled like the training rows, y_val = 1 for anomalies; only
        for detectors whose tags accept validation data.
    """

    rng: np.random.Generator
    device: torch.device
    history: History
    detector: str
    verbose: int = 0
    min_batch_rows: int = 1
    checkpoint: Checkpointer | None = None
    validation_data: tuple[np.ndarray, np.ndarray] | None = None

    def tensor(self, array: np.ndarray) -> torch.Tensor:
        """A training array as a tensor on the fitting device (kept in memory for the loop).

        Parameters
        ----------
        array : ndarray
            The array to move (its dtype is kept; no copy on the CPU).

        Returns
        -------
        torch.Tensor
            The tensor on `device`.
        """
        return torch.from_numpy(array).to(self.device)

    def run(
        self,
        step: (
            Callable[[_BatchT], Mapping[str, torch.Tensor]]
            | Callable[[], Mapping[str, torch.Tensor]]
        ),
        data: _BatchT | None,
        *,
        epochs: int,
        batch_size: int,
        stage: str,
        optimisers: Mapping[str, Stateful] | None = None,
        on_epoch_end: Callable[[int, dict[str, float]], None] | None = None,
        updates: int | None = None,
        steps_per_epoch: int | None = None,
    ) -> None:
        """One training stage through `train_epochs`: `epochs` full passes over `data`, or with
        `updates` about that many mini-batch updates with `epochs` as the upper bound
        (`stage_epochs`). `optimisers` (and any other `Stateful` the stage needs) are saved and
        restored with the checkpoint. A step that draws its own batches takes `data=None` and
        `steps_per_epoch` calls of `step()` an epoch.

        Parameters
        ----------
        step : callable
            The update step: takes a mini-batch (or nothing, with `data=None`) and returns its
            losses as a mapping of name to 0-d tensor.
        data : torch.Tensor, tuple of torch.Tensor or None
            The training rows (aligned tensors are batched together); None: `step` draws its
            own batches.
        epochs : int
            Full passes over `data`, or the upper bound with `updates`.
        batch_size : int
            Rows per mini-batch.
        stage : str
            Stage name: prefix of the history keys and the checkpoint's stage.
        optimisers : mapping of str to Stateful or None, default None
            The stage's optimisers and other state saved with the checkpoint.
        on_epoch_end : callable or None, default None
            Called as `on_epoch_end(epoch, means)` after each epoch.
        updates : int or None, default None
            Target number of mini-batch updates; None: exactly `epochs`.
        steps_per_epoch : int or None, default None
            Calls of `step()` per epoch when `data` is None.
        """
        if data is None:
            n_rows = (steps_per_epoch or 0) * batch_size
        else:
            n_rows = len(data if isinstance(data, torch.Tensor) else data[0])
        train_epochs(
            step,
            data,
            n_epochs=stage_epochs(epochs, updates, n_rows, batch_size),
            batch_size=batch_size,
            history=self.history,
            detector=self.detector,
            stage=stage,
            verbose=self.verbose,
            checkpoint=self.checkpoint,
            optimisers=optimisers,
            on_epoch_end=on_epoch_end,
            min_batch_rows=self.min_batch_rows,
            steps_per_epoch=steps_per_epoch,
        )
