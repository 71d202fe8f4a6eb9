#!/usr/bin/python3
"""Small hand-built ONNX graphs (onnx.helper, random weights) for BN patterns PyTorch does not emit.

    /usr/bin/python3 models/export/synthetic_patterns.py   # == export_models.py synth

Each graph gets random inputs (batch 4) and a reference output from the numpy evaluator
(np_onnx.py), whose Conv1d / grouped+dilated+strided Conv and ConvTranspose are first
cross-checked against torch.nn.functional. Opset 13 (IR 7) unless stated.

  synth_dense_affine_bn        (a) MatMul -> Add -> Mul -> Add: Dense then a Keras BN lowered to affine
                                   ops, as tf2onnx emits for rank < 4. No BatchNormalization node at all.
  synth_convtranspose_bn       (b) ConvTranspose -> BN (group 1, stride 2, pads, output_padding), then a
                                   grouped ConvTranspose -> BN whose output is the graph output.
  synth_gemm_bn                (c) Gemm(transB=1, beta=0.7, C) -> BN -> Relu -> Gemm(transB=0, alpha=0.5, no C) -> BN -> Softmax
  synth_conv1d_bn              (d) Conv1d -> BN on [N,C,L]; grouped/dilated/strided bias-free Conv1d -> BN
  synth_seq_linear_transpose_bn (e) Linear on [N,L,C] (Transpose(W) + MatMul + Add with the bias first, as torch emits)
                                   -> Transpose(0,2,1) -> BN -> Transpose(0,2,1) -> Relu -> MatMul + Add
  synth_bn_padded_conv         (f) Conv -> Relu -> BN -> Conv(pads 1): must NOT fold; then
                                   Relu -> BN -> Conv1x1(pads 0): forward fold is fine
  synth_fp16_bn_opset15        (g) opset 15: float16 Conv -> BN with float16 X/Y and float32
                                   scale/B/mean/var (BN-15 type constraints T, T1, T2), training_mode=0
  synth_conv_relu_bn_flatten_gemm (h) Conv -> Relu -> BN -> Flatten -> Gemm: forward fold through Flatten
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


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.inits = []

    def const(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def w(self, name, shape, fan_in, dtype=np.float32):
        return self.const(name, (self.rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype))

    def b(self, name, n, dtype=np.float32):
        return self.const(name, (self.rng.standard_normal(n) * 0.1).astype(dtype))

    def node(self, op, inputs, name, **attrs):
        out = name + "_out"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def bn(self, x, name, c, dtype=np.float32, **attrs):
        r = self.rng
        gamma = (r.uniform(0.5, 1.5, c)).astype(dtype)
        beta = (r.normal(0, 0.2, c)).astype(dtype)
        mean = (r.normal(0, 0.5, c)).astype(dtype)
        var = (r.uniform(0.25, 2.0, c)).astype(dtype)
        ins = [x] + [self.const(f"{name}.{k}", v) for k, v in
                     (("scale", gamma), ("bias", beta), ("mean", mean), ("var", var))]
        return self.node("BatchNormalization", ins, name, epsilon=1e-5, **attrs)

    def model(self, name, x_info, y_name, y_type, y_shape, opset=13, ir=7):
        out_vi = helper.make_tensor_value_info("output", y_type, y_shape)
        # rename the last output to "output"
        for n in self.nodes:
            for i, o in enumerate(n.output):
                if o == y_name:
                    n.output[i] = "output"
            for i, o in enumerate(n.input):
                if o == y_name:
                    n.input[i] = "output"
        g = helper.make_graph(self.nodes, name, [x_info], [out_vi], self.inits)
        m = helper.make_model(g, producer_name="OnnxBn synthetic_patterns.py", producer_version="1",
                              opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = ir
        return m


def f32_input(shape):
    return helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N"] + list(shape[1:]))


# ----------------------------------------------------------------------------- patterns

def dense_affine_bn():
    B = Builder(101)
    x = "input"
    h = B.node("MatMul", [x, B.w("dense.kernel", (16, 32), 16)], "dense/MatMul")
    h = B.node("Add", [h, B.b("dense.bias", 32)], "dense/BiasAdd")
    # Keras BN in inference, lowered by tf2onnx for rank < 4: x * (gamma/sqrt(var+eps)) + (beta - mean*scale)
    r = B.rng
    gamma, beta = r.uniform(0.5, 1.5, 32), r.normal(0, 0.2, 32)
    mean, var = r.normal(0, 0.5, 32), r.uniform(0.25, 2.0, 32)
    scale = gamma / np.sqrt(var + 1e-3)
    h = B.node("Mul", [h, B.const("batch_normalization/mul_const", scale.astype(np.float32))], "batch_normalization/mul")
    h = B.node("Add", [h, B.const("batch_normalization/add_const", (beta - mean * scale).astype(np.float32))],
               "batch_normalization/add")
    h = B.node("Relu", [h], "relu")
    h = B.node("MatMul", [h, B.w("dense_1.kernel", (32, 10), 32)], "dense_1/MatMul")
    h = B.node("Add", [h, B.b("dense_1.bias", 10)], "dense_1/BiasAdd")
    m = B.model("dense_affine_bn", f32_input((BATCH, 16)), h, TensorProto.FLOAT, ["N", 10])
    x = B.rng.standard_normal((BATCH, 16)).astype(np.float32)
    extra = {"affine_patterns": [{
        "nodes": ["batch_normalization/mul", "batch_normalization/add"],
        "pattern": "MatMul->Add->Mul->Add->Relu",
        "fold": "optional: backward into dense/MatMul + dense/BiasAdd (per-output-column Mul then Add with constants)",
        "notes": ["tf2onnx lowers a Keras BatchNormalization on rank<4 tensors to Mul+Add; a BN folder sees 0 BNs "
                  "and must leave the graph unchanged unless it also folds constant affine chains"],
    }]}
    return m, x, 0, "(a) Dense then Keras BN as Mul/Add (tf2onnx, rank<4): 0 BN nodes", extra


def convtranspose_bn():
    B = Builder(102)
    h = B.node("ConvTranspose", ["input", B.w("deconv1.weight", (4, 6, 3, 3), 4 * 9)], "deconv1",
               strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])  # 5x5 -> 10x10, no bias
    h = B.bn(h, "bn1", 6)
    h = B.node("Relu", [h], "relu1")
    h = B.node("ConvTranspose", [h, B.w("deconv2.weight", (6, 2, 2, 2), 3 * 4), B.b("deconv2.bias", 4)], "deconv2",
               group=2)  # 10x10 -> 11x11, weight [Cin=6, Cout/group=2, 2, 2]
    h = B.bn(h, "bn2", 4)
    m = B.model("convtranspose_bn", f32_input((BATCH, 4, 5, 5)), h, TensorProto.FLOAT, ["N", 4, 11, 11])
    x = B.rng.standard_normal((BATCH, 4, 5, 5)).astype(np.float32)
    return m, x, 2, ("(b) ConvTranspose->BN: weight layout [Cin, Cout/group, kH, kW] (scale axis 1, per group); "
                     "the second BN is the graph output"), {}


def gemm_bn():
    B = Builder(103)
    h = B.node("Gemm", ["input", B.w("fc1.weight", (24, 20), 20), B.b("fc1.bias", 24)], "fc1",
               transB=1, beta=0.7)
    h = B.bn(h, "bn1", 24)
    h = B.node("Relu", [h], "relu1")
    h = B.node("Gemm", [h, B.w("fc2.weight", (24, 12), 24)], "fc2", transB=0, alpha=0.5)
    h = B.bn(h, "bn2", 12)
    h = B.node("Softmax", [h], "softmax", axis=1)
    m = B.model("gemm_bn", f32_input((BATCH, 20)), h, TensorProto.FLOAT, ["N", 12])
    x = B.rng.standard_normal((BATCH, 20)).astype(np.float32)
    return m, x, 2, "(c) Gemm(transB=1, beta=0.7)->BN and Gemm(transB=0, alpha=0.5, no C)->BN", {}


def conv1d_bn():
    B = Builder(104)
    h = B.node("Conv", ["input", B.w("conv1.weight", (8, 3, 5), 15), B.b("conv1.bias", 8)], "conv1",
               kernel_shape=[5], pads=[2, 2])
    h = B.bn(h, "bn1", 8)
    h = B.node("Relu", [h], "relu1")
    h = B.node("Conv", [h, B.w("conv2.weight", (8, 4, 3), 12)], "conv2",
               kernel_shape=[3], strides=[2], dilations=[2], pads=[2, 2], group=2)
    h = B.bn(h, "bn2", 8)
    h = B.node("Relu", [h], "relu2")
    m = B.model("conv1d_bn", f32_input((BATCH, 3, 32)), h, TensorProto.FLOAT, ["N", 8, 16])
    x = B.rng.standard_normal((BATCH, 3, 32)).astype(np.float32)
    return m, x, 2, "(d) Conv1d->BN on [N,C,L] (rank-3 BN), incl. a grouped, dilated, strided bias-free Conv1d", {}


def seq_linear_transpose_bn():
    B = Builder(105)
    # exactly what torch 1.13 emits for nn.Linear on a 3-D input with do_constant_folding=False
    wt = B.node("Transpose", [B.w("linear.weight", (24, 16), 16)], "/linear/Transpose", perm=[1, 0])
    h = B.node("MatMul", ["input", wt], "/linear/MatMul")
    h = B.node("Add", [B.b("linear.bias", 24), h], "/linear/Add")  # torch puts the bias first
    h = B.node("Transpose", [h], "/Transpose", perm=[0, 2, 1])
    h = B.bn(h, "/bn/BatchNormalization", 24)
    h = B.node("Transpose", [h], "/Transpose_1", perm=[0, 2, 1])
    h = B.node("Relu", [h], "/relu/Relu")
    h = B.node("MatMul", [h, B.w("head.weight_t", (24, 5), 24)], "/head/MatMul")
    h = B.node("Add", [B.b("head.bias", 5), h], "/head/Add")
    m = B.model("seq_linear_transpose_bn", f32_input((BATCH, 10, 16)), h, TensorProto.FLOAT, ["N", 10, 5])
    x = B.rng.standard_normal((BATCH, 10, 16)).astype(np.float32)
    return m, x, 1, ("(e) Linear on [N,L,C] (MatMul(x, Transpose(W)) + Add(bias, .)) -> Transpose(0,2,1) -> BN -> Transpose(0,2,1): "
                     "BatchNorm1d over a sequence's features"), {}


def bn_padded_conv():
    B = Builder(106)
    h = B.node("Conv", ["input", B.w("conv1.weight", (8, 3, 3, 3), 27), B.b("conv1.bias", 8)], "conv1",
               kernel_shape=[3, 3])  # 12 -> 10
    h = B.node("Relu", [h], "relu1")
    h = B.bn(h, "bn_before_padded_conv", 8)
    h = B.node("Conv", [h, B.w("conv2.weight", (8, 8, 3, 3), 72), B.b("conv2.bias", 8)], "conv2_padded",
               kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = B.node("Relu", [h], "relu2")
    h = B.bn(h, "bn_before_1x1_conv", 8)
    h = B.node("Conv", [h, B.w("conv3.weight", (6, 8, 1, 1), 8)], "conv3_1x1", kernel_shape=[1, 1])
    m = B.model("bn_padded_conv", f32_input((BATCH, 3, 12, 12)), h, TensorProto.FLOAT, ["N", 6, 10, 10])
    x = B.rng.standard_normal((BATCH, 3, 12, 12)).astype(np.float32)
    return m, x, 2, ("(f) Relu->BN->Conv(pads 1) must stay (zero padding is not normalized); "
                     "Relu->BN->Conv1x1(no pad) may fold forward"), {}


def fp16_bn_opset15():
    B = Builder(107)
    h = B.node("Conv", ["input", B.w("conv.weight", (8, 4, 3, 3), 36, np.float16), B.b("conv.bias", 8, np.float16)],
               "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = B.bn(h, "bn", 8, dtype=np.float32, training_mode=0)
    h = B.node("Relu", [h], "relu")
    xi = helper.make_tensor_value_info("input", TensorProto.FLOAT16, ["N", 4, 8, 8])
    m = B.model("fp16_bn_opset15", xi, h, TensorProto.FLOAT16, ["N", 8, 8, 8], opset=15, ir=8)
    x = B.rng.standard_normal((BATCH, 4, 8, 8)).astype(np.float16)
    return m, x, 1, ("(g) opset 15, float16 Conv -> BN with float16 X/Y but float32 scale/B/mean/var, "
                     "training_mode=0; the folded Conv weights must be written back as float16"), {}


def conv_relu_bn_flatten_gemm():
    B = Builder(108)
    h = B.node("Conv", ["input", B.w("conv.weight", (4, 2, 3, 3), 18), B.b("conv.bias", 4)], "conv",
               kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = B.node("Relu", [h], "relu")
    h = B.bn(h, "bn", 4)
    h = B.node("Flatten", [h], "flatten", axis=1)
    h = B.node("Gemm", [h, B.w("fc.weight", (10, 4 * 6 * 6), 144), B.b("fc.bias", 10)], "fc", transB=1)
    m = B.model("conv_relu_bn_flatten_gemm", f32_input((BATCH, 2, 6, 6)), h, TensorProto.FLOAT, ["N", 10])
    x = B.rng.standard_normal((BATCH, 2, 6, 6)).astype(np.float32)
    return m, x, 1, ("(h) Conv->Relu->BN(4-D)->Flatten->Gemm: forward fold through Flatten (each channel's "
                     "scale repeats H*W=36 times along Gemm's input axis)"), {}


PATTERNS = {
    "synth_dense_affine_bn": dense_affine_bn,
    "synth_convtranspose_bn": convtranspose_bn,
    "synth_gemm_bn": gemm_bn,
    "synth_conv1d_bn": conv1d_bn,
    "synth_seq_linear_transpose_bn": seq_linear_transpose_bn,
    "synth_bn_padded_conv": bn_padded_conv,
    "synth_fp16_bn_opset15": fp16_bn_opset15,
    "synth_conv_relu_bn_flatten_gemm": conv_relu_bn_flatten_gemm,
}


# ----------------------------------------------------------------------------- evaluator self-check

def crosscheck_evaluator_with_torch():
    """Compare np_onnx's Conv / ConvTranspose against torch.nn.functional (if torch is present)."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("  (torch not available: evaluator cross-check skipped)")
        return
    from onnx import helper as h
    rng = np.random.default_rng(0)
    worst = 0.0
    cases = [
        ("Conv", (2, 4, 11), (6, 2, 3), dict(strides=[2], dilations=[2], pads=[2, 1], group=2)),
        ("Conv", (2, 3, 9, 8), (4, 3, 3, 2), dict(strides=[1, 2], pads=[1, 0, 1, 0])),
        ("ConvTranspose", (2, 4, 5, 5), (4, 6, 3, 3), dict(strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])),
        ("ConvTranspose", (2, 6, 4, 3), (6, 2, 2, 3), dict(group=2, dilations=[2, 1], strides=[1, 2])),
        ("ConvTranspose", (2, 3, 7), (3, 2, 4), dict(strides=[3], pads=[1, 1])),
    ]
    for op, xs, ws, attrs in cases:
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        b = rng.standard_normal(ws[1] * attrs.get("group", 1) if op == "ConvTranspose" else ws[0]).astype(np.float32)
        node = h.make_node(op, ["x", "w", "b"], ["y"], **attrs)
        got = np_onnx.run_node(node, {"x": x, "w": w, "b": b})[0]
        nsp = len(xs) - 2
        pads = attrs.get("pads", [0] * 2 * nsp)
        kw = dict(stride=tuple(attrs.get("strides", [1] * nsp)), dilation=tuple(attrs.get("dilations", [1] * nsp)),
                  groups=attrs.get("group", 1))
        tx, tw, tb = map(torch.from_numpy, (x, w, b))
        if op == "Conv":
            tx = F.pad(tx, [p for i in reversed(range(nsp)) for p in (pads[i], pads[i + nsp])])
            ref = (F.conv1d if nsp == 1 else F.conv2d)(tx, tw, tb, **kw)
        else:
            assert pads[:nsp] == pads[nsp:]
            ref = (F.conv_transpose1d if nsp == 1 else F.conv_transpose2d)(
                tx, tw, tb, padding=tuple(pads[:nsp]), output_padding=tuple(attrs.get("output_padding", [0] * nsp)), **kw)
        ref = ref.numpy()
        assert got.shape == ref.shape, (op, got.shape, ref.shape)
        worst = max(worst, float(np.abs(got - ref).max()))
    assert worst < 1e-4, worst
    print(f"  numpy evaluator vs torch.nn.functional (Conv/ConvTranspose): max |diff| {worst:.2e}")


def build_all():
    crosscheck_evaluator_with_torch()
    entries = {}
    for name, fn in PATTERNS.items():
        model, x, n_bn, desc, extra = fn()
        path = os.path.join(common.MODELS, name + ".onnx")
        onnx.save(model, path)
        ref = np_onnx.run_model(model, {"input": x})["output"]
        common.write_test_data(name, [("input", x)], [("output", ref)])
        extra = dict(extra)
        extra.update({"test_accuracy": None, "pattern": desc.split(")")[0].strip("(") if desc.startswith("(") else "",
                      "test_inputs": f"standard normal, batch {BATCH} (seeded)",
                      "reference": "numpy evaluator export/np_onnx.py"})
        entries[name] = common.describe(name, desc, {"input": x}, ref, n_bn, extra)
        entries[name]["exercises"] = desc
        print(f"  {name}: {n_bn} BN, " + ", ".join(b["fold"].split(";")[0] for b in entries[name]["batchnorm"]), flush=True)
    return entries


if __name__ == "__main__":
    import export_models
    export_models.main(["synth"])
