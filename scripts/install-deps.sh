#!/usr/bin/env bash
# Installs what OnnxBn needs beyond the .NET SDK, idempotently:
#  - Debian's dataset-fashion-mnist (the real Fashion-MNIST, used by verify --data, transfer and their tests);
#  - npm, which the build uses once to fetch ONNX Runtime's official libonnxruntime.so (npm package
#    onnxruntime-node, see src/Runtime) into ~/.cache/onnxbn.
set -euo pipefail

need=()
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
command -v npm >/dev/null 2>&1 || need+=(npm)

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
