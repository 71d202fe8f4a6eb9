#!/usr/bin/env bash
# Long fuzz campaign over the bundled models: scripts/fuzz.sh [CASES] [SEED]
# Runs the same checks as CI's fixed budget (tests/Folding/Safety/Fuzz) with more cases and another seed. Each
# failing case is kept under tests/Folding/Safety/Regressions/seed<SEED>_case<N>/ (model, data files, recipe.txt),
# where RegressionCaseTests runs it on every test run: fix the defect, keep the folder.
set -euo pipefail
cases="${1:-20000}"
seed="${2:-$RANDOM}"
root="$(cd "$(dirname "$0")/.." && pwd)"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
echo "fuzz: $cases cases, seed $seed"
set +e
ONNXBN_FUZZ_CASES="$cases" ONNXBN_FUZZ_SEED="$seed" ONNXBN_FUZZ_REPORT="$report" \
ONNXBN_FUZZ_SAVE_FAILURES="$root/tests/Folding/Safety/Regressions" \
  dotnet test "$root/tests/Folding" -c Release --filter "FullyQualifiedName~FuzzCampaignTests" --nologo -v q
status=$?
set -e
cat "$report"
exit $status
