#!/usr/bin/python3
"""Example models for issue 14 (BNs real exporters leave behind computed shapes, Casts and Transposes).

    /usr/bin/python3 models/export/issue14_patterns.py     # writes the models, test data and manifest entries

  keras_flatten_mlp_bn      PyTorch 1.13, dynamic batch: x.reshape(x.shape[0], 784) (Shape->Gather->Unsqueeze->
                            Concat->Reshape) -> x @ W + b (MatMul+Add, as tf2onnx writes Dense) -> BN1d -> Relu ->
                            MatMul+Add -> BN1d. Reference output: PyTorch's eval output.
  synth_fp16_cast_conv_bn   mixed precision: float16 initializers, each Cast to float before the Conv (weight, bias)
                            and the BN (scale, B, mean; var stays float32). Reference: numpy evaluator.
  synth_nhwc_transpose_bn   NHWC: Transpose(0,3,1,2) -> Conv -> Transpose(0,2,3,1) -> Mul+Add on the last axis
                            (tf2onnx's Keras BN) -> Relu -> Transpose(0,3,1,2) -> Conv -> Transpose(0,1,3,2) -> BN
                            (axis 1 is still the Conv's channels) -> Relu. Reference: numpy evaluator.

The "fold" entries are what OnnxBn is expected to do (fold_check.py does not model these patterns); the test suite
checks them against the fold report and checks the folded model against the reference output.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import np_onnx  # noqa: E402

BATCH = 4


def entry(name, description, feeds, ref, folds):
    model = onnx.load(os.path.join(common.MODELS, name + ".onnx"))
    np_out = np_onnx.run_model(model, feeds)[model.graph.output[0].name]
    reference = "PyTorch eval output" if name.startswith("keras") else "numpy evaluator export/np_onnx.py"
    return common.pattern_entry(name, description, ref, folds, "issue 14", reference, independent=np_out)


def keras_flatten_mlp_bn():
    import torch

    torch.manual_seed(14)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w1 = torch.nn.Parameter(torch.randn(784, 32) * 0.05)
            self.b1 = torch.nn.Parameter(torch.randn(32) * 0.1)
            self.bn1 = torch.nn.BatchNorm1d(32)
            self.w2 = torch.nn.Parameter(torch.randn(32, 10) * 0.2)
            self.b2 = torch.nn.Parameter(torch.randn(10) * 0.1)
            self.bn2 = torch.nn.BatchNorm1d(10)

        def forward(self, x):
            x = x.reshape(x.shape[0], 784)
            x = torch.relu(self.bn1(x @ self.w1 + self.b1))
            return self.bn2(x @ self.w2 + self.b2)

    net = Net()
    for bn in (net.bn1, net.bn2):
        common.randomize_bn(bn)
    net.eval()
    x = torch.randn(BATCH, 1, 28, 28)
    name = "keras_flatten_mlp_bn"
    path, xs, ref = common.export_eval(net, x, name, constant_folding=True)
    ops = [n.op_type for n in onnx.load(path).graph.node]
    assert "Shape" in ops and "Concat" in ops and "MatMul" in ops, ops
    return entry(name, "Keras-style flatten x.reshape(x.shape[0], 784) (computed Reshape shape) -> MatMul+Add -> "
                       "BN1d -> Relu -> MatMul+Add -> BN1d: both BNs fold backward once the shape is inferred",
                 {"input": xs}, ref, ["backward into the MatMul+Add before it", "backward into the MatMul+Add before it"])


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []

    def const(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(self, op, inputs, name, **attrs):
        out = name + "_out"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def cast(self, name, arr):
        """A float16 initializer read through Cast(to=float)."""
        return self.node("Cast", [self.const(name + "_fp16", arr.astype(np.float16))], name + "_cast", to=TensorProto.FLOAT)

    def bn_params(self, c):
        r = self.rng
        return (r.uniform(0.5, 1.5, c), r.normal(0, 0.2, c), r.normal(0, 0.5, c), r.uniform(0.25, 2.0, c))

    def model(self, name, x_info, last, y_shape):
        for n in self.nodes:
            n.output[:] = ["output" if o == last else o for o in n.output]
            n.input[:] = ["output" if i == last else i for i in n.input]
        g = helper.make_graph(self.nodes, name, [x_info], [helper.make_tensor_value_info("output", TensorProto.FLOAT, y_shape)],
                              self.inits)
        m = helper.make_model(g, producer_name="OnnxBn issue14_patterns.py", producer_version="1",
                              opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 7
        return m


def fp16_cast_conv_bn():
    B = Builder(1401)
    w = B.cast("conv.weight", B.rng.standard_normal((8, 3, 3, 3)) * 0.3)
    b = B.cast("conv.bias", B.rng.standard_normal(8) * 0.1)
    h = B.node("Conv", ["input", w, b], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    gamma, beta, mean, var = B.bn_params(8)
    ins = [h, B.cast("bn.scale", gamma), B.cast("bn.bias", beta), B.cast("bn.mean", mean),
           B.const("bn.var", var.astype(np.float32))]
    h = B.node("BatchNormalization", ins, "bn", epsilon=1e-5)
    h = B.node("Relu", [h], "relu")
    m = B.model("fp16_cast_conv_bn", helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 8, 8]), h, ["N", 8, 8, 8])
    return m, B.rng.standard_normal((BATCH, 3, 8, 8)).astype(np.float32), [
        "backward into conv"], (
        "mixed precision: float16 Conv weight/bias and BN scale/B/mean each Cast to float: BN folds backward, "
        "the folded weights are written as float (the Conv's type) and the Casts go")


def nhwc_transpose_bn():
    B = Builder(1402)
    h = B.node("Transpose", ["input"], "to_nchw", perm=[0, 3, 1, 2])
    h = B.node("Conv", [h, B.const("conv1.weight", (B.rng.standard_normal((6, 3, 3, 3)) * 0.3).astype(np.float32))],
               "conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = B.node("Transpose", [h], "to_nhwc", perm=[0, 2, 3, 1])
    gamma, beta, mean, var = B.bn_params(6)
    scale = gamma / np.sqrt(var + 1e-3)
    h = B.node("Mul", [h, B.const("batch_normalization/mul_const", scale.astype(np.float32))], "batch_normalization/mul")
    h = B.node("Add", [h, B.const("batch_normalization/add_const", (beta - mean * scale).astype(np.float32))],
               "batch_normalization/add")
    h = B.node("Relu", [h], "relu1")
    h = B.node("Transpose", [h], "to_nchw2", perm=[0, 3, 1, 2])
    h = B.node("Conv", [h, B.const("conv2.weight", (B.rng.standard_normal((4, 6, 1, 1)) * 0.3).astype(np.float32)),
                        B.const("conv2.bias", (B.rng.standard_normal(4) * 0.1).astype(np.float32))], "conv2")
    h = B.node("Transpose", [h], "swap_hw", perm=[0, 1, 3, 2])
    gamma, beta, mean, var = B.bn_params(4)
    ins = [h] + [B.const(f"bn2.{k}", v.astype(np.float32)) for k, v in zip(("scale", "bias", "mean", "var"), (gamma, beta, mean, var))]
    h = B.node("BatchNormalization", ins, "bn2", epsilon=1e-5)
    h = B.node("Relu", [h], "relu2")
    m = B.model("nhwc_transpose_bn", helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 5, 5, 3]), h, ["N", 4, 5, 5])
    return m, B.rng.standard_normal((BATCH, 5, 5, 3)).astype(np.float32), [
        "backward into conv2 (through swap_hw)"], (
        "NHWC: Conv -> Transpose(0,2,3,1) -> Keras BN as Mul+Add on the last axis folds into conv1; Conv -> "
        "Transpose(0,1,3,2) -> BN folds into conv2; the Transposes stay")


def main():
    entries = {"keras_flatten_mlp_bn": keras_flatten_mlp_bn()}
    for name, fn in (("synth_fp16_cast_conv_bn", fp16_cast_conv_bn), ("synth_nhwc_transpose_bn", nhwc_transpose_bn)):
        model, x, folds, desc = fn()
        onnx.save(model, os.path.join(common.MODELS, name + ".onnx"))
        ref = np_onnx.run_model(model, {"input": x})["output"]
        common.write_test_data(name, [("input", x)], [("output", ref)])
        entries[name] = entry(name, desc, {"input": x}, ref, folds)
    common.add_to_manifest(entries)


if __name__ == "__main__":
    main()
