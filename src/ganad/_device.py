"""Device selection."""

from __future__ import annotations

import torch

__all__ = ["autocast", "native_bf16", "resolve_device", "resolve_precision"]


def resolve_device(device: str) -> torch.device:
    """Map "auto" | "cpu" | "cuda[:i]" | "mps" to a `torch.device`, failing clearly if unavailable."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("cpu")
    dev = torch.device(device)
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available; use 'cpu' or 'auto'."
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r}: only {torch.cuda.device_count()} CUDA device(s) present."
            )
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device='mps' was requested but MPS is not available.")
    return dev


#: CPU flags of native bfloat16 arithmetic (AVX512-BF16 dot products, AMX tiles). Without them
#: torch emulates bf16 on CPU, several times slower than float32 (docs/results/speed: 7x on AVX2).
_BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def _cpu_flags() -> frozenset[str]:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:  # not Linux: capability unknown, treated as absent
        pass
    return frozenset()


def native_bf16(device: torch.device) -> bool:
    """Whether `device` does bfloat16 arithmetic natively (so bf16 autocast can pay off)."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type == "cpu":
        return bool(_cpu_flags() & _BF16_CPU_FLAGS)
    return False


def resolve_precision(precision: str, device: torch.device, auto_bf16: bool) -> str:
    """ "float32" | "bfloat16" for a fit: "auto" is bfloat16 only where the device has native bf16
    and the detector is measured to keep its accuracy under it (`auto_bf16`)."""
    if precision == "auto":
        return "bfloat16" if auto_bf16 and native_bf16(device) else "float32"
    if precision == "bfloat16" and device.type not in ("cpu", "cuda"):
        raise ValueError(f"precision='bfloat16' needs a CPU or CUDA device, got {device.type!r}.")
    return precision


def autocast(precision: str, device: torch.device):
    """bf16 autocast for "bfloat16" (weights and optimiser state stay float32), else a no-op."""
    return torch.autocast(
        device.type if device.type in ("cpu", "cuda") else "cpu",
        dtype=torch.bfloat16,
        enabled=precision == "bfloat16",
    )
