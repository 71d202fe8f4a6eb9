#!/usr/bin/python3
"""Export torchvision densenet121 as PyTorch exports it for inference, for benchmarks (~32 MB: do not commit).

    /usr/bin/python3 models/export/export_densenet121.py /tmp/densenet121.onnx [--seed 0]

Random init (no pretrained weights are downloaded), BN statistics randomised (gamma ~ U(0.5,1.5), beta ~ N(0,0.1),
mean ~ N(0,0.1), var ~ U(0.5,1.5)). Exported from eval mode with do_constant_folding=True, opset 13, input "input"
[N,3,224,224], output "output" [N,1000], dynamic batch. The exporter fuses every Conv -> BN pair itself; the 62 BNs
left are DenseNet's pre-activation BNs (BN -> ReLU -> Conv, and norm5 -> ReLU -> GAP -> Linear), which no
backward or forward fold can take and OnnxBn's scale-through rule turns into Adds.
"""
import argparse
import collections
import os

import onnx
import torch
import torchvision


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output", help="path of the .onnx file to write")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = torchvision.models.densenet121(weights=None)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224), args.output, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=13, do_constant_folding=True)
    onnx.checker.check_model(args.output)
    ops = collections.Counter(n.op_type for n in onnx.load(args.output).graph.node)
    print(f"{args.output}: {ops['BatchNormalization']} BatchNormalization nodes, {os.path.getsize(args.output)} bytes")


if __name__ == "__main__":
    main()
