"""ONNX export of a fitted detector's scoring graph (issue #20).

The graph takes the raw numeric features, as a float32 tensor of shape (n, d), or (n, C, H, W)
for images. The batch axis is dynamic. It returns the float64 anomaly scores, shape (n,).
Inside the graph are:
  * the numeric preprocessing of a `ganad fit` model directory: MinMax, pixel scaling, and
    median imputation of missing values where the model was trained with `--missing median`;
  * the detector's own input scaler;
  * its score.

Rows at the scaler's bound (extreme but finite inputs) get `MAXIMAL_SCORE` there too, as in
`decision_function`. The graph does not validate its input: NaN or infinite values, which
`decision_function` refuses, are the caller's to keep out (or to impute, for models trained with
`--missing median`, whose graph replaces NaN by the training medians).

The export uses `torch.onnx.export` on its TorchScript path (`dynamo=False`): it traces one
batch and needs no extra package beyond `onnx`. Spectral normalisation is folded into the
weights first; the scores are the same up to float rounding. A detector whose score needs an
optimisation (AnoGAN's latent search) refuses with a `ValueError` that says why. Where a score
uses an operator ONNX lacks, the detector provides `_export_score_batch` (and `_prepare_export`
for constants computed once, outside the trace): DAGMM applies a precomputed L⁻¹ instead of a
triangular solve.
"""

import copy
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, cast

import torch

from .base import BaseDetector, extreme_rows_maximal

if TYPE_CHECKING:
    from .data.preprocessing import Preprocessor

__all__ = ["NOT_EXPORTABLE", "to_onnx"]

#: Detectors whose score is not one forward pass ONNX can express, and why.
NOT_EXPORTABLE = {
    "anogan": "AnoGAN's score is a latent search (an optimisation per row), not a forward pass",
}


class _Preprocessing(torch.nn.Module):
    """A `ganad fit` model's numeric preprocessing (`ganad.bench.pipeline.Preprocessor`)."""

    # Buffers (None where the preprocessing has no such step); `scale` and `shift` are set
    # together.
    scale: torch.Tensor | None
    shift: torch.Tensor | None
    fill: torch.Tensor | None

    def __init__(self, pre: "Preprocessor"):
        super().__init__()
        kind, state = pre.kind, pre.state
        self.kind = kind
        self.signed = bool(state.get("signed", False))
        shift = scale = fill = None
        if kind == "minmax":
            scale = torch.tensor(state["scale"], dtype=torch.float64)
            shift = torch.tensor(state["min"], dtype=torch.float64)
        elif kind == "table":
            if state["categorical"]:
                raise ValueError(
                    "the model one-hot encodes categorical columns "
                    f"{list(state['categorical'])[:5]}; the ONNX graph takes numeric features "
                    "only. Export without its preprocessing (include_preprocessing=False) and "
                    "feed it the encoded matrix."
                )
            lo = torch.tensor(state["data_min"], dtype=torch.float64)
            hi = torch.tensor(state["data_max"], dtype=torch.float64)
            span = torch.where(hi - lo == 0, torch.ones_like(hi), hi - lo)
            scale = 1.0 / span if state["scale_numeric"] else torch.ones_like(lo)
            shift = -lo * scale if state["scale_numeric"] else torch.zeros_like(lo)
            if state["missing"] == "median":
                fill = torch.tensor(state["medians"], dtype=torch.float64)
        elif kind not in ("identity", "image"):
            raise ValueError(f"preprocessing kind {kind!r} cannot be exported.")
        self.register_buffer("scale", scale)
        self.register_buffer("shift", shift)
        self.register_buffer("fill", fill)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.double()
        if self.fill is not None:
            x = torch.where(torch.isnan(x), self.fill, x)
        if self.kind == "image":
            x = x / 255.0
            if self.signed:
                x = (x - 0.5) * 2.0
        elif self.scale is not None and self.shift is not None:
            x = x * self.scale + self.shift
        return x.float()


class _ScoringGraph(torch.nn.Module):
    def __init__(self, detector: BaseDetector, preprocessing: torch.nn.Module | None):
        super().__init__()
        self.detector = detector
        self.networks = detector.networks_  # registered, so tracing sees the weights
        self.preprocessing = preprocessing

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.preprocessing is not None:
            x = self.preprocessing(x)
        scaler = self.networks["scaler"]
        scaled = scaler(x)
        score_batch = getattr(self.detector, "_export_score_batch", self.detector._score_batch)
        scores = score_batch(scaled).reshape(-1).double()
        if scaler.mode != "none":
            scores = extreme_rows_maximal(scores, scaled)
        return scores


def _fold_spectral_norm(networks: torch.nn.Module) -> None:
    """Bake W / sigma into the weights (the TorchScript exporter has no `vdot`)."""
    from torch.nn.utils import parametrize

    for module in [m for m in networks.modules() if parametrize.is_parametrized(m)]:
        for name in list(cast(torch.nn.ModuleDict, module.parametrizations).keys()):
            parametrize.remove_parametrizations(module, name, leave_parametrized=True)


def exportable(detector: BaseDetector) -> str | None:
    """None when `detector` can be exported, else the reason it cannot."""
    return NOT_EXPORTABLE.get(detector.name)


def to_onnx(
    detector: BaseDetector,
    path: str | os.PathLike[str],
    *,
    preprocessor: "Preprocessor | None" = None,
    opset: int = 17,
) -> Path:
    """Write the scoring graph of fitted `detector` (plus `preprocessor`'s numeric steps, if
    given) to `path` as ONNX; returns the path. Verify with onnxruntime, e.g.
    `InferenceSession(path).run(None, {"x": X.astype(np.float32)})[0]`.

    Parameters
    ----------
    detector : BaseDetector
        A fitted ganad detector trained with precision="float32"; detectors in
        `NOT_EXPORTABLE` refuse with a `ValueError`.
    path : str or path-like
        The `.onnx` file to write (parent directories are created).
    preprocessor : ganad.bench.pipeline.Preprocessor or None, default None
        A `ganad fit` model directory's numeric preprocessing to put in front of the detector
        (MinMax, pixel scaling, median imputation); one-hot encoding cannot be exported.
        None: the graph takes the detector's own input.
    opset : int, default 17
        ONNX opset version of the graph.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(detector, "networks_")
    if getattr(detector, "precision_", "float32") != "float32":
        raise ValueError(
            f"{type(detector).__name__} scores in {detector.precision_}; the ONNX graph is float32 "
            "and would not give its scores. Fit with precision='float32' to export."
        )
    target = getattr(detector, "_delegate", None)
    reason = exportable(target() if callable(target) else detector) or exportable(detector)
    if reason:
        raise ValueError(f"{type(detector).__name__} cannot be exported to ONNX: {reason}.")
    # Work on freshly built networks with the model's weights: folding spectral norm must not
    # touch the model (a deep copy would share the parametrised classes, whose removal deletes
    # the `weight` property for the original too).
    clone = copy.copy(detector)
    clone.networks_ = detector._assemble_networks()
    clone.networks_.load_state_dict(detector.networks_.state_dict())
    clone.networks_.cpu().eval()
    clone.device_ = "cpu"
    if hasattr(clone, "_delegate_cache"):
        clone._delegate_cache = None
    _fold_spectral_norm(clone.networks_)
    with torch.no_grad():
        getattr(clone, "_prepare_export", lambda: None)()  # constants computed outside the trace
    prep = _Preprocessing(preprocessor) if preprocessor is not None else None
    graph = _ScoringGraph(clone, prep).eval()
    example = torch.rand(8, *detector.input_shape_)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript path is chosen on purpose (no onnxscript needed; it traces our
        # fixed-shape graphs exactly); its deprecation notice is not the user's concern.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        torch.onnx.export(
            graph,
            (example,),
            str(out),
            input_names=["x"],
            output_names=["score"],
            dynamic_axes={"x": {0: "rows"}, "score": {0: "rows"}},
            opset_version=opset,
            dynamo=False,
        )
    return out
