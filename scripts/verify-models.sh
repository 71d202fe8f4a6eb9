#!/usr/bin/env bash
# Folds every model in models/ and verifies it against the original through ONNX Runtime (graph optimizations
# disabled, CPU, default tolerances): the Fashion-MNIST models on all 10,000 test images, the synthetic graphs on
# their own test_data_set_0. Prints the Markdown table of docs/verify.md. Usage: scripts/verify-models.sh [OUTDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
dotnet build "$root/src/Cli/OnnxBn.Cli.csproj" -c Release -v q -nologo >/dev/null
onnxbn() { dotnet "$root/src/Cli/bin/Release/net10.0/onnxbn.dll" "$@"; }

echo "| model | inputs | rows | max abs error | max rel error | top-1 agreement | verdict |"
echo "|---|---|---|---|---|---|---|"
for model in "$root"/models/*.onnx; do
  name="$(basename "$model" .onnx)"
  onnxbn fold "$model" -o "$out/$name.folded.onnx" --json >/dev/null 2>&1
  if [[ "$name" == synth_* ]]; then data=(--inputs "$root/models/$name"); else data=(--data fashion-mnist:test --batch 500); fi
  set +e
  onnxbn verify "$model" "$out/$name.folded.onnx" "${data[@]}" --json "$out/$name.verify.json" >/dev/null 2>"$out/$name.err"
  code=$?
  set -e
  python3 - "$name" "$out/$name.verify.json" "$code" <<'PY'
import json, sys
name, path, code = sys.argv[1], sys.argv[2], int(sys.argv[3])
r = json.load(open(path))
o = r["outputs"][0]
fmt = lambda v: v if isinstance(v, str) else f"{v:.2e}"
top1 = "-" if o["top1Agreement"] is None else f"{100 * o['top1Agreement']:.2f}%"
print(f"| {name} | {r['inputs'].split(' ')[0]} | {o['rows']} | {fmt(o['maxAbsError'])} | {fmt(o['maxRelError'])} | {top1} | {'pass' if code == 0 else 'FAIL'} |")
PY
done
