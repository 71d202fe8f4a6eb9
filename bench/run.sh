#!/usr/bin/env bash
# Runs the whole performance suite in one go (~10 min on 2 cores) and writes bench/results/{table.md,results.json,*.svg}.
#
#   bench/run.sh            # full suite; copy bench/results/table.md into bench/README.md
#   bench/run.sh --quick    # smoke run (~30 s): every section with tiny budgets, numbers not meaningful
#   bench/run.sh --only fold,inference
#
# Needs: the .NET SDK, and for the fold-cost rows a ResNet-50 with every BN kept. It is exported on first use with
# Debian's torchvision (/usr/bin/python3 models/export/export_resnet50.py, ~100 MB, never committed) into
# $ONNXBN_RESNET50 (default: $TMPDIR/onnxbn-bench/resnet50_bn.onnx). Without torchvision those rows are skipped.
# The pre-activation rows also use torchvision's DenseNet-121, exported the same way (models/export/export_densenet121.py)
# into $ONNXBN_DENSENET121 (default: $TMPDIR/onnxbn-bench/densenet121.onnx).
set -euo pipefail
cd "$(dirname "$0")/.."

resnet="${ONNXBN_RESNET50:-${TMPDIR:-/tmp}/onnxbn-bench/resnet50_bn.onnx}"
if [ ! -f "$resnet" ]; then
  mkdir -p "$(dirname "$resnet")"
  echo "exporting ResNet-50 to $resnet (one time, a few minutes)" >&2
  /usr/bin/python3 models/export/export_resnet50.py "$resnet" >&2 || echo "ResNet-50 export failed; fold-cost rows will be skipped" >&2
fi

densenet="${ONNXBN_DENSENET121:-${TMPDIR:-/tmp}/onnxbn-bench/densenet121.onnx}"
if [ ! -f "$densenet" ]; then
  mkdir -p "$(dirname "$densenet")"
  echo "exporting DenseNet-121 to $densenet (one time, about a minute)" >&2
  /usr/bin/python3 models/export/export_densenet121.py "$densenet" >&2 || echo "DenseNet-121 export failed; its rows will be skipped" >&2
fi
densenet_args=()
[ -f "$densenet" ] && densenet_args=(--densenet121 "$densenet")

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
dotnet build src/Cli/OnnxBn.Cli.csproj -c Release -v quiet -nologo >&2
dotnet build bench/OnnxBn.Benchmarks/OnnxBn.Benchmarks.csproj -c Release -v quiet -nologo >&2
# The fresh-process fold row runs onnxbn as the tool package installs it on this machine: ReadyToRun, framework-dependent,
# started through its apphost (what `dotnet pack` puts in OnnxBn.Cli.<rid>.nupkg).
rid=$(dotnet --info | sed -n 's/^ *RID: *//p' | head -n1)
tool="${TMPDIR:-/tmp}/onnxbn-bench/tool-$rid"
dotnet publish src/Cli/OnnxBn.Cli.csproj -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
  -o "$tool" -v quiet -nologo >&2
dotnet bench/OnnxBn.Benchmarks/bin/Release/net10.0/OnnxBn.Benchmarks.dll \
  --out bench/results --models models --resnet50 "$resnet" "${densenet_args[@]}" \
  --onnxbn "$tool/onnxbn" "$@"
