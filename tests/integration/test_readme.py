"""The README's "Your own table" and "Explaining a score" run as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd

from ganad.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"
SECTIONS = ("### Your own table", "### Explaining a score")


def _blocks(section: str) -> list[tuple[str, str]]:
    """(language, code) of each fenced block of a README section, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index(section)
    end = text.find("\n#", start + len(section))
    body = text[start : end if end != -1 else None]
    return re.findall(r"```(python|bash)\n(.*?)```", body, flags=re.S)


def _commands(code: str) -> list[list[str]]:
    """The `ganad ...` command lines of a bash block, without the trailing comments."""
    return [
        shlex.split(line, comments=True)[1:]
        for line in code.splitlines()
        if line.strip().startswith("ganad ")
    ]


def test_readme_table_and_explain_sections_run(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    ran = 0
    for section in SECTIONS:
        blocks = _blocks(section)
        assert blocks, f"{section}: no code blocks"
        for language, code in blocks:
            if language == "python":
                exec(compile(code, f"README {section}", "exec"), namespace)
            else:
                for argv in _commands(code):
                    assert main([*argv, "-q"]) == 0, argv
            ran += 1
    assert ran >= 5
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert list(scores.columns[:2]) == ["txn_id", "row"] and "filled_in" in scores
    why = pd.read_csv(tmp_path / "why.csv")
    assert {"feature_1", "attribution_3"} <= set(why.columns)
    assert set(why["feature_1"]) <= {"amount", "hour", "channel"}
