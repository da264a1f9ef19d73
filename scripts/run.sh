#!/usr/bin/env bash
# The main job on its defaults: meta-train the paper's LSTM optimizer on 10-d quadratics (TorchSharp),
# export it to ONNX, and evaluate the file through the runtime against tuned SGD, NAG, RMSprop and
# Adam on held-out quadratics. Prints the table; writes out/quickstart/{quadratic.onnx,results.md,curves.csv,
# evaluation-100.png/.svg}. Sets up the machine first (idempotent). Extra arguments go to `l2l quickstart`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
dotnet build train/L2LOnnx.Cli -c Release --nologo -v q
dotnet train/L2LOnnx.Cli/bin/Release/net10.0/l2l.dll quickstart "$@"
