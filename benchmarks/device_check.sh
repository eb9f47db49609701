#!/usr/bin/env bash
# One prepared check of ganad's GPU path (issue #22), for a single device call:
#   1. what the machine is (env.json);
#   2. the CUDA-gated tests (cuda_tests.txt);
#   3. the chip's matmul ceiling (ceiling.json), then train_speed / score_speed for the
#      Mammography, NSL-KDD and MNIST presets on the device, each with its same-shape roofline
#      (train_speed.json, score_speed.json);
#   4. save on the device -> load on the CPU gives the same scores (roundtrip.json);
#   5. paper-length DA3D / Simple / A3 runs on NSL-KDD (then MNIST, Fashion-MNIST) with the
#      runner, several processes sharing the GPU, until the budget is spent (paper_runs.csv; the
#      runner appends finished rows and resumes, so a rerun continues where this one stopped);
#   6. a short table of all of it, printed last (summary.txt).
#
# Every phase has its own time limit out of BUDGET_S and writes its file when it finishes, so a
# run cut off by the device's limit keeps what finished. Usage:
#   OUT=/tmp/dc DEVICE=cuda BUDGET_S=460 DATA_ROOT=.device-data bash benchmarks/device_check.sh
# TINY=1 is the CPU dry run used by tests/integration/test_device_check.py: the same phases with
# seconds-long sizes (no pytest, the smoke experiment instead of the paper-length grid).
set -uo pipefail
cd "$(dirname "$0")/.."

OUT="${OUT:?set OUT to the output directory}"
DEVICE="${DEVICE:-cuda}"
BUDGET_S="${BUDGET_S:-460}"
TINY="${TINY:-0}"
DATA_ROOT="${DATA_ROOT:-${GANAD_DATA:-../shared/datasets}}"
JOBS="${JOBS:-6}"
PY="${PYTHON:-python3}"
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
mkdir -p "$OUT"
STARTED=$(date +%s)

left() { echo $((BUDGET_S - ($(date +%s) - STARTED))); }
summary() { "$PY" benchmarks/device_check.py summary --out "$OUT" || true; }
trap 'echo "device_check: stopped by a signal"; summary; exit 143' TERM INT

# phase NAME SECONDS COMMAND...: run with at most SECONDS (and never past the budget).
phase() {
    local name=$1 limit=$2
    shift 2
    local remaining
    remaining=$(left)
    ((limit > remaining - 15)) && limit=$((remaining - 15)) # keep time for the summary
    if ((limit < 5)); then
        echo "device_check: skipping $name (budget spent)"
        return 0
    fi
    echo "device_check: $name (at most ${limit}s)"
    timeout --signal=TERM --kill-after=5 "$limit" "$@"
    local rc=$?
    ((rc == 124)) && echo "device_check: $name cut off at ${limit}s (what finished is kept)"
    ((rc != 0 && rc != 124)) && echo "device_check: $name exited with $rc"
    return 0
}

phase env 60 "$PY" benchmarks/device_check.py env --out "$OUT" --device "$DEVICE"

if [[ "$TINY" == 1 ]]; then
    PRESETS=(mammography)
    BATCHES=(256)
    SIZE=256
    EXPERIMENT=smoke
    DATASETS=()
    EPOCH_ARGS=(--epochs 2)
else
    PRESETS=(mammography kdd mnist)
    BATCHES=(256 8192)
    SIZE=8192
    EXPERIMENT=paper-da3d
    DATASETS=(--datasets kdd mnist fmnist)
    EPOCH_ARGS=(--epochs 2)
    # CUDA-gated tests (they skip themselves on a machine without CUDA).
    phase cuda_tests 120 bash -c "'$PY' -m pytest -q -p no:cacheprovider -rs \
        tests/unit/test_persistence.py tests/unit/test_bench_experiment.py \
        tests/unit/test_threads_precision.py -k 'cuda or device or precision' \
        >'$OUT/cuda_tests.txt' 2>&1"
fi

phase ceiling 60 "$PY" benchmarks/device_check.py ceiling --out "$OUT" --device "$DEVICE" \
    --size "$SIZE"
phase train_speed 150 "$PY" benchmarks/train_speed.py --presets "${PRESETS[@]}" \
    "${EPOCH_ARGS[@]}" --device "$DEVICE" --root "$DATA_ROOT" --json "$OUT/train_speed.json"
phase score_speed 60 "$PY" benchmarks/score_speed.py --device "$DEVICE" --skip-stream \
    --presets "${PRESETS[@]}" --batches "${BATCHES[@]}" --json "$OUT/score_speed.json"
phase roundtrip 60 "$PY" benchmarks/device_check.py roundtrip --out "$OUT" --device "$DEVICE"

# Paper-length runs with whatever is left (the runner skips finished rows on a rerun).
phase paper_runs "$(left)" "$PY" -m ganad.cli bench "$EXPERIMENT" "${DATASETS[@]}" \
    --device "$DEVICE" --jobs "$JOBS" --root "$DATA_ROOT" --out "$OUT/paper_runs.csv" --quiet

summary
