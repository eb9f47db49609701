"""What machine a benchmark ran on, for its JSON summary."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


#: The flags that decide float32/bfloat16 speed on x86 (the brief: print them with every figure).
SIMD_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")


def cpu_flags() -> str:
    """The SIMD flags of this CPU that matter for speed, e.g. "avx2 fma" (Linux; else "unknown")."""
    from ganad._device import _cpu_flags

    have = _cpu_flags()
    if not have:
        return "unknown"
    return " ".join(f for f in SIMD_FLAGS if f in have) or "none of " + ",".join(SIMD_FLAGS)
