#!/usr/bin/env bash
# Create (or reuse) the project's virtualenv and install ganad with its dev tools.
#
# Torch is installed first, as the CPU build, so that resolving ganad's own
# dependencies never pulls a multi-GB CUDA build by accident:
#   * a local wheel directory (PIP_FIND_LINKS) that holds torch-$TORCH_VERSION+cpu is used as is;
#   * otherwise the PyTorch CPU index is used (TORCH_INDEX).
# GPU users: TORCH_INDEX=https://download.pytorch.org/whl/cu126 make install
set -euo pipefail
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
TORCH_INDEX=${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}
STAMP="$VENV/.ganad-installed"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

# Reinstall only when the project metadata changed since the last install.
if [ -f "$STAMP" ] && [ "$STAMP" -nt pyproject.toml ]; then
    exit 0
fi

if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.__version__.split('+')[0] == '$TORCH_VERSION' else 1)" 2>/dev/null; then
    local_wheel=""
    for d in ${PIP_FIND_LINKS:-}; do
        if compgen -G "$d/torch-$TORCH_VERSION+cpu-*.whl" >/dev/null; then local_wheel=yes; fi
    done
    if [ -n "$local_wheel" ]; then
        "$PY" -m pip install -q "torch==$TORCH_VERSION"
    else
        "$PY" -m pip install -q "torch==$TORCH_VERSION" --index-url "$TORCH_INDEX"
    fi
fi
"$PY" -m pip install -q -e ".[dev]"
touch "$STAMP"
