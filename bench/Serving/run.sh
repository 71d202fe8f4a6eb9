#!/usr/bin/env bash
# samples/Serving over HTTP (binary and JSON) against an in-process loop over the same session, at concurrency 1, 8
# and 64, on resnet_mini, the book MLP and two synthetic CNNs; writes bench/Serving/results.md (~5 min). The
# micro-batching rows of results.md come from commit 4044417, which still had the batcher.
#
#   bench/Serving/run.sh                       # 2 s per cell, 2 rounds
#   bench/Serving/run.sh --seconds 5 --rounds 3
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build bench/Serving -c Release -v quiet -nologo >&2
dotnet bench/Serving/bin/Release/net10.0/OnnxBn.Serving.Benchmark.dll --models-dir models --out bench/Serving/results.md "$@"
