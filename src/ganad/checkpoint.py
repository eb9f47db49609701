"""Checkpointing long fits so a killed run resumes with the same final result.

A checkpoint holds everything the training loop needs to continue bit-for-bit: every network's
state, the optimiser states of the stage in progress, the torch RNG state, the history, the
stage and epoch reached and the stages already finished. It is written atomically with
`torch.save` and read with `torch.load(weights_only=True)` (no arbitrary unpickling).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import torch

from ._files import remove_stale, temp_prefix

__all__ = ["Checkpointer", "Stateful"]

logger = logging.getLogger(__name__)

_FORMAT = "ganad-checkpoint-1"


class Stateful(Protocol):
    """What a checkpoint saves besides the networks: an optimiser, a schedule, a tracker.

    A structural protocol (any object with these two methods conforms); it is not
    instantiated.

    Parameters
    ----------
    *args, **kwargs
        Not used: `typing.Protocol` classes cannot be instantiated.
    """

    def state_dict(self) -> Any:
        """The object's state, as `torch.save` can store with `weights_only=True` loading.

        Returns
        -------
        Any
            Tensors, numbers, strings and containers of them.
        """
        ...

    def load_state_dict(self, state: Any, /) -> None:
        """Restore the state returned by `state_dict`.

        Parameters
        ----------
        state : Any
            A value `state_dict` returned (possibly saved and loaded in between).
        """
        ...


class Checkpointer:
    """Saves and restores training state for one `fit` call (see `BaseDetector.fit`).

    A stage's `optimisers` are any objects with `state_dict()` / `load_state_dict()` whose
    state the stage needs to continue exactly: optimisers, but also schedules or trackers.

    Parameters
    ----------
    path : str or path-like
        The checkpoint file; an existing one is read at once and must belong to the same fit
        (same `fingerprint`), else `ValueError`.
    every : int >= 1
        Save every this many epochs of a stage (and always at a stage's end).
    networks : torch.nn.Module
        The detector's networks (its `networks_` ModuleDict), saved and restored in place.
    history : dict of str to list of float
        The detector's `history_`, saved and restored in place.
    fingerprint : str
        Identifies parameters, seed and data (`BaseDetector._fingerprint`), so a checkpoint is
        never resumed into another fit.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        every: int,
        networks: torch.nn.Module,
        history: dict[str, list[float]],
        fingerprint: str,
    ) -> None:
        if every < 1:
            raise ValueError(f"checkpoint_every must be >= 1, got {every}.")
        self.path = Path(path)
        self.every = int(every)
        self.networks = networks
        self.history = history
        self.fingerprint = fingerprint
        self.completed: list[str] = []
        self.saved: dict[str, Any] | None = self._read()

    def _read(self) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        try:
            state = torch.load(self.path, map_location="cpu", weights_only=True)
        except Exception as exc:  # a truncated or foreign file must not be trusted
            raise ValueError(
                f"Checkpoint {self.path} is unreadable ({exc}); delete it to start over."
            ) from exc
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise ValueError(f"{self.path} is not a ganad checkpoint.")
        if state.get("fingerprint") != self.fingerprint:
            raise ValueError(
                f"Checkpoint {self.path} belongs to a different detector configuration or data; "
                "delete it or choose another checkpoint path."
            )
        logger.info(
            "Resuming from %s (stage %s, epoch %d)", self.path, state["stage"], state["epoch"]
        )
        return state

    def _restore(self, state: dict[str, Any], optimisers: Mapping[str, Stateful] | None) -> None:
        self.networks.load_state_dict(state["networks"])
        if optimisers:
            for name, opt in optimisers.items():
                opt.load_state_dict(state["optimisers"][name])
        torch.set_rng_state(state["rng_cpu"])
        if torch.cuda.is_available() and state.get("rng_cuda") is not None:
            torch.cuda.set_rng_state_all(state["rng_cuda"])
        self.history.clear()
        self.history.update({k: list(v) for k, v in state["history"].items()})
        self.completed = list(state["completed"])

    def start_epoch(
        self, stage: str, n_epochs: int, optimisers: Mapping[str, Stateful] | None
    ) -> int:
        """Epoch to start `stage` at: 0 for a fresh stage, n_epochs when it is already finished.

        When the checkpoint was saved in or at the end of `stage`, the networks, `optimisers`,
        RNG state and history are restored from it first.

        Parameters
        ----------
        stage : str
            Name of the training stage about to run.
        n_epochs : int
            The stage's total number of epochs.
        optimisers : mapping of str to Stateful or None
            The stage's optimisers (and other stateful objects), restored in place.

        Returns
        -------
        int
            The first epoch still to run.
        """
        if self.saved is None:
            return 0
        if stage in self.saved["completed"]:
            # Saved at this stage's end: its optimisers are restored too, since a later stage
            # may keep using one of them (FenceGAN's D optimiser after pre-training).
            self._restore(self.saved, optimisers if self.saved["stage"] == stage else None)
            return n_epochs
        if self.saved["stage"] == stage:
            self._restore(self.saved, optimisers)
            return int(self.saved["epoch"])
        return 0

    def epoch_done(
        self,
        stage: str,
        epoch: int,
        n_epochs: int,
        optimisers: Mapping[str, Stateful] | None,
    ) -> None:
        """Record that `epoch` of `stage` finished; saves every `every` epochs and at the end.

        Parameters
        ----------
        stage : str
            Name of the running training stage.
        epoch : int
            The epoch just finished (0-based).
        n_epochs : int
            The stage's total number of epochs; the last one marks the stage completed.
        optimisers : mapping of str to Stateful or None
            The stage's optimisers (and other stateful objects) to save.
        """
        finished = epoch + 1 == n_epochs
        if finished and stage not in self.completed:
            self.completed.append(stage)
        if finished or (epoch + 1) % self.every == 0:
            self.save(stage, epoch + 1, optimisers)

    def save(self, stage: str, epoch: int, optimisers: Mapping[str, Stateful] | None) -> None:
        """Write the training state to `path` atomically (a temporary file, then a rename).

        Parameters
        ----------
        stage : str
            Name of the running training stage.
        epoch : int
            Number of epochs of `stage` finished; a resumed run starts there.
        optimisers : mapping of str to Stateful or None
            The stage's optimisers (and other stateful objects) whose `state_dict` to save.
        """
        state = {
            "format": _FORMAT,
            "fingerprint": self.fingerprint,
            "stage": stage,
            "epoch": epoch,
            "completed": list(self.completed),
            "networks": {k: v.detach().cpu() for k, v in self.networks.state_dict().items()},
            "optimisers": {name: opt.state_dict() for name, opt in (optimisers or {}).items()},
            "rng_cpu": torch.get_rng_state(),
            "rng_cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
            "history": {k: list(v) for k, v in self.history.items()},
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(self.path, kinds=("tmp",))  # left by a run killed mid-save
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=temp_prefix(self.path, "tmp"))
        os.close(fd)
        try:
            torch.save(state, tmp)
            os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.saved = state
