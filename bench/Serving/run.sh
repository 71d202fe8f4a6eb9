#!/usr/bin/env bash
# samples/Serving over HTTP (binary and JSON, micro-batching off and on) against an in-process loop over the same
# session, at concurrency 1, 8 and 64, on resnet_mini and the book MLP; writes bench/Serving/results.md (~3 min).
#
#   bench/Serving/run.sh                       # 2 s per cell, 2 rounds
#   bench/Serving/run.sh --seconds 5 --rounds 3
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build bench/Serving -c Release -v quiet -nologo >&2
dotnet bench/Serving/bin/Release/net10.0/OnnxBn.Serving.Benchmark.dll --models-dir models --out bench/Serving/results.md "$@"
