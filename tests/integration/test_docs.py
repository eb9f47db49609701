"""The API reference builds from the docstrings with warnings as errors (`mkdocs build --strict`):
a docstring that names a parameter the signature lacks, or a page that points at a moved
object, fails here instead of in a published site."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")


def test_api_reference_builds_strictly(tmp_path):
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
    command = [mkdocs] if mkdocs else [sys.executable, "-m", "mkdocs"]
    result = subprocess.run(
        [*command, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    detectors = (tmp_path / "site" / "detectors" / "index.html").read_text()
    for name in ("DA3D", "FenceGAN", "AnoGAN", "DTENonParametric", "DetectorTags"):
        assert name in detectors
