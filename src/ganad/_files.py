"""Temporary files next to their destination, and the clean-up of those a killed process left.

A temporary is named `.<destination name>.<kind>-<pid>-<random>`, so a later writer can tell
its own from those of a process that no longer exists (killed mid-write) and remove the latter.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["pid_alive", "remove_stale", "temp_prefix"]


def temp_prefix(dest: Path, kind: str) -> str:
    """The name prefix of this process's temporaries for `dest` (pass to `tempfile.mk*temp`)."""
    return f".{dest.name}.{kind}-{os.getpid()}-"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def remove_stale(dest: Path, kinds: tuple[str, ...]) -> None:
    """Remove temporaries of `dest` (files or directories) whose writing process is gone."""
    for sibling in dest.parent.glob(f".{dest.name}.*-*"):
        kind, _, rest = sibling.name[len(dest.name) + 2 :].partition("-")
        pid = rest.partition("-")[0]
        if kind not in kinds or not pid.isdigit():
            continue
        if pid_alive(int(pid)):  # this process's own too: another thread may be writing
            continue
        if sibling.is_dir() and not sibling.is_symlink():
            shutil.rmtree(sibling, ignore_errors=True)
        else:
            sibling.unlink(missing_ok=True)
