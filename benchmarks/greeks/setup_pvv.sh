#!/usr/bin/env bash
# Creates benchmarks/greeks/.venv-pvv: py-vollib-vectorized in a venv of its own, because it only works with
# py_vollib==1.0.1 and py_lets_be_rational==1.0.1 and patches py_vollib when imported. bench_greeks.py runs it
# in a subprocess from there. Everything comes from PyPI, pinned.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3.11}"
venv="$here/.venv-pvv"

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet \
  "py_vollib_vectorized==0.1.1" \
  "py_vollib==1.0.1" \
  "py_lets_be_rational==1.0.1" \
  "numba==0.60.0" \
  "llvmlite==0.43.0" \
  "numpy==1.26.4" \
  "scipy==1.13.1" \
  "pandas==2.2.3"
"$venv/bin/python" -c "import py_vollib_vectorized, numpy; print('py_vollib_vectorized ready, numpy', numpy.__version__)"
