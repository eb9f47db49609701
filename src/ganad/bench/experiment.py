"""Experiments: data sets x detectors x seeds x training contaminations x protocol.

An experiment is a TOML file (or one of the shipped presets, `list_presets()`)::

    name = "my-grid"
    protocol = "da3d"                 # "da3d" | "fence_gan" | "unsupervised"
    datasets = ["mammography", "kdd", {name = "census", options = {census_train_file = "data"}}]
    seeds = [110, 210, 310]
    train_contaminations = [0.0, 0.01]
    device = "auto"                   # per run; `--device` overrides
    top_fraction = 0.2                # optional: precision/recall/F1 flagging the top 20 %

    [[detectors]]
    name = "DA3D"                     # the label in the results and reports
    detector = "da3d"                 # registry name (`ganad list`)
    preset = "{dataset}"              # "{dataset}" = the preset named like the data set

    [[detectors]]
    name = "Simple"
    detector = "da3d"
    preset = "{dataset}"
    generator = "simple"              # any other key is a detector parameter
    by_dataset = { mammography = { epochs = 40 } }   # per-data-set parameter overrides

    [[detectors]]
    name = "IForest"
    detector = "sklearn:IsolationForest"   # or "pyod:<Model>": any estimator `ganad.adapters`
    n_estimators = 200                     # wraps; keys are the estimator's parameters

A detector entry may also give `params = {...}` instead of inline keys, `datasets = [...]` to run
on some data sets only, `device = "cuda"` for its runs (`--device` overrides every run),
`transductive = true | "uncontaminated"` to fit on the test data (METHODS B-1), and `preset` as a
list of candidates (the first one the detector has is used; none -> the detector's defaults,
logged). Placeholders: `{dataset}` (the data-set name) and `{kind}` ("tabular" or "image"). A
data-set entry may be a name or a table with `name`, `label` (the name in the results; default:
the name, plus its options), `options` (passed to `ganad.data.load_split`), `protocol` and
`top_fraction`. `[dataset_options.<name>]` sets options for every entry of that name.

Checkpoint selection: an entry with `model_selection = "best_validation"` (FenceGAN, as the
original code) gets the split's labelled validation rows in `fit` and keeps its best epoch;
the data set needs validation anomalies (protocol "da3d" has them; "fence_gan" KDD99 and
"unsupervised" need `options = {val_size = 0.1}`). The results row records the kept epoch in
`model_selection`, and reports mark such cells "[selection ON]". Off by default.

A run is identified by (data set label, detector label, params hash, seed, train_contamination,
protocol); the params hash covers the detector name, its resolved parameters (preset merged with
the overrides; without `random_state`, `device` and `verbose`) and the data-loading options.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .._json import jsonable

__all__ = [
    "DatasetSpec",
    "DetectorSpec",
    "Experiment",
    "ExperimentError",
    "RunSpec",
    "list_presets",
    "load_experiment",
    "params_hash",
]

logger = logging.getLogger(__name__)

PROTOCOLS = ("da3d", "fence_gan", "unsupervised")
#: Parameters that never enter the params hash (the seed is its own column; the device is recorded).
NOT_HASHED = frozenset({"random_state", "device", "verbose"})
_DETECTOR_KEYS = {
    "name",
    "label",
    "detector",
    "preset",
    "params",
    "datasets",
    "by_dataset",
    "transductive",
}
_TOP_KEYS = {
    "name",
    "description",
    "protocol",
    "datasets",
    "seeds",
    "train_contaminations",
    "contaminations",  # the old name of train_contaminations, still read
    "device",
    "top_fraction",
    "detectors",
    "dataset_options",
    "data_root",
}


class ExperimentError(ValueError):
    """An experiment file or preset is invalid (the message says what to change)."""


def _tuples(value: Any) -> Any:
    """TOML/JSON arrays -> tuples (detector parameters use immutable tuples)."""
    if isinstance(value, list | tuple):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"))


def params_hash(
    detector: str,
    params: dict[str, Any],
    data_options: dict[str, Any] | None = None,
    fit_on: str = "train",
) -> str:
    """Short stable hash of a detector configuration (12 hex digits).

    Parameters
    ----------
    detector : str
        Registry or adapter name of the detector.
    params : dict of str to Any
        Its resolved parameters; those in `NOT_HASHED` (random_state, device, verbose) are
        left out.
    data_options : dict of str to Any or None, default None
        The data-loading options of the data set.
    fit_on : {"train", "test"}, default "train"
        What the detector is fitted on; "test" (transductive) changes the hash.

    Returns
    -------
    str
        The first 12 hex digits of a SHA-256 of the canonical JSON.
    """
    payload: dict[str, Any] = {
        "detector": detector,
        "params": {k: v for k, v in params.items() if k not in NOT_HASHED},
        "data": data_options or {},
    }
    if fit_on != "train":
        payload["fit_on"] = fit_on
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class DatasetSpec:
    """One data-set entry of an experiment.

    Parameters
    ----------
    name : str
        Data-set name for `ganad.data.load_split`.
    label : str
        The name in the results (default in a file: the name, plus its options).
    options : dict of str to Any, default {}
        Options passed to `ganad.data.load_split`.
    protocol : str or None, default None
        This data set's protocol ("da3d", "fence_gan", "unsupervised"); None: the
        experiment's.
    top_fraction : float in (0, 1) or None, default None
        Flag the top fraction for precision/recall/F1; None: the experiment's.
    """

    name: str
    label: str
    options: dict[str, Any] = field(default_factory=dict)
    protocol: str | None = None
    top_fraction: float | None = None

    @property
    def kind(self) -> str:
        from ..data.sources import is_image_dataset

        return "image" if is_image_dataset(self.name) else "tabular"


def is_adapter(detector: str) -> bool:
    """Whether a detector entry names a wrapped estimator ("sklearn:..." / "pyod:...")."""
    return ":" in detector


@dataclass(frozen=True)
class DetectorSpec:
    """One detector entry: a registry name, a preset (template) and parameter overrides.

    Parameters
    ----------
    label : str
        The name in the results and reports.
    detector : str
        Registry name, or an adapter spec ("sklearn:<Name>", "pyod:<Name>").
    preset : tuple of str, default ()
        Preset candidates, with placeholders {dataset} and {kind}; the first the detector has
        is used (none: its defaults).
    params : dict of str to Any, default {}
        Parameter overrides.
    datasets : tuple of str or None, default None
        Data-set names or labels the entry runs on; None: all.
    by_dataset : dict of str to dict, default {}
        Per-data-set parameter overrides, by name or label.
    transductive : bool or "uncontaminated", default False
        Fit on the test data: always (True), or only at train contamination 0
        ("uncontaminated").
    device : str or None, default None
        Device of this entry's runs; None: the experiment's.
    """

    label: str
    detector: str
    preset: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    datasets: tuple[str, ...] | None = None
    by_dataset: dict[str, dict[str, Any]] = field(default_factory=dict)
    transductive: bool | str = False
    device: str | None = None

    def fit_on(self, train_contamination: float) -> str:
        """ "test" for transductive runs (fit on the test data; METHODS B-1), else "train".

        Parameters
        ----------
        train_contamination : float
            The run's training contamination.

        Returns
        -------
        str
            "test" or "train".
        """
        if self.transductive is True or (
            self.transductive == "uncontaminated" and train_contamination == 0
        ):
            return "test"
        return "train"

    def applies_to(self, dataset: DatasetSpec) -> bool:
        """Whether this entry runs on `dataset` (its `datasets` name it, or are None).

        Parameters
        ----------
        dataset : DatasetSpec
            The data-set entry (matched by name or label).

        Returns
        -------
        bool
            True when the entry runs on it.
        """
        return (
            self.datasets is None or dataset.name in self.datasets or dataset.label in self.datasets
        )

    def resolve(self, dataset: DatasetSpec) -> tuple[str | None, dict[str, Any]]:
        """(preset used or None, full parameter dict) for `dataset`; raises ExperimentError.

        Parameters
        ----------
        dataset : DatasetSpec
            The data-set entry (its name fills the {dataset} placeholder, its kind {kind}).

        Returns
        -------
        preset : str or None
            The preset used, None for the detector's defaults (or an adapter).
        params : dict of str to Any
            The preset's parameters merged with the overrides (arrays as tuples).
        """
        from ..registry import detector_class

        if is_adapter(self.detector):
            return None, self._resolve_adapter(dataset)
        try:
            cls = detector_class(self.detector)
        except ValueError as exc:
            raise ExperimentError(str(exc)) from None
        preset = None
        for template in self.preset:
            candidate = template.format(dataset=dataset.name.split(":", 1)[-1], kind=dataset.kind)
            if candidate in cls.PRESETS:
                preset = candidate
                break
        if self.preset and preset is None:
            logger.warning(
                "%s: detector %r has no preset %s for data set %r; using its default parameters.",
                self.label,
                self.detector,
                " / ".join(self.preset),
                dataset.label,
            )
        params: dict[str, Any] = dict(cls.PRESETS[preset]) if preset else {}
        params.update(self._overrides(dataset))
        self._check_known(params, set(cls._get_param_names()))
        return preset, _tuples(params)

    def _overrides(self, dataset: DatasetSpec) -> dict[str, Any]:
        params = dict(self.params)
        params.update(self.by_dataset.get(dataset.name, {}))
        if dataset.label != dataset.name:
            params.update(self.by_dataset.get(dataset.label, {}))
        return params

    def _check_known(self, params: dict[str, Any], valid: set[str]) -> None:
        unknown = sorted(set(params) - valid)
        if unknown:
            raise ExperimentError(
                f"detector entry {self.label!r}: unknown parameter(s) {unknown} for "
                f"{self.detector!r}; "
                f"valid: {', '.join(sorted(valid))}."
            )

    def _resolve_adapter(self, dataset: DatasetSpec) -> dict[str, Any]:
        """Parameters of a scikit-learn / PyOD estimator entry ("sklearn:IsolationForest")."""
        from ..adapters import get_adapter

        if self.preset:
            raise ExperimentError(
                f"detector entry {self.label!r}: {self.detector!r} is an adapter; adapters have "
                "no presets, give the estimator's parameters instead."
            )
        try:
            estimator = get_adapter(self.detector).estimator
        except (ValueError, ImportError) as exc:
            raise ExperimentError(f"detector entry {self.label!r}: {exc}") from None
        params = self._overrides(dataset)
        self._check_known(params, set(estimator.get_params(deep=False)))
        return params


@dataclass(frozen=True)
class RunSpec:
    """One run of the grid (everything a worker process needs; picklable by multiprocessing).

    Parameters
    ----------
    experiment : str
        The experiment's name.
    dataset : str
        Data-set label (the results column).
    dataset_name : str
        Data-set name for `ganad.data`.
    data_options : dict of str to Any
        Options of `ganad.data.load_split`.
    label : str
        Detector entry label.
    detector : str
        Registry name or adapter spec.
    preset : str or None
        The preset used, None for the defaults.
    params : dict of str to Any
        Resolved detector parameters.
    params_hash : str
        `params_hash` of detector, parameters, data options and fit_on.
    seed : int
        Run seed (split and detector `random_state`).
    train_contamination : float
        Fraction of anomalies in the training set, in [0, 0.5).
    protocol : str
        Split protocol ("da3d", "fence_gan", "unsupervised").
    device : str
        Device of the run.
    top_fraction : float or None, default None
        Flag the top fraction for precision/recall/F1; None: not computed.
    data_root : str or None, default None
        Data root of the worker; None: the default (`GANAD_DATA`).
    fit_on : {"train", "test"}, default "train"
        "test" for transductive runs.
    """

    experiment: str
    dataset: str  # data-set label (results column)
    dataset_name: str  # name for ganad.data
    data_options: dict[str, Any]
    label: str
    detector: str
    preset: str | None
    params: dict[str, Any]
    params_hash: str
    seed: int
    train_contamination: float
    protocol: str
    device: str
    top_fraction: float | None = None
    data_root: str | None = None
    fit_on: str = "train"

    @property
    def key(self) -> tuple[str, str, str, int, float, str]:
        return (
            self.dataset,
            self.label,
            self.params_hash,
            self.seed,
            round(self.train_contamination, 6),
            self.protocol,
        )

    @property
    def run_id(self) -> str:
        c = f"{self.train_contamination:g}".replace(".", "p")
        safe = "".join(
            ch if ch.isalnum() or ch in "-_" else "-" for ch in f"{self.dataset}_{self.label}"
        )
        return f"{safe}_{self.params_hash}_s{self.seed}_c{c}_{self.protocol}"

    def describe(self) -> str:
        """A one-line label for logs: data set / detector / seed / train contamination.

        Returns
        -------
        str
            E.g. "kdd / DA3D / seed 110 / 0%".
        """
        return f"{self.dataset} / {self.label} / seed {self.seed} / {self.train_contamination:.0%}"


@dataclass
class Experiment:
    """A parsed experiment (see the module docstring for the file format).

    Parameters
    ----------
    name : str
        The experiment's name.
    datasets : list of DatasetSpec
        The data-set entries.
    detectors : list of DetectorSpec
        The detector entries.
    seeds : list of int
        Run seeds.
    train_contaminations : list of float
        Training contaminations, each in [0, 0.5).
    protocol : str, default "da3d"
        Split protocol: "da3d", "fence_gan" or "unsupervised".
    device : str, default "auto"
        Device of the runs (a detector entry's own device wins).
    top_fraction : float or None, default None
        Flag the top fraction for precision/recall/F1; None: not computed.
    description : str, default ""
        Free text.
    data_root : str or None, default None
        Data root of the runs; None: the default.
    source : str, default ""
        Where it was read from (a path or "preset <name>"), for messages.
    """

    name: str
    datasets: list[DatasetSpec]
    detectors: list[DetectorSpec]
    seeds: list[int]
    train_contaminations: list[float]
    protocol: str = "da3d"
    device: str = "auto"
    top_fraction: float | None = None
    description: str = ""
    data_root: str | None = None
    source: str = ""

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, source: str = "") -> Experiment:
        where = f" in {source}" if source else ""
        _check_top_keys(raw, where)
        # Arguments are evaluated in order: the first invalid entry is the one reported.
        return cls(
            protocol=_protocol(raw, where),
            seeds=_seeds(raw, where),
            train_contaminations=_train_contaminations(raw, where),
            top_fraction=_top_fraction(raw, where),
            datasets=_dataset_specs(raw, where),
            detectors=_detector_specs(raw, where),
            name=str(raw.get("name") or (Path(source).stem if source else "experiment")),
            description=str(raw.get("description", "")),
            device=str(raw.get("device", "auto")),
            data_root=raw.get("data_root"),
            source=source,
        )

    # -- selection -----------------------------------------------------------------------------

    def restrict(
        self,
        *,
        datasets: list[str] | None = None,
        detectors: list[str] | None = None,
        seeds: list[int] | None = None,
        train_contaminations: list[float] | None = None,
    ) -> Experiment:
        """A copy limited to some data sets / detector labels / seeds / train_contaminations.

        Parameters
        ----------
        datasets : list of str or None, default None
            Data-set names or labels to keep (case-insensitive); None or empty: all.
        detectors : list of str or None, default None
            Detector labels to keep (case-insensitive); None or empty: all.
        seeds : list of int or None, default None
            Seeds replacing the experiment's; None or empty: its own.
        train_contaminations : list of float or None, default None
            Training contaminations replacing the experiment's; None or empty: its own.

        Returns
        -------
        Experiment
            The restricted copy; names not in the experiment raise `ExperimentError`.
        """
        new = copy.deepcopy(self)
        if datasets:
            wanted = {d.lower() for d in datasets}
            new.datasets = [
                d for d in self.datasets if d.name.lower() in wanted or d.label.lower() in wanted
            ]
            missing = (
                wanted
                - {d.name.lower() for d in new.datasets}
                - {d.label.lower() for d in new.datasets}
            )
            if missing:
                raise ExperimentError(
                    f"data set(s) {sorted(missing)} are not in experiment {self.name!r}; "
                    f"it has: {', '.join(d.label for d in self.datasets)}."
                )
        if detectors:
            wanted = {d.lower() for d in detectors}
            new.detectors = [d for d in self.detectors if d.label.lower() in wanted]
            missing = wanted - {d.label.lower() for d in new.detectors}
            if missing:
                raise ExperimentError(
                    f"detector(s) {sorted(missing)} are not in experiment {self.name!r}; "
                    f"it has: {', '.join(d.label for d in self.detectors)}."
                )
        if seeds:
            new.seeds = list(seeds)
        if train_contaminations is not None and len(train_contaminations):
            new.train_contaminations = [float(c) for c in train_contaminations]
        return new

    def runs(self, *, device: str | None = None, data_root: str | None = None) -> list[RunSpec]:
        """Every run of the grid, in order data set -> train_contamination -> detector -> seed.

        Detectors that are not installed are left out with a logged message; configuration
        errors (unknown parameters) raise `ExperimentError` before anything runs.

        Parameters
        ----------
        device : str or None, default None
            Device of every run, overriding entries and experiment; None: theirs.
        data_root : str or None, default None
            Data root of every run; None: the experiment's.

        Returns
        -------
        list of RunSpec
            The runs.
        """
        from ..adapters import backend_installed
        from ..registry import list_detectors

        available = set(list_detectors())
        available |= {
            d.detector
            for d in self.detectors
            if is_adapter(d.detector) and backend_installed(d.detector)
        }
        out: list[RunSpec] = []
        for det in self.detectors:
            if det.detector not in available:
                logger.warning(
                    "detector %r (%s) is not available in this installation; its runs are skipped.",
                    det.detector,
                    det.label,
                )
        for ds in self.datasets:
            protocol = ds.protocol or self.protocol
            for det in self.detectors:
                if det.detector not in available or not det.applies_to(ds):
                    continue
                preset, params = det.resolve(ds)
                for train_contamination in self.train_contaminations:
                    fit_on = det.fit_on(train_contamination)
                    h = params_hash(det.detector, params, ds.options, fit_on)
                    for seed in self.seeds:
                        out.append(
                            RunSpec(
                                experiment=self.name,
                                dataset=ds.label,
                                dataset_name=ds.name,
                                data_options=dict(ds.options),
                                label=det.label,
                                detector=det.detector,
                                preset=preset,
                                params=params,
                                params_hash=h,
                                seed=seed,
                                train_contamination=train_contamination,
                                protocol=protocol,
                                device=device or det.device or self.device,
                                top_fraction=ds.top_fraction
                                if ds.top_fraction is not None
                                else self.top_fraction,
                                data_root=data_root or self.data_root,
                                fit_on=fit_on,
                            )
                        )
        out.sort(
            key=lambda r: (
                self._ds_order(r.dataset),
                r.train_contamination,
                self._det_order(r.label),
                r.seed,
            )
        )
        return out

    def _ds_order(self, label: str) -> int:
        return next(i for i, d in enumerate(self.datasets) if d.label == label)

    def _det_order(self, label: str) -> int:
        return next(i for i, d in enumerate(self.detectors) if d.label == label)


# -- parsing the top-level keys (`where`: " in <source>" or "", for messages) ---------------------


def _check_top_keys(raw: dict[str, Any], where: str) -> None:
    """Refuse unknown top-level keys and a missing or empty datasets / detectors / seeds."""
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ExperimentError(
            f"unknown key(s) {unknown}{where}; valid keys: {', '.join(sorted(_TOP_KEYS))}."
        )
    for key in ("datasets", "detectors", "seeds"):
        if not raw.get(key):
            raise ExperimentError(f"experiment{where} needs a non-empty {key!r}.")


def _protocol(raw: dict[str, Any], where: str) -> str:
    """The split protocol (default "da3d"), one of `PROTOCOLS`."""
    protocol = str(raw.get("protocol", "da3d"))
    if protocol not in PROTOCOLS:
        raise ExperimentError(f"protocol {protocol!r}{where} is not one of {', '.join(PROTOCOLS)}.")
    return protocol


def _seeds(raw: dict[str, Any], where: str) -> list[int]:
    """The run seeds, a list of integers (booleans refused)."""
    seeds = raw["seeds"]
    if not isinstance(seeds, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) for s in seeds
    ):
        raise ExperimentError(f"'seeds'{where} must be a list of integers, got {seeds!r}.")
    return [int(s) for s in seeds]


def _train_contaminations(raw: dict[str, Any], where: str) -> list[float]:
    """The training contaminations, each in [0, 0.5) (default [0.0]; old key "contaminations")."""
    if "train_contaminations" in raw and "contaminations" in raw:
        raise ExperimentError(
            f"give 'train_contaminations'{where} only ('contaminations' is its old name)."
        )
    values = raw.get("train_contaminations", raw.get("contaminations", [0.0]))
    if not isinstance(values, list) or not all(
        isinstance(c, int | float) and not isinstance(c, bool) and 0 <= c < 0.5 for c in values
    ):
        raise ExperimentError(
            f"'train_contaminations'{where} must be a list of fractions in [0, 0.5), got "
            f"{values!r}."
        )
    return [float(c) for c in values]


def _top_fraction(raw: dict[str, Any], where: str) -> float | None:
    """The top fraction flagged for precision/recall/F1, in (0, 1), or None."""
    top_fraction = raw.get("top_fraction")
    if top_fraction is not None and not (
        isinstance(top_fraction, int | float) and 0 < top_fraction < 1
    ):
        raise ExperimentError(f"'top_fraction'{where} must be in (0, 1), got {top_fraction!r}.")
    return None if top_fraction is None else float(top_fraction)


def _dataset_specs(raw: dict[str, Any], where: str) -> list[DatasetSpec]:
    """The data-set entries, with the shared "dataset_options"; their labels must be distinct."""
    shared_options = raw.get("dataset_options", {})
    if not isinstance(shared_options, dict):
        raise ExperimentError(f"'dataset_options'{where} must be a table of tables.")
    datasets = [_dataset_spec(entry, shared_options, where) for entry in raw["datasets"]]
    labels = [d.label for d in datasets]
    if len(set(labels)) != len(labels):
        raise ExperimentError(
            f"duplicate data-set labels{where}: {labels}; give entries distinct 'label's."
        )
    return datasets


def _detector_specs(raw: dict[str, Any], where: str) -> list[DetectorSpec]:
    """The detector entries; their labels must be distinct."""
    detectors = [_detector_spec(entry, where) for entry in raw["detectors"]]
    labels = [d.label for d in detectors]
    if len(set(labels)) != len(labels):
        raise ExperimentError(f"duplicate detector names{where}: {labels}.")
    return detectors


def _dataset_spec(entry: Any, shared: dict[str, Any], where: str) -> DatasetSpec:
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise ExperimentError(
            f"data-set entry {entry!r}{where} must be a name or a table with a 'name'."
        )
    unknown = sorted(set(entry) - {"name", "label", "options", "protocol", "top_fraction"})
    if unknown:
        raise ExperimentError(
            f"data-set entry {entry['name']!r}{where}: unknown key(s) {unknown}; "
            "use name, label, options, protocol, top_fraction."
        )
    name = entry["name"]
    options = {**shared.get(name, {}), **entry.get("options", {})}
    label = entry.get("label")
    if label is None:
        label = (
            name
            if not entry.get("options")
            else name
            + "["
            + ",".join(f"{k}={v}" for k, v in sorted(entry["options"].items()))
            + "]"
        )
    protocol = entry.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        raise ExperimentError(
            f"data set {name!r}{where}: protocol {protocol!r} is not one of {', '.join(PROTOCOLS)}."
        )
    top_fraction = entry.get("top_fraction")
    if top_fraction is not None and not (
        isinstance(top_fraction, int | float) and 0 < top_fraction < 1
    ):
        raise ExperimentError(
            f"data set {name!r}{where}: top_fraction must be in (0, 1), got {top_fraction!r}."
        )
    return DatasetSpec(
        name=name, label=str(label), options=options, protocol=protocol, top_fraction=top_fraction
    )


def _detector_spec(entry: Any, where: str) -> DetectorSpec:
    if not isinstance(entry, dict) or not isinstance(entry.get("detector"), str):
        raise ExperimentError(
            f"detector entry {entry!r}{where} needs a 'detector' (a registry name; "
            "see `ganad list`)."
        )
    label = entry.get("name", entry.get("label", entry["detector"]))
    preset = entry.get("preset", ())
    preset = (preset,) if isinstance(preset, str) else tuple(preset)
    params = dict(entry.get("params", {}))
    params.update({k: v for k, v in entry.items() if k not in _DETECTOR_KEYS})
    device = params.pop("device", None)
    for table in (params, *entry.get("by_dataset", {}).values()):
        for reserved in ("random_state", "verbose", "device"):
            if isinstance(table, dict) and reserved in table:
                raise ExperimentError(
                    f"detector entry {label!r}{where}: {reserved!r} cannot be set here "
                    "(random_state comes from the grid's seeds; device is set per detector entry, "
                    "per experiment or with --device)."
                )
    datasets = entry.get("datasets")
    by_dataset = entry.get("by_dataset", {})
    if not isinstance(by_dataset, dict) or not all(
        isinstance(v, dict) for v in by_dataset.values()
    ):
        raise ExperimentError(
            f"detector entry {label!r}{where}: 'by_dataset' must map data-set names to parameter "
            "tables."
        )
    transductive = entry.get("transductive", False)
    if transductive not in (True, False, "uncontaminated"):
        raise ExperimentError(
            f"detector entry {label!r}{where}: transductive must be true, false or "
            '"uncontaminated".'
        )
    return DetectorSpec(
        device=None if device is None else str(device),
        transductive=transductive,
        label=str(label),
        detector=entry["detector"],
        preset=preset,
        params=params,
        datasets=None if datasets is None else tuple(datasets),
        by_dataset={k: dict(v) for k, v in by_dataset.items()},
    )


# -- files and presets ---------------------------------------------------------------------------


def list_presets() -> dict[str, str]:
    """Shipped experiment presets: name -> description."""
    out = {}
    for item in sorted(
        resources.files(__package__).joinpath("presets").iterdir(), key=lambda p: p.name
    ):
        if item.name.endswith(".toml"):
            raw = tomllib.loads(item.read_text(encoding="utf-8"))
            out[item.name[: -len(".toml")]] = " ".join(str(raw.get("description", "")).split())
    return out


def load_experiment(source: str | os.PathLike[str] | dict[str, Any]) -> Experiment:
    """An `Experiment` from a TOML path, a preset name (`list_presets()`) or a dict.

    Parameters
    ----------
    source : str, path-like or dict
        An experiment TOML file, a shipped preset's name, or the parsed table itself.

    Returns
    -------
    Experiment
        The validated experiment (invalid input raises `ExperimentError`).
    """
    if isinstance(source, dict):
        return Experiment.from_dict(source)
    path = Path(source)
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ExperimentError(f"{path} is not valid TOML: {exc}") from None
        return Experiment.from_dict(raw, source=str(path))
    name = str(source)
    preset = resources.files(__package__).joinpath("presets", f"{name}.toml")
    if preset.is_file():
        return Experiment.from_dict(
            tomllib.loads(preset.read_text(encoding="utf-8")), source=f"preset {name}"
        )
    raise ExperimentError(
        f"{name!r} is neither an experiment file nor a preset; presets: "
        f"{', '.join(list_presets())}."
    )
