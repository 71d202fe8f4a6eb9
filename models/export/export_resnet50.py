#!/usr/bin/python3
"""Export torchvision resnet50 with every BatchNormalization kept, for benchmarks (~100 MB: do not commit).

    /usr/bin/python3 models/export/export_resnet50.py /tmp/resnet50_bn.onnx [--seed 0]

Random init (no pretrained weights are downloaded), BN statistics randomised as for the example
models: gamma ~ U(0.5,1.5), beta ~ N(0,0.2), running mean/var = exact average over 20 train-mode
batches of 2 random N(0,1) images [2,3,224,224] (small batches keep this fast on 2 cores).
Exported from eval mode with training=TrainingMode.PRESERVE, do_constant_folding=False, opset 13,
input "input" [N,3,224,224] float32, output "output" [N,1000] (logits, no Softmax), dynamic batch.
Prints the BN count and file size; with --test-data also writes <path minus .onnx>/test_data_set_0.
"""
import argparse
import collections
import os
import sys

import numpy as np
import onnx
import torch
import torchvision
from onnx import numpy_helper


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output", help="path of the .onnx file to write")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--test-data", action="store_true", help="also write test_data_set_0 (batch 1)")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = torchvision.models.resnet50(weights=None)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for m in bns:
            m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.2)
            m.reset_running_stats()
            m.momentum = None
        model.train()
        for _ in range(20):
            model(torch.randn(2, 3, 224, 224, generator=gen))
    for m in bns:
        m.momentum = 0.1
    model.eval()

    torch.onnx.export(
        model, torch.zeros(1, 3, 224, 224), args.output,
        input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
        opset_version=13, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)

    onnx_model = onnx.load(args.output)
    onnx.checker.check_model(args.output)  # path form: works above 2 GB too
    ops = collections.Counter(n.op_type for n in onnx_model.graph.node)
    size = os.path.getsize(args.output)
    print(f"{args.output}: {ops['BatchNormalization']} BatchNormalization nodes, {size} bytes "
          f"({size / 2**20:.1f} MiB), ops {dict(sorted(ops.items()))}")
    assert ops["BatchNormalization"] == len(bns) == 53, (ops["BatchNormalization"], len(bns))

    if args.test_data:
        x = torch.randn(1, 3, 224, 224, generator=gen)
        with torch.no_grad():
            y = model(x).numpy()
        d = os.path.join(os.path.splitext(args.output)[0], "test_data_set_0")
        os.makedirs(d, exist_ok=True)
        for fname, arr, name in (("input_0.pb", x.numpy(), "input"), ("output_0.pb", y, "output")):
            with open(os.path.join(d, fname), "wb") as f:
                f.write(numpy_helper.from_array(np.ascontiguousarray(arr), name).SerializeToString())
        print(f"test data in {d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
