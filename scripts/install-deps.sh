#!/usr/bin/env bash
# Installs what OnnxBn needs beyond the .NET SDK, idempotently:
#  - Debian's dataset-fashion-mnist (the real Fashion-MNIST, used by verify --data, transfer and their tests);
#  - Debian's libonnx-testdata (ONNX's ~1,000 backend-test models: the fold sweep test runs over every one);
# ONNX Runtime itself comes from NuGet (Microsoft.ML.OnnxRuntime), restored by the build.
set -euo pipefail

need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
[ -d /usr/share/libonnx-testdata/data ] || need+=(libonnx-testdata)

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
