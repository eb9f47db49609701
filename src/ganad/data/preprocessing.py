"""The preprocessing a model saw, as JSON: raw rows -> the detector's input.

A model trained by `ganad fit` or `ganad.make_pipeline` saw *preprocessed* rows (the protocol's
MinMax scaler, a `TabularEncoder`, or images divided by 255). To score raw rows later, that
preprocessing is stored as JSON (`preprocessing.json`, no pickle) in the model directory.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._json import jsonable as _jsonable

if TYPE_CHECKING:
    from .split import Split
    from .table import FilledIn, TabularEncoder

__all__ = ["PREPROCESSING_FILE", "Preprocessor"]

logger = logging.getLogger(__name__)

PREPROCESSING_FILE = "preprocessing.json"


class Preprocessor:
    """Raw rows -> the model's input. Kinds:

    * ``identity``: numeric columns as they are (the model's own scaling does the rest);
    * ``image``: pixel values divided by 255 (``signed``: then mapped to [-1, 1]);
    * ``minmax``: scikit-learn MinMax (``x * scale + min``) fitted by the protocol on train;
    * ``table``: a fitted `ganad.data.TabularEncoder` (numeric MinMax + one-hot categories).

    `columns` are the raw feature columns in order (None: every column except the label).

    Parameters
    ----------
    kind : {"identity", "image", "minmax", "table"}, default "identity"
        What the preprocessing does (see above); another value raises `ValueError`.
    columns : list of str, optional
        The raw feature columns in training order (None: every column except the label).
    input_shape : list of int, optional
        Per-row shape of the model's input; with more than one entry the output is reshaped to
        it (e.g. ``[1, 28, 28]`` for images).
    state : dict, optional
        The kind's JSON state: ``{"signed": bool}`` (image), ``{"scale": [...], "min": [...]}``
        (minmax), `TabularEncoder.to_state()` (table). None: empty.
    """

    def __init__(
        self,
        kind: str = "identity",
        *,
        columns: list[str] | None = None,
        input_shape: list[int] | None = None,
        state: dict[str, Any] | None = None,
    ):
        if kind not in {"identity", "image", "minmax", "table"}:
            raise ValueError(f"unknown preprocessing kind {kind!r}")
        self.kind = kind
        self.columns = columns
        self.input_shape = input_shape
        self.state = state or {}
        self._encoder: TabularEncoder | None = None

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_split(cls, split: Split, feature_names: list[str] | None = None) -> Preprocessor:
        """The preprocessing `ganad.data.load_split` applied to `split.x_train`.

        Parameters
        ----------
        split : Split
            A split made by `load_split` or `make_split`; its `scaler` and ``info["scale"]``
            say what was applied. A scaler other than a `TabularEncoder` or a fitted MinMax
            scaler (`scale_`, `min_`) raises `ValueError` (it cannot be stored without pickle).
        feature_names : list of str, optional
            The raw feature columns, in order; kept by the "identity" and "minmax" kinds (a
            `TabularEncoder` knows its own columns, images have none).

        Returns
        -------
        Preprocessor
            Of kind "image", "identity", "minmax" or "table".
        """
        shape = [int(s) for s in np.asarray(split.x_train).shape[1:]]
        scaler = split.scaler
        scale = (split.info or {}).get("scale")
        if scaler is None:
            if scale in ("image", "image_signed"):
                return cls("image", input_shape=shape, state={"signed": scale == "image_signed"})
            return cls("identity", columns=feature_names, input_shape=shape)
        if type(scaler).__name__ == "TabularEncoder":
            return cls.from_encoder(scaler, input_shape=shape)
        if hasattr(scaler, "scale_") and hasattr(scaler, "min_"):
            return cls(
                "minmax",
                columns=feature_names,
                input_shape=shape,
                state={"scale": _jsonable(scaler.scale_), "min": _jsonable(scaler.min_)},
            )
        raise ValueError(
            f"cannot store preprocessing of type {type(scaler).__name__} without pickle."
        )

    @classmethod
    def from_encoder(
        cls, enc: TabularEncoder, input_shape: list[int] | None = None
    ) -> Preprocessor:
        """A "table" preprocessor from a fitted `TabularEncoder`.

        Parameters
        ----------
        enc : TabularEncoder
            The fitted encoder; its JSON state (`to_state`) is stored.
        input_shape : list of int, optional
            The model's per-row input shape (None: ``[enc.n_features_out_]``).

        Returns
        -------
        Preprocessor
            Of kind "table", with the encoder's input columns.
        """
        state = enc.to_state()
        return cls(
            "table",
            columns=state["columns"],
            input_shape=input_shape or [state["n_out"]],
            state=state,
        )

    def encoder(self) -> TabularEncoder:
        """The fitted `TabularEncoder` of a table model (rebuilt once from its JSON state).

        Returns
        -------
        TabularEncoder
            The encoder (`ValueError` for a preprocessor of another kind).
        """
        if self.kind != "table":
            raise ValueError(f"a {self.kind!r} preprocessor has no table encoder.")
        if self._encoder is None:
            from .table import TabularEncoder

            self._encoder = TabularEncoder.from_state(self.state)
        return self._encoder

    # -- persistence --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The preprocessor as JSON-able data (`from_dict` rebuilds it).

        Returns
        -------
        dict
            Keys ``"kind"``, ``"columns"``, ``"input_shape"`` and ``"state"``.
        """
        return {
            "kind": self.kind,
            "columns": self.columns,
            "input_shape": self.input_shape,
            "state": self.state,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Preprocessor:
        """The preprocessor `to_dict` described.

        Parameters
        ----------
        d : dict
            As `to_dict` returns it; ``"kind"`` is required, the other keys are optional.

        Returns
        -------
        Preprocessor
            The rebuilt preprocessor.
        """
        return cls(
            d["kind"],
            columns=d.get("columns"),
            input_shape=d.get("input_shape"),
            state=d.get("state") or {},
        )

    def save(self, model_dir: str | os.PathLike[str]) -> None:
        """Write `to_dict()` as JSON to `model_dir / "preprocessing.json"`.

        Parameters
        ----------
        model_dir : str or path-like
            An existing model directory; a previous file there is overwritten.
        """
        Path(model_dir, PREPROCESSING_FILE).write_text(json.dumps(self.to_dict(), indent=1))

    @classmethod
    def load(cls, model_dir: str | os.PathLike[str]) -> Preprocessor | None:
        """The preprocessor `save` wrote to `model_dir`.

        Parameters
        ----------
        model_dir : str or path-like
            The model directory.

        Returns
        -------
        Preprocessor or None
            None when the directory has no ``preprocessing.json``; a damaged file raises
            `ganad.exceptions.ModelFileError`.
        """
        path = Path(model_dir, PREPROCESSING_FILE)
        if not path.is_file():
            return None
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            from ..exceptions import ModelFileError

            what = f"missing key {exc}" if isinstance(exc, KeyError) else exc
            raise ModelFileError(f"{path} is corrupted: {what}") from exc

    # -- applying -----------------------------------------------------------------------------

    def select(self, frame: pd.DataFrame, label_column: str | None = None) -> pd.DataFrame:
        """The raw feature columns of `frame` in training order (named, else positional).

        Parameters
        ----------
        frame : pandas.DataFrame
            Raw rows; column names are compared as strings.
        label_column : str, optional
            A column to drop first if present (the label of a scored table).

        Returns
        -------
        pandas.DataFrame
            The columns in `columns` by name; if some name is absent but the number of columns
            matches, all of them by position (renamed); `frame` as it is without `columns`.
            Otherwise `ValueError`.
        """
        from .table import string_columns

        frame = string_columns(
            frame.drop(columns=[label_column])
            if label_column and label_column in frame.columns
            else frame
        )
        if self.columns:
            missing = [c for c in self.columns if c not in frame.columns]
            if not missing:
                return frame[self.columns]
            n_expected = len(self.columns)
            if frame.shape[1] != n_expected:
                raise ValueError(
                    f"the data lacks the column(s) {missing[:10]} the model was trained on "
                    f"(expected {n_expected} feature columns, got {frame.shape[1]}: "
                    f"{list(frame.columns)[:10]})."
                )
            logger.info("feature columns do not match by name; using them by position.")
            return frame.set_axis(list(self.columns), axis=1)
        return frame

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """Raw feature rows -> float32 model input of shape (n, *input_shape).

        Parameters
        ----------
        frame : pandas.DataFrame
            Raw feature rows, as `select` returns them; numeric unless the kind is "table".

        Returns
        -------
        numpy.ndarray
            float32 model input, (n, d) or (n, *input_shape) when that has several entries.
        """
        if self.kind == "table":
            return self.encoder().transform(frame)
        non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if non_numeric:
            raise ValueError(
                f"non-numeric column(s) {non_numeric[:10]}; the model expects numeric features "
                "(train on a table with --categorical to one-hot encode them)."
            )
        x = frame.to_numpy(dtype=np.float64, copy=True)
        if self.kind == "minmax":
            scale, mn = np.asarray(self.state["scale"]), np.asarray(self.state["min"])
            if x.shape[1] != scale.size:
                raise ValueError(f"expected {scale.size} feature columns, got {x.shape[1]}.")
            x = x * scale + mn
        elif self.kind == "image":
            if x.size and np.nanmax(x) <= 1.0:
                # Likely already scaled (what the bare detector takes): scaling again would
                # score a near-black image. Said, not refused: a dark image is also <= 1.
                logger.warning(
                    "pixel values are all <= 1, but this model divides raw 0-255 pixels by 255; "
                    "pass raw pixels, or give scaled ones to the pipeline's .detector."
                )
            x = x / 255.0
            if self.state.get("signed"):
                x = (x - 0.5) * 2.0
        x = x.astype(np.float32)
        if self.input_shape and len(self.input_shape) > 1:
            x = x.reshape((len(x), *self.input_shape))
        return x

    def transform_with_report(self, frame: pd.DataFrame) -> tuple[np.ndarray, FilledIn]:
        """`transform`, plus what a table model's encoder filled in (per column: missing values
        imputed, categories never seen in training; see `TabularEncoder.transform_with_report`).
        Empty for the other kinds, which fill in nothing.

        Parameters
        ----------
        frame : pandas.DataFrame
            Raw feature rows, as for `transform`.

        Returns
        -------
        x : numpy.ndarray
            The model input, as `transform` returns it.
        filled : FilledIn
            What was filled in, per column and per row.
        """
        if self.kind == "table":
            return self.encoder().transform_with_report(frame)
        from .table import FilledIn

        return self.transform(frame), FilledIn(per_row=np.zeros(len(frame), dtype=np.int64))

    def typical_row(self) -> np.ndarray | None:
        """A table model's typical training row in the model's input (see
        `TabularEncoder.typical_row`); None for the other kinds."""
        return self.encoder().typical_row()[0] if self.kind == "table" else None

    def source_columns(self, n_features: int) -> list[str]:
        """The raw column each of the model's `n_features` inputs comes from (a one-hot block
        folds back to its column; an image's pixels are their own features).

        Parameters
        ----------
        n_features : int
            Number of model inputs (ignored by a table model, whose encoder knows its outputs).

        Returns
        -------
        list of str
            One source column name per input: the encoder's for a table model, `columns` when
            it has `n_features` entries, else ``"x0"``, ``"x1"``, ...
        """
        if self.kind == "table":
            return self.encoder().source_columns()
        if self.columns and len(self.columns) == n_features:
            return [str(c) for c in self.columns]
        return [f"x{i}" for i in range(n_features)]
