#!/usr/bin/env bash
# One command from a fresh clone: installs what OnnxBn needs, builds it, and runs the main job on a bundled
# model — fold every BatchNormalization of the Hands-On ML Fashion-MNIST MLP, then prove with ONNX Runtime
# that the folded model computes what the original computes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dotnet build src/Cli -c Release -v quiet -nologo
onnxbn() { dotnet src/Cli/bin/Release/net10.0/onnxbn.dll "$@"; }

model=models/fashion_mlp_bn_after_act.onnx
out="${TMPDIR:-/tmp}/onnxbn-quickstart"
mkdir -p "$out"
echo "== onnxbn inspect $model"
onnxbn inspect "$model"
echo
echo "== onnxbn fold $model -o $out/fashion_mlp.folded.onnx --verify --data fashion-mnist:test --min-top1 1.0"
echo "   (fold, then prove on the 10,000 real test images through ONNX Runtime; written only if equivalent)"
onnxbn fold "$model" -o "$out/fashion_mlp.folded.onnx" --verify --data fashion-mnist:test --min-top1 1.0
echo
echo "== onnxbn run $out/fashion_mlp.folded.onnx (8 real test images)"
onnxbn run "$out/fashion_mlp.folded.onnx" --input input=models/fashion_mlp_bn_after_act/test_data_set_0/input_0.pb
