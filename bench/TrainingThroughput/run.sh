#!/usr/bin/env bash
# Training throughput, OnnxBn.Training (C#, single-threaded) vs PyTorch (Debian's python3-torch, same thread count),
# side by side in one run; writes bench/TrainingThroughput/results.md.
#
#   bench/TrainingThroughput/run.sh              # 3 repeats per workload, 1 thread
#   bench/TrainingThroughput/run.sh 5            # 5 repeats
#   THREADS=2 bench/TrainingThroughput/run.sh    # PyTorch with 2 threads (our loop stays single-threaded)
set -euo pipefail
cd "$(dirname "$0")"
repeats="${1:-3}"
threads="${THREADS:-1}"
dotnet build -c Release -v quiet -nologo >&2
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
ours=$(mktemp); theirs=$(mktemp)
trap 'rm -f "$ours" "$theirs"' EXIT
# Interleaved per workload, so a change in machine load hits both sides alike.
for workload in frozen_dense1 finetune_mlp_a notebook_head_conv; do
  DOTNET_TieredPGO=1 dotnet bin/Release/net10.0/TrainingThroughput.dll "$repeats" "$workload" >> "$ours"
  /usr/bin/python3 torch_training.py "$threads" "$repeats" "$workload" >> "$theirs"
done
{
  echo "Training throughput, examples/s (median of $repeats), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') with $threads thread(s)"
  echo
  echo "| workload | onnxbn (C#) | PyTorch | ratio | final loss C# / torch |"
  echo "|---|---|---|---|---|"
  join -t $'\t' <(sort "$ours") <(sort "$theirs") | sort -t $'\t' -k1,1 | while IFS=$'\t' read -r name ours_rate _ ours_loss torch_rate _ torch_loss; do
    ratio=$(awk -v a="$ours_rate" -v b="$torch_rate" 'BEGIN { printf "%.1f", a / b }')
    echo "| $name | $ours_rate | $torch_rate | ${ratio}× | $ours_loss / $torch_loss |"
  done
} | tee results.md
