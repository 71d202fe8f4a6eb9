#!/usr/bin/python3
"""Example models for issue 14 item 7: pre-activation BNs (BN -> activation -> [pools] -> linear op), whose scale
moves forward through the activation while the shift stays as one Add(t/s) before it.

    /usr/bin/python3 models/export/issue14_preactivation.py   # writes the models, test data and manifest entries

PyTorch's exporter fuses a Conv -> BN pair itself in eval mode, so only the pre-activation BNs reach the models.

  preact_resnet_block   stem Conv -> pre-activation block (BN -> ReLU -> Conv3x3 pad 1 -> BN -> ReLU -> Conv3x3
                        pad 1, + identity) -> BN -> ReLU -> GAP -> flatten -> Linear. The stem output and the block
                        output each feed a BN and more, so those BNs cannot fold backward.
  densenet_tail         stem Conv -> DenseNet layer (BN -> ReLU -> Conv1x1 -> BN -> ReLU -> Conv3x3 pad 1, concat)
                        -> norm5 BN -> ReLU -> adaptive_avg_pool2d -> flatten -> Linear: torchvision's DenseNet tail.
  preact_leaky_block    stem Conv -> BN -> LeakyReLU(0.1) -> Conv3x3 pad 1, + identity.
  preact_negative_gamma stem Conv -> BN (channel 2 has gamma < 0) -> ReLU -> Conv3x3 pad 1, + identity: the BN
                        must be kept, its reason naming channel 2.

All exported by PyTorch 1.13 (opset 13, dynamic batch); reference outputs are PyTorch's eval outputs. The "fold"
entries are what OnnxBn is expected to do; the test suite checks them against the fold report and checks the
folded model against the reference output.
"""
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import np_onnx  # noqa: E402

BATCH = 4


def randomize_bn(module, generator):
    """Trained-looking statistics: every BN's gamma, beta, mean and var drawn away from the identity."""
    with torch.no_grad():
        for bn in module.modules():
            if isinstance(bn, nn.BatchNorm2d):
                c = bn.num_features
                bn.running_mean.copy_(torch.randn(c, generator=generator) * 0.5)
                bn.running_var.copy_(torch.rand(c, generator=generator) * 1.75 + 0.25)
                bn.weight.copy_(torch.rand(c, generator=generator) + 0.5)
                bn.bias.copy_(torch.randn(c, generator=generator) * 0.2)


class PreActBlock(nn.Module):
    def __init__(self, c, act):
        super().__init__()
        self.bn1, self.relu1, self.conv1 = nn.BatchNorm2d(c), act(), nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2, self.relu2, self.conv2 = nn.BatchNorm2d(c), act(), nn.Conv2d(c, c, 3, padding=1, bias=False)

    def forward(self, x):
        return self.conv2(self.relu2(self.bn2(self.conv1(self.relu1(self.bn1(x)))))) + x


class PreActResNetBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.block = PreActBlock(8, nn.ReLU)
        self.bn, self.relu, self.fc = nn.BatchNorm2d(8), nn.ReLU(), nn.Linear(8, 10)

    def forward(self, x):
        x = self.relu(self.bn(self.block(self.stem(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class DenseNetTail(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.norm1, self.relu1, self.conv1 = nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 16, 1, bias=False)
        self.norm2, self.relu2, self.conv2 = nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16, 4, 3, padding=1, bias=False)
        self.norm5, self.classifier = nn.BatchNorm2d(12), nn.Linear(12, 10)

    def forward(self, x):
        x = self.stem(x)
        new = self.conv2(self.relu2(self.norm2(self.conv1(self.relu1(self.norm1(x))))))
        x = self.norm5(torch.cat([x, new], 1))
        x = nn.functional.relu(x)
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(x, (1, 1)), 1))


class PreActSingle(nn.Module):
    def __init__(self, act):
        super().__init__()
        self.stem = nn.Conv2d(3, 6, 3, padding=1)
        self.bn, self.act, self.conv = nn.BatchNorm2d(6), act, nn.Conv2d(6, 6, 3, padding=1)

    def forward(self, x):
        x = self.stem(x)
        return self.conv(self.act(self.bn(x))) + x


def export(name, make, seed, description, folds, tweak=None):
    """Builds the module with `make` after seeding torch, so its initial weights are the seed's too."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    net = make()
    randomize_bn(net, generator)
    if tweak is not None:
        tweak(net)
    net.eval()
    x = torch.randn(BATCH, 3, 8, 8, generator=generator)
    path, xs, ref = common.export_eval(net, x, name, constant_folding=True)
    np_out = np_onnx.run_model(onnx.load(path), {"input": xs})["output"]
    return common.pattern_entry(name, description, ref, folds, "issue 14 item 7", "PyTorch eval output", independent=np_out)


def negate_channel_2(net):
    with torch.no_grad():
        net.bn.weight[2] = -0.8


def main():
    entries = {
        "preact_resnet_block": export(
            "preact_resnet_block", PreActResNetBlock, 1471,
            "pre-activation ResNet block: BN -> ReLU -> padded Conv (the stem output also feeds the residual Add) and "
            "the final BN -> ReLU -> GAP -> flatten -> Linear become Add(t/s) with the scale in the next Conv/Gemm; "
            "PyTorch's exporter already fuses the mid-block Conv -> BN",
            ["forward into /block/conv1/Conv (scale through /block/relu1/Relu; shift t/s kept as Add /block/bn1/BatchNormalization_shift)",
             "forward into /fc/Gemm (scale through /relu/Relu → /GlobalAveragePool → /Flatten; shift t/s kept as Add /bn/BatchNormalization_shift)"]),
        "densenet_tail": export(
            "densenet_tail", DenseNetTail, 1472,
            "DenseNet layer and tail: norm1 -> ReLU -> Conv1x1 and norm5 (after the Concat) -> ReLU -> GAP -> flatten "
            "-> Linear become Add(t/s) with the scale in the Conv/Gemm; PyTorch's exporter already fuses Conv1x1 -> norm2",
            ["forward into /conv1/Conv (scale through /relu1/Relu; shift t/s kept as Add /norm1/BatchNormalization_shift)",
             "forward into /classifier/Gemm (scale through /Relu → /GlobalAveragePool → /Flatten; shift t/s kept as Add /norm5/BatchNormalization_shift)"]),
        "preact_leaky_block": export(
            "preact_leaky_block", lambda: PreActSingle(nn.LeakyReLU(0.1)), 1473,
            "BN -> LeakyReLU(0.1) -> padded Conv with the BN input also feeding a residual Add: Add(t/s) and the scale in the Conv",
            ["forward into /conv/Conv (scale through /act/LeakyRelu; shift t/s kept as Add /bn/BatchNormalization_shift)"]),
        "preact_negative_gamma": export(
            "preact_negative_gamma", lambda: PreActSingle(nn.ReLU()), 1474,
            "BN with gamma < 0 on channel 2 -> ReLU -> padded Conv: kept, the reason naming channel 2",
            ["kept: channel 2 has scale -0.5916: the scale cannot pass through Relu /act/Relu"], tweak=negate_channel_2),
    }
    common.add_to_manifest(entries)


if __name__ == "__main__":
    main()
