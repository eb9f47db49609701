"""`ganad export` (ONNX) and `ganad serve` (HTTP): a saved model outside Python's ganad."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..console import Console
from ..errors import EXIT_OK, UsageError
from ..options import load_model

__all__ = ["cmd_export", "cmd_serve"]


def cmd_export(args: argparse.Namespace, con: Console) -> int:
    """`ganad export`: a saved model's scoring graph, with its preprocessing, as ONNX.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad export` arguments (model, --out, --opset).
    con : Console
        Where the written file is printed.

    Returns
    -------
    int
        The exit code, 0; without the onnx package `UsageError` is raised.
    """
    from ...export import to_onnx

    try:
        import onnx  # noqa: F401  (torch.onnx.export needs it)
    except ImportError as exc:
        raise UsageError(f"ganad export needs onnx: pip install 'ganad[onnx]' ({exc}).") from None
    pipe, _ = load_model(args.model, "cpu")
    out = to_onnx(pipe.detector, args.out, preprocessor=pipe.preprocessor_, opset=args.opset)
    con.result(f"wrote {out} (input 'x': raw numeric features, output 'score')")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, con: Console) -> int:
    """`ganad serve`: the scoring service of a saved model under uvicorn (until stopped).

    The model is loaded once here first, so a bad model directory fails with exit 2 before
    any worker starts; the workers get their options through the environment.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed `ganad serve` arguments (model, --host, --port, --workers, --max-rows,
        --max-body-mb).
    con : Console
        Where the address is printed.

    Returns
    -------
    int
        The exit code, 0, once the server stops.
    """
    try:
        import uvicorn

        from ...serve import app as serve_app
    except ImportError as exc:
        raise UsageError(
            f"ganad serve needs FastAPI and uvicorn: pip install 'ganad[serve]' ({exc})."
        ) from None
    if args.workers < 1 or args.max_rows < 1 or args.max_body_mb <= 0:
        raise UsageError("--workers and --max-rows must be >= 1, --max-body-mb > 0.")
    model_dir = Path(args.model)
    serve_app.ScoringModel.load(model_dir)  # fail here, with exit 2, not in every worker
    os.environ[serve_app.ENV_MODEL] = str(model_dir.resolve())
    os.environ[serve_app.ENV_MAX_BODY] = str(int(args.max_body_mb * (1 << 20)))
    os.environ[serve_app.ENV_MAX_ROWS] = str(args.max_rows)
    con.say(f"serving {model_dir} on http://{args.host}:{args.port} (docs at /docs)")
    uvicorn.run(
        "ganad.serve.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning" if con.quiet else "info",
    )
    return EXIT_OK
