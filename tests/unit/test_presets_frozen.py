"""The papers' configurations never change: every preset of every detector resolves to exactly
the parameters recorded in `data/presets_frozen.json` (written once from the code that
reproduced the papers' tables). Changing a class default for unknown data must leave these
alone; a preset that relied on the old default has to spell the value out.

New presets may be added (they are not in the file), and options beyond the papers that are
meant to improve (`da3d@practical`) are not recorded. To record the presets of a new detector:
`python tests/unit/test_presets_frozen.py --add NAME`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ganad import get_detector, list_detectors
from ganad._json import jsonable
from ganad.registry import detector_class

FROZEN = Path(__file__).parent / "data" / "presets_frozen.json"
#: Presets that are ganad's own recommendations, free to improve.
NOT_FROZEN = {("da3d", "practical")}


def resolved(name: str, preset: str) -> dict[str, Any]:
    params = get_detector(name, preset=preset).get_params(deep=False)
    params.pop("random_state", None)
    return jsonable(params)


def _frozen() -> dict[str, dict[str, dict[str, Any]]]:
    return json.loads(FROZEN.read_text()) if FROZEN.exists() else {}


CASES = [(name, preset) for name, presets in _frozen().items() for preset in presets]


@pytest.mark.parametrize(("name", "preset"), CASES, ids=[f"{n}@{p}" for n, p in CASES])
def test_paper_preset_resolves_to_its_recorded_parameters(name, preset):
    expected = _frozen()[name][preset]
    actual = resolved(name, preset)
    # A parameter added since the record must take, in a paper preset, the value that means
    # "as before" (the value a model saved before the parameter existed loads with).
    before = detector_class(name).SAVED_BEFORE
    changed = {
        k: (expected.get(k, "<absent>"), actual.get(k, "<absent>"))
        for k in set(expected) | set(actual)
        if expected.get(k, "<absent>") != actual.get(k, "<absent>")
        and not (k not in expected and k in before and actual[k] == jsonable(before[k]))
    }
    assert not changed, f"{name}@{preset} changed (recorded, now): {changed}"


def test_every_registered_detector_is_covered():
    assert set(_frozen()) <= set(list_detectors())


if __name__ == "__main__":  # python tests/unit/test_presets_frozen.py --add NAME [NAME ...]
    data = _frozen()
    names = sys.argv[2:] if sys.argv[1:2] == ["--add"] else list_detectors()
    for name in names:
        presets = sorted(p for p in detector_class(name).PRESETS if (name, p) not in NOT_FROZEN)
        if presets:
            data[name] = {p: resolved(name, p) for p in presets}
    FROZEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
