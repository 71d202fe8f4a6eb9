#!/usr/bin/python3
"""Example models with BatchNormalization inside control flow (issue 14, item 3), exported by PyTorch 1.13 from
torch.jit.script modules, so the exporter writes real If and Loop nodes with the BNs inside their sub-graphs.

    /usr/bin/python3 models/export/subgraph_patterns.py     # writes the models, test data and manifest entries

  synth_if_branch_bn    if x.sum() > 0: BN(Conv1(x)) else: BN(Conv2(x)); Relu. Each branch reads its Conv weight and
                        BN parameters from the main graph (outer-scope initializers); both branch BNs fold backward
                        into their Conv, the new weights live in the branches, the outer ones go.
  synth_loop_body_bn    while i < 3: h = BN(Conv(y)); if h.sum() > 0: h = BN(Conv(h)); y = Relu(h). The body's BN
                        folds backward, and so does the BN of the If nested in the Loop body.

Reference outputs are PyTorch's eval outputs. Exported with training=PRESERVE and do_constant_folding=False (as
export_models.py does), so the BNs stay in the graph; opset 13 (If/Loop need 11 or later).
"""
import os
import sys

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

BATCH = 2


class IfBranchBn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.conv2 = torch.nn.Conv2d(3, 4, 1)
        self.bn2 = torch.nn.BatchNorm2d(4)

    def forward(self, x):
        if bool(x.sum() > 0):
            h = self.bn1(self.conv1(x))
        else:
            h = self.bn2(self.conv2(x))
        return torch.relu(h)


class LoopBodyBn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(4, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.gate_conv = torch.nn.Conv2d(4, 4, 1)
        self.gate_bn = torch.nn.BatchNorm2d(4)

    def forward(self, x):
        y = x
        i = 0
        while i < 3:
            h = self.bn(self.conv(y))
            if bool(h.sum() > 0):
                h = self.gate_bn(self.gate_conv(h))
            y = torch.relu(h)
            i += 1
        return y


def sub_graphs(graph):
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                yield node, attribute.g
                yield from sub_graphs(attribute.g)


def export(name, net, x, description, folds, control_flow):
    net.eval()
    scripted = torch.jit.script(net)
    path = os.path.join(common.MODELS, name + ".onnx")
    torch.onnx.export(scripted, (x,), path, input_names=["input"], output_names=["output"], opset_version=13,
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    with torch.no_grad():
        ref = net(x).numpy()
    common.write_test_data(name, [("input", x.numpy())], [("output", ref)])

    model = onnx.load(path)
    inner = list(sub_graphs(model.graph))
    assert {n.op_type for n, _ in inner} == control_flow, [n.op_type for n, _ in inner]
    main_bns = [n for n in model.graph.node if n.op_type == "BatchNormalization"]
    assert not main_bns, "every BN is meant to be inside a sub-graph"
    return common.pattern_entry(name, description, ref, folds, "issue 14: BN inside control flow",
                                "PyTorch eval output (torch.jit.script module)", with_io=True)


def main():
    torch.manual_seed(1403)
    if_net = IfBranchBn()
    loop_net = LoopBodyBn()
    for bn in (if_net.bn1, if_net.bn2, loop_net.bn, loop_net.gate_bn):
        common.randomize_bn(bn)
    entries = {
        "synth_if_branch_bn": export(
            "synth_if_branch_bn", if_net, torch.randn(BATCH, 3, 6, 6) + 0.1,
            "If(x.sum() > 0) with Conv3x3 -> BN in then_branch and Conv1x1 -> BN in else_branch (weights and BN "
            "parameters are main-graph initializers read from the branches) -> Relu: both BNs fold backward inside "
            "their branch", ["backward into /conv1/Conv", "backward into /conv2/Conv"], {"If"}),
        "synth_loop_body_bn": export(
            "synth_loop_body_bn", loop_net, torch.randn(BATCH, 4, 5, 5),
            "while i < 3 (Loop): Conv -> BN -> If(h.sum() > 0: Conv1x1 -> BN) -> Relu, the If nested in the Loop "
            "body: both BNs fold backward in their own scope", ["backward into /conv/Conv", "backward into /gate_conv/Conv"],
            {"Loop", "If"}),
    }
    common.add_to_manifest(entries)


if __name__ == "__main__":
    main()
