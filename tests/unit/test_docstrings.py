"""Every public class, function and method documents its parameters in numpydoc form.

"Public" is what a user can reach by name: the `__all__` of every module whose dotted path has no
part starting with an underscore, and the public methods those classes define themselves. The
API reference (`mkdocs.yml`, built by `tests/integration/test_docs.py`) renders these sections.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import pytest

import ganad

numpydoc_validate = pytest.importorskip("numpydoc.validate")

#: GL08: no docstring; PR01: a parameter not documented; PR02: a documented parameter that
#: does not exist.
CHECKS = frozenset({"GL08", "PR01", "PR02"})


def _public_modules() -> Iterator[str]:
    yield "ganad"
    for info in pkgutil.walk_packages(ganad.__path__, "ganad."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            yield info.name


def public_objects() -> list[str]:
    """Dotted names of the public classes, functions and class methods of the package."""
    names: dict[str, None] = {}
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr, None)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not obj.__module__.startswith("ganad"):
                continue
            qualname = f"{obj.__module__}.{obj.__qualname__}"
            names[qualname] = None
            if inspect.isclass(obj):
                for method, value in vars(obj).items():
                    if not method.startswith("_") and inspect.isfunction(value):
                        names[f"{qualname}.{method}"] = None
    return sorted(names)


def test_the_walk_finds_the_public_surface() -> None:
    names = public_objects()
    assert "ganad.base.BaseDetector.fit" in names
    assert "ganad.detectors.da3d.detector.DA3D" in names
    assert not any(name.rsplit(".", 1)[-1].startswith("_") for name in names)


def test_every_public_object_documents_its_parameters() -> None:
    problems = []
    for name in public_objects():
        for code, message in numpydoc_validate.validate(name)["errors"]:
            if code in CHECKS:
                problems.append(f"{name}: {code} {message}")
    assert not problems, f"{len(problems)} docstring problems:\n" + "\n".join(problems)
