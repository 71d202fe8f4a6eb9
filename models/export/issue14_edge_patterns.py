#!/usr/bin/python3
"""Example models for issue 14's edge cases: an IR-3 model, a BN chain with nothing to fold into, a float16 fold that
would overflow, and a BN inside a Scan body.

    /usr/bin/python3 models/export/issue14_edge_patterns.py   # writes the models, test data and manifest entries

  synth_ir3_initializer_inputs  IR version 3, opset 7: every initializer is also a graph input (as IR < 4 requires).
                                Conv3x3(pads 1, bias) -> BN -> Relu -> Conv1x1(no bias) -> BN. At IR < 4 such inputs
                                are constants (ONNX Runtime treats them so), so both BNs fold backward.
  synth_bn_bn_chain_kept        opset 13: BN -> BN -> Relu -> MaxPool(2x2, stride 2), no linear op anywhere: both BNs
                                are kept and stay BatchNormalization nodes (lowering to Mul/Add is opt-in).
  synth_fp16_overflow_bn        opset 15, float16 throughout (float32 BN parameters, as BN-15 allows): ConvA ->
                                BN_A -> Relu -> ConvB(1x1) -> BN_B. Channel 1 of BN_A has gamma 1, var 1e-8, so
                                s = 1/sqrt(var + eps) = 316 and ConvA's weight 300 on that channel would become ~94,800
                                > 65504 if folded backward; ConvB reads that channel with a weight of 240, so the
                                scale-through fold (BN -> Relu -> Conv, on by default) would overflow as well (also
                                after BN_B, scale 1.34 on that row, is folded into ConvB): BN_A must be kept. Input
                                channel 2 (the one the 300 reads) holds values of about 1e-4, so the model's own
                                float16 values stay finite (BN_A's output within +-11, the output within +-2700).
                                BN_B folds backward into ConvB.
  synth_frozen_batchnorm        PyTorch: torchvision's FrozenBatchNorm2d after a Conv, twice, exported without constant
                                folding (scale and shift computed in the graph from the four buffers): both fold
                                backward once the computed parameters are evaluated. Reference: PyTorch's output.
  synth_scan_body_bn            opset 13: Scan (one state [2,6], one scan input, axis 0 forward) over input [T,2,8];
                                body h = Relu(BN(MatMul(x_t, W) + b)), state += h, scan output h. W, b and the BN
                                parameters are main-graph initializers read from the body. The one graph output
                                `output` is the final state (the scan output `sequence` is left unused). T = 2 in the
                                test data (see T_STEPS).

References: the numpy evaluator (export/np_onnx.py) for the first three; for the Scan model an explicit float64 numpy
loop (np_onnx has no Scan), cross-checked by evaluating the Scan body graph with np_onnx step by step. The "fold"
entries are what OnnxBn is expected to do; the test suite checks them against the fold report and checks the folded
model against the reference output.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import np_onnx  # noqa: E402
from issue14_patterns import Builder  # noqa: E402

BATCH = 4
FP16_MAX = float(np.finfo(np.float16).max)  # 65504
# The Scan's scan axis is axis 0 (time). The C# conformance harness keeps only the first 2 entries along axis 0 of
# input_0.pb (it assumes axis 0 is the batch), so more than 2 steps would be cut and no longer match output_0.pb.
T_STEPS = 2
SCAN_BATCH = 2


def make_model(B, name, inputs, outputs, opset, ir, initializers_as_inputs=False, nodes=None):
    """Graph from B's nodes and initializers; the node output named "output" is the graph output."""
    graph_inputs = list(inputs)
    if initializers_as_inputs:
        graph_inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in B.inits]
    g = helper.make_graph(nodes if nodes is not None else B.nodes, name, graph_inputs, outputs, B.inits)
    m = helper.make_model(g, producer_name="OnnxBn issue14_edge_patterns.py", producer_version="1",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir
    return m


def rename_output(B, last):
    for n in B.nodes:
        n.output[:] = ["output" if o == last else o for o in n.output]
        n.input[:] = ["output" if i == last else i for i in n.input]


def bn_inputs(B, name, params, dtype=np.float32):
    return [B.const(f"{name}.{k}", v.astype(dtype)) for k, v in zip(("scale", "bias", "mean", "var"), params)]


# ----------------------------------------------------------------------------- 1. IR 3, initializers as inputs

def ir3_initializer_inputs():
    B = Builder(1411)
    r = B.rng
    h = B.node("Conv", ["input", B.const("conv1.weight", (r.standard_normal((6, 3, 3, 3)) * 0.3).astype(np.float32)),
                        B.const("conv1.bias", (r.standard_normal(6) * 0.1).astype(np.float32))],
               "conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    h = B.node("BatchNormalization", [h] + bn_inputs(B, "bn1", B.bn_params(6)), "bn1", epsilon=1e-5, momentum=0.9)
    h = B.node("Relu", [h], "relu1")
    h = B.node("Conv", [h, B.const("conv2.weight", (r.standard_normal((4, 6, 1, 1)) * 0.4).astype(np.float32))],
               "conv2", kernel_shape=[1, 1])
    h = B.node("BatchNormalization", [h] + bn_inputs(B, "bn2", B.bn_params(4)), "bn2", epsilon=1e-5, momentum=0.9)
    rename_output(B, h)
    m = make_model(B, "ir3_initializer_inputs",
                   [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 6, 6])],
                   [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 4, 6, 6])],
                   opset=7, ir=3, initializers_as_inputs=True)
    x = r.standard_normal((BATCH, 3, 6, 6)).astype(np.float32)
    # "backward into <the fold report's target>": tests/Folding/Rules/BackwardModelTests.cs requires the text after
    # "backward into " to be the start of the report's detail, so the IR-3 remark lives in the description.
    folds = ["backward into conv1", "backward into conv2"]
    desc = ("IR version 3, opset 7 (BatchNormalization-7, epsilon and momentum only): every initializer is also listed "
            "as a graph input, as IR < 4 requires. Conv3x3(pads 1, bias) -> BN -> Relu -> Conv1x1(no bias) -> BN: at "
            "IR < 4 the initializer inputs are constants (ONNX Runtime runs them so), so both BNs fold backward (into "
            "conv1, and into conv2, which gets a bias)")
    return m, x, folds, desc, "issue 14: IR 3 initializer inputs"


# ----------------------------------------------------------------------------- 2. BN -> BN chain, nothing to fold into

def bn_bn_chain_kept():
    B = Builder(1412)
    h = B.node("BatchNormalization", ["input"] + bn_inputs(B, "bn1", B.bn_params(3)), "bn1", epsilon=1e-5)
    h = B.node("BatchNormalization", [h] + bn_inputs(B, "bn2", B.bn_params(3)), "bn2", epsilon=1e-5)
    h = B.node("Relu", [h], "relu")
    h = B.node("MaxPool", [h], "maxpool", kernel_shape=[2, 2], strides=[2, 2])
    rename_output(B, h)
    m = make_model(B, "bn_bn_chain_kept",
                   [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 5, 5])],
                   [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3, 2, 2])], opset=13, ir=7)
    x = B.rng.standard_normal((BATCH, 3, 5, 5)).astype(np.float32)
    reason = "kept: BN→BN chain with no linear op to fold into; stays a BatchNormalization node (lowering is opt-in)"
    folds = [reason, reason]
    desc = ("input -> BN -> BN -> Relu -> MaxPool(2x2, stride 2): no Conv/Gemm/MatMul anywhere, so both BNs are kept "
            "and stay two BatchNormalization nodes (not lowered to Mul/Add unless lowering is asked for)")
    return m, x, folds, desc, "issue 14: kept BN chain"


# ----------------------------------------------------------------------------- 3. float16 fold that would overflow

def fp16_overflow_bn():
    B = Builder(1413)
    r = B.rng
    # ConvA: float16 [4,3,3,3]. Output channel 1 reads input channel 2 (tiny values) through one weight of 300, all
    # its other weights are ~1e-3: the model is fine in float16, but 300 * s1 (s1 = 1/sqrt(1e-8 + 1e-5) = 316.1)
    # = 94,800 does not fit float16.
    wa = r.standard_normal((4, 3, 3, 3)) * 0.3
    wa[1] = r.standard_normal((3, 3, 3)) * 1e-3
    wa[1, 2, 1, 1] = 300.0
    wa = wa.astype(np.float16)
    ba = (r.standard_normal(4) * 0.1).astype(np.float16)
    h = B.node("Conv", ["input", B.const("convA.weight", wa), B.const("convA.bias", ba)], "convA",
               kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    gamma, beta, mean, var = B.bn_params(4)
    gamma[1], var[1], mean[1] = 1.0, 1e-8, float(ba[1])  # channel 1: nearly constant in "training" (mean = its bias)
    eps_a = 1e-5
    h = B.node("BatchNormalization", [h] + bn_inputs(B, "bnA", (gamma, beta, mean, var)), "bnA",
               epsilon=eps_a, training_mode=0)
    s_a = gamma.astype(np.float32).astype(np.float64) / np.sqrt(var.astype(np.float32).astype(np.float64) + np.float32(eps_a))
    folded = wa.astype(np.float64) * s_a[:, None, None, None]
    assert np.abs(folded[1]).max() > FP16_MAX, np.abs(folded[1]).max()
    assert np.abs(np.delete(folded, 1, axis=0)).max() < FP16_MAX
    h = B.node("Relu", [h], "reluA")
    # ConvB: float16 [4,4,1,1]; its output channel 0 reads channel 1 through a weight of 240, so moving s1 forward
    # (BN -> Relu -> Conv scale-through) would write 240 * 316 = 75,900 > 65504 as well: neither direction can fold.
    wb = r.standard_normal((4, 4, 1, 1)) * 0.5
    wb[0, :, 0, 0] = r.choice([-1.0, 1.0], 4) * r.uniform(0.2, 0.8, 4)
    wb[0, 1, 0, 0] = 240.0
    wb = wb.astype(np.float16)
    assert np.abs(wb[:, 1].astype(np.float64) * s_a[1]).max() > FP16_MAX
    h = B.node("Conv", [h, B.const("convB.weight", wb), B.const("convB.bias", (r.standard_normal(4) * 0.1).astype(np.float16))],
               "convB", kernel_shape=[1, 1])
    conv_b = h
    bn_b = [h, "", "", "", ""]  # parameters set below, once ConvB is calibrated
    h = B.node("BatchNormalization", bn_b, "bnB", epsilon=1e-5, training_mode=0)
    # BN_B: ordinary gamma/beta/var; running mean = the exact mean of ConvB's output over a calibration batch drawn
    # like the inputs. Channel 0 gets s_B = 1.2/sqrt(0.8) = 1.34 >= 1, so folding BN_B into ConvB first does not make
    # room for BN_A's scale either: 240 * 1.34 * 316 = 102,000.
    calib = _fp16_input(r, 64)
    probe = make_model(B, "probe", [helper.make_tensor_value_info("input", TensorProto.FLOAT16, ["N", 3, 6, 6])],
                       [helper.make_tensor_value_info(conv_b, TensorProto.FLOAT16, ["N", 4, 6, 6])], opset=15, ir=8,
                       nodes=B.nodes[:-1])
    y = np_onnx.run_model(probe, {"input": calib})[conv_b].astype(np.float64)
    gamma_b, beta_b, _, var_b = B.bn_params(4)
    mean_b = y.mean(axis=(0, 2, 3))
    gamma_b[0], var_b[0] = 1.2, 0.8
    s_b = gamma_b[0] / np.sqrt(var_b[0] + 1e-5)
    assert abs(float(wb[0, 1, 0, 0]) * s_b * s_a[1]) > FP16_MAX and abs(float(wb[0, 1, 0, 0]) * s_b) < FP16_MAX
    B.nodes[-1].input[1:] = bn_inputs(B, "bnB", (gamma_b, beta_b, mean_b, var_b))
    rename_output(B, h)
    m = make_model(B, "fp16_overflow_bn",
                   [helper.make_tensor_value_info("input", TensorProto.FLOAT16, ["N", 3, 6, 6])],
                   [helper.make_tensor_value_info("output", TensorProto.FLOAT16, ["N", 4, 6, 6])], opset=15, ir=8)
    x = _fp16_input(r, BATCH)
    folds = ["kept: the folded Conv weight would overflow float16 (channel 1): backward into convA and, through reluA, "
             "forward into convB alike", "backward into convB"]
    desc = ("float16 Conv -> BN (float32 scale/B/mean/var, opset 15) whose channel 1 has var 1e-8 and gamma 1 "
            "(s = 316) while ConvA's weight on that channel reaches 300 and ConvB's weight reading it 240: folding "
            "backward would write 94,800 and scaling forward through the Relu 75,900 into a float16 weight "
            "(max 65504; also after BN_B is folded into ConvB, whose channel-0 scale is 1.34), so the BN must be kept; -> Relu "
            "-> float16 Conv1x1 -> BN folds backward. The model's own float16 values stay finite: the 300 reads an input channel of ~1e-4 values, so BN_A's "
            "output stays within about +-11 and the model's output within about +-2700")
    return m, x, folds, desc, "issue 14: float16 overflow"


def _fp16_input(r, n):
    x = r.uniform(-1, 1, (n, 3, 6, 6))
    x[:, 2] *= 1e-4  # the input channel ConvA's 300 reads: tiny, so (x*w - mean)*s stays small
    return x.astype(np.float16)


# ----------------------------------------------------------------------------- 4. BN inside a Scan body

def scan_body_bn():
    B = Builder(1414)
    r = B.rng
    w = (r.standard_normal((8, 6)) * 0.4).astype(np.float32)
    b = (r.standard_normal(6) * 0.1).astype(np.float32)
    params = [p.astype(np.float32) for p in B.bn_params(6)]
    eps = 1e-5
    B.const("scan.W", w)
    B.const("scan.b", b)
    bn_in = bn_inputs(B, "scan.bn", params)
    B.const("state0", np.zeros((SCAN_BATCH, 6), np.float32))

    body_nodes = [
        helper.make_node("MatMul", ["x_t", "scan.W"], ["body_mm"], name="body/MatMul"),
        helper.make_node("Add", ["body_mm", "scan.b"], ["body_lin"], name="body/Add"),
        helper.make_node("BatchNormalization", ["body_lin"] + bn_in, ["body_bn"], name="body/bn", epsilon=eps),
        helper.make_node("Relu", ["body_bn"], ["h"], name="body/Relu"),
        helper.make_node("Add", ["state_in", "h"], ["state_out"], name="body/state_add"),
    ]
    body = helper.make_graph(
        body_nodes, "scan_body",
        [helper.make_tensor_value_info("state_in", TensorProto.FLOAT, [SCAN_BATCH, 6]),
         helper.make_tensor_value_info("x_t", TensorProto.FLOAT, [SCAN_BATCH, 8])],
        [helper.make_tensor_value_info("state_out", TensorProto.FLOAT, [SCAN_BATCH, 6]),
         helper.make_tensor_value_info("h", TensorProto.FLOAT, [SCAN_BATCH, 6])])
    # The scan output "sequence" (the stacked h) is not a graph output: the test harnesses evaluate models with
    # exactly one output (ReferenceEvaluator.EvaluateSingle in tests/Folding/Rules/BackwardModelTests.cs).
    scan = helper.make_node("Scan", ["state0", "input"], ["output", "sequence"], name="scan", body=body,
                            num_scan_inputs=1)
    m = make_model(B, "scan_body_bn",
                   [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["T", SCAN_BATCH, 8])],
                   [helper.make_tensor_value_info("output", TensorProto.FLOAT, [SCAN_BATCH, 6])],
                   opset=13, ir=7, nodes=[scan])
    x = r.standard_normal((T_STEPS, SCAN_BATCH, 8)).astype(np.float32)

    # Reference: the model's math written out, float64.
    gamma, beta, mean, var = (p.astype(np.float64) for p in params)
    s = gamma / np.sqrt(var + np.float64(np.float32(eps)))
    state = np.zeros((SCAN_BATCH, 6))
    seq = []
    for t in range(T_STEPS):
        z = x[t].astype(np.float64) @ w.astype(np.float64) + b.astype(np.float64)
        hh = np.maximum((z - mean) * s + beta, 0.0)
        state = state + hh
        seq.append(hh)
    ref, ref_seq = state.astype(np.float32), np.stack(seq).astype(np.float32)

    # Cross-check: run the body graph itself with the numpy evaluator, one step at a time, outer initializers in scope.
    outer = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    st, hs = outer["state0"], []
    for t in range(T_STEPS):
        vals = dict(outer, state_in=st, x_t=x[t])
        for node in body.node:
            vals.update(zip(node.output, np_onnx.run_node(node, vals)))
        st = vals["state_out"]
        hs.append(vals["h"])
    np_seq = np.stack(hs)
    seq_diff = float(np.max(np.abs(np_seq.astype(np.float64) - ref_seq)))
    assert seq_diff <= common.tolerance(ref_seq), seq_diff
    assert np.any(ref_seq > 0) and np.any(ref_seq == 0), "Relu should both pass and clip something"
    folds = ["backward into body/MatMul + body/Add"]  # the MatMul+Add in the Scan body
    desc = (f"Scan (opset 13: one state [2,6], one scan input, scan axis 0 forward) over input [T,2,8] (T = {T_STEPS} "
            "in the test data): the body computes h = Relu(BN(MatMul(x_t, W) + b)), state += h, scan output h; W, b "
            "and the BN parameters are main-graph initializers the body reads from the outer scope. The body's BN "
            "folds backward into the MatMul+Add. Graph output: the final state (the scan output, the stacked h, is left "
            "unused)")
    return m, x, ref, ref_seq, st, folds, desc


def frozen_batchnorm_block():
    """torchvision's FrozenBatchNorm2d (what its detection and segmentation models use with pretrained weights)
    exported without constant folding: each BN is x·scale + shift with scale and shift computed in the graph from
    the four buffers (Add eps, Sqrt, Reciprocal, Mul, Sub, Reshape), and no BatchNormalization node."""
    import torch
    from torchvision.ops.misc import FrozenBatchNorm2d

    torch.manual_seed(1415)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1, bias=False), FrozenBatchNorm2d(8), torch.nn.ReLU(),
                              torch.nn.Conv2d(8, 4, 1, bias=False), FrozenBatchNorm2d(4))
    for bn in (net[1], net[4]):
        common.randomize_bn(bn)
    net.eval()
    x = torch.randn(BATCH, 3, 6, 6)
    name = "synth_frozen_batchnorm"
    path, xs, ref = common.export_eval(net, x, name, constant_folding=False)
    ops = [n.op_type for n in onnx.load(path).graph.node]
    assert "BatchNormalization" not in ops and "Sqrt" in ops, ops
    np_out = np_onnx.run_model(onnx.load(path), {"input": xs})["output"]
    return name, common.pattern_entry(
        name, "torchvision FrozenBatchNorm2d exported without constant folding: Conv3x3 -> x*scale + shift -> Relu -> "
              "Conv1x1 -> x*scale + shift, scale = w/sqrt(var + eps) and shift = b - mean*scale computed in the graph "
              "from the buffers; both Mul+Add fold backward into their Conv once the computed parameters are "
              "evaluated, and the arithmetic that computed them goes (no BatchNormalization node: the two folds are "
              "Mul+Add fates)", ref, [], "issue 14: parameters computed from initializers", "PyTorch eval output",
        independent=np_out)


def main():
    entries = {}
    name, entries[name] = frozen_batchnorm_block()
    for name, fn in (("synth_ir3_initializer_inputs", ir3_initializer_inputs),
                     ("synth_bn_bn_chain_kept", bn_bn_chain_kept),
                     ("synth_fp16_overflow_bn", fp16_overflow_bn)):
        model, x, folds, desc, pattern = fn()
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, os.path.join(common.MODELS, name + ".onnx"))
        ref = np_onnx.run_model(model, {"input": x})["output"]
        common.write_test_data(name, [("input", x)], [("output", ref)])
        entries[name] = common.pattern_entry(name, desc, ref, folds, pattern, "numpy evaluator export/np_onnx.py", independent=ref)
        if ref.dtype == np.float16:
            # what a runtime that keeps the intermediates in float32 (no float16 rounding between ops) gets
            f32 = onnx.load(os.path.join(common.MODELS, name + ".onnx"))
            unrounded = _float32_evaluation(f32, x)
            d = float(np.max(np.abs(unrounded - ref.astype(np.float64))))
            assert d <= common.tolerance(ref), d
            print(f"    float16 reference: max|output| {float(np.max(np.abs(ref.astype(np.float32)))):.4g}, "
                  f"vs float32 intermediates {d:.3g} (tolerance {common.tolerance(ref):.3g})")

    name = "synth_scan_body_bn"
    model, x, ref, ref_seq, np_final, folds, desc = scan_body_bn()
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(common.MODELS, name + ".onnx"))
    common.write_test_data(name, [("input", x)], [("output", ref)])
    entries[name] = common.pattern_entry(
        name, desc, ref, folds, "issue 14: BN inside a Scan body",
        "explicit float64 numpy loop (export/issue14_edge_patterns.py), cross-checked by evaluating the Scan body with "
        "export/np_onnx.py", independent=np_final)

    common.add_to_manifest(entries)


def _float32_evaluation(model, x):
    """Evaluate a float16 model with every tensor widened to float32 first (no rounding between ops)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    for t in m.graph.initializer:
        if t.data_type == TensorProto.FLOAT16:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float32), t.name))
    return np_onnx.run_model(m, {"input": x.astype(np.float32)})["output"].astype(np.float64)


if __name__ == "__main__":
    main()
