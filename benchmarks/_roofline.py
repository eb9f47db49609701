"""Roofline helper: record the matrix products a piece of torch code dispatches, replay them bare.

`record_matmuls(fn)` runs `fn` once under a TorchDispatchMode and records every matrix product
(mm, addmm, bmm, convolution and its backward) with its argument shapes. `replay_seconds(calls)`
times exactly those products as bare torch calls on random tensors: the time the arithmetic
alone takes on this machine. Actual time / replay time is how far the code is from that bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode

MATMUL_OPS = {
    "aten.mm.default",
    "aten.addmm.default",
    "aten.bmm.default",
    "aten.convolution.default",
    "aten.convolution_backward.default",
}


@dataclass(frozen=True)
class Call:
    op: Any
    args: tuple
    kwargs: dict


def _spec(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return ("tensor", tuple(value.shape), value.dtype, str(value.device))
    if isinstance(value, list | tuple):
        return type(value)(_spec(v) for v in value)
    return value


def _materialise(spec: Any) -> Any:
    if isinstance(spec, tuple) and spec and spec[0] == "tensor":
        _, shape, dtype, device = spec
        return torch.randn(shape, dtype=dtype, device=device)
    if isinstance(spec, list | tuple):
        return type(spec)(_materialise(v) for v in spec)
    return spec


class _Recorder(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if str(func) in MATMUL_OPS:
            self.calls.append(Call(func, _spec(args), _spec(kwargs)))
        return func(*args, **kwargs)


def record_matmuls(fn: Callable[[], Any]) -> list[Call]:
    with _Recorder() as rec:
        fn()
    return rec.calls


def matmul_flops(calls: list[Call]) -> float | None:
    """Floating-point operations of the recorded products (None if convolutions are among them)."""
    total = 0.0
    for call in calls:
        name = str(call.op)
        if name == "aten.mm.default":
            (_, (n, k), *_), (_, (_, m), *_) = call.args[0], call.args[1]
        elif name == "aten.addmm.default":
            (_, (n, k), *_), (_, (_, m), *_) = call.args[1], call.args[2]
        elif name == "aten.bmm.default":
            (_, (b, n, k), *_), (_, (_, _, m), *_) = call.args[0], call.args[1]
            n *= b
        else:
            return None
        total += 2.0 * n * k * m
    return total


def replay_seconds(calls: list[Call], repeats: int = 20) -> float:
    """Best-of-`repeats` time of running all recorded products once, as bare torch calls."""
    prepared = [(c.op, _materialise(c.args), _materialise(c.kwargs)) for c in calls]
    for op, args, kwargs in prepared:  # warm-up
        op(*args, **kwargs)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for op, args, kwargs in prepared:
            op(*args, **kwargs)
        if (
            prepared
            and prepared[0][1]
            and isinstance(prepared[0][1][0], torch.Tensor)
            and prepared[0][1][0].is_cuda
        ):
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best
