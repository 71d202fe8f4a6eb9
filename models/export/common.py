"""Shared helpers: Fashion-MNIST loading, BN randomisation/calibration, training, export,
ONNX test-data writing and manifest entries."""
import collections
import gzip
import hashlib
import json
import os
import struct

import numpy as np
import onnx
from onnx import numpy_helper

import fold_check
import np_onnx

HERE = os.path.dirname(os.path.abspath(__file__))
# Output directory (default: models/). MODELS_OUT=/tmp/x regenerates elsewhere, e.g. to compare hashes.
MODELS = os.environ.get("MODELS_OUT") or os.path.dirname(HERE)
os.makedirs(MODELS, exist_ok=True)
FASHION_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
N_TEST_SAMPLES = 8


# ----------------------------------------------------------------------------- data

def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, path
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion():
    """Returns (x_train, y_train, x_test, y_test); x float32 [N,1,28,28] in [0,1], y int64."""
    def load(prefix):
        x = _read_idx(os.path.join(FASHION_DIR, f"{prefix}-images-idx3-ubyte.gz"))
        y = _read_idx(os.path.join(FASHION_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
        return (x.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28), y.astype(np.int64)
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    return xtr, ytr, xte, yte


def task_a(x, y):
    """Hands-On ML ch.11 task A: drop sandals (5) and shirts (6); relabel 7,8,9 -> 5,6,7."""
    keep = (y != 5) & (y != 6)
    x, y = x[keep], y[keep].copy()
    y[y > 6] -= 2
    return x, y


# ----------------------------------------------------------------------------- files

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def write_test_data(model_name, inputs, outputs):
    """inputs/outputs: lists of (tensor name, np array). ONNX backend-test layout."""
    d = os.path.join(MODELS, model_name, "test_data_set_0")
    os.makedirs(d, exist_ok=True)
    for kind, items in (("input", inputs), ("output", outputs)):
        for i, (name, arr) in enumerate(items):
            t = numpy_helper.from_array(np.ascontiguousarray(arr), name)
            with open(os.path.join(d, f"{kind}_{i}.pb"), "wb") as f:
                f.write(t.SerializeToString())
    return os.path.relpath(d, MODELS)


def _dtype_name(elem_type):
    return onnx.TensorProto.DataType.Name(elem_type).lower()


def _io(vis):
    out = []
    for vi in vis:
        t = vi.type.tensor_type
        out.append({"name": vi.name, "dtype": _dtype_name(t.elem_type),
                    "shape": [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]})
    return out


def tolerance(ref):
    scale = max(1.0, float(np.max(np.abs(ref.astype(np.float64)))))
    return (1e-2 if ref.dtype == np.float16 else 1e-4) * scale


def describe(model_name, description, feeds, ref, expected_bn, extra=None, check_ref=True):
    """Check the saved model and build its manifest entry.

    feeds: {input name: array}; ref: reference output array (first graph output).
    Verifies: onnx.checker (full), BN count, the numpy evaluation against ref, and every
    expected fold numerically (fold_check)."""
    path = os.path.join(MODELS, model_name + ".onnx")
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    ops = collections.Counter(n.op_type for n in model.graph.node)
    n_bn = ops.get("BatchNormalization", 0)
    assert n_bn == expected_bn, f"{model_name}: {n_bn} BNs, expected {expected_bn}"
    tol = tolerance(ref)
    np_out = np_onnx.run_model(model, feeds)[model.graph.output[0].name]
    np_diff = float(np.max(np.abs(np_out.astype(np.float64) - ref.astype(np.float64))))
    if check_ref:
        assert np_diff <= tol, f"{model_name}: numpy evaluation differs from reference by {np_diff}"
    bns = fold_check.classify(model)
    per_bn, all_diff, remaining = fold_check.verify(model, feeds, ref, bns)
    for b in bns:
        r = per_bn[b["node"]]
        b["bypass_max_diff"] = round(r["bypass_max_diff"], 6)
        if "folded_max_diff" in r:
            b["folded_max_diff"] = float(f"{r['folded_max_diff']:.3g}")
            assert r["folded_max_diff"] <= tol, f"{model_name}/{b['node']}: fold {b['fold']} off by {r['folded_max_diff']}"
        if "naive_forward_fold_max_diff" in r:
            b["naive_forward_fold_max_diff"] = round(r["naive_forward_fold_max_diff"], 6)
            assert r["naive_forward_fold_max_diff"] > 10 * tol, "padded-conv forward fold unexpectedly harmless"
        assert r["bypass_max_diff"] > 10 * tol, f"{model_name}/{b['node']}: BN too trivial ({r['bypass_max_diff']})"
    assert all_diff <= tol, f"{model_name}: all folds together off by {all_diff}"
    params = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    entry = {
        **_identity(model, model_name, description),
        "inputs": _io(model.graph.input[:len(feeds)] if len(model.graph.input) == len(feeds) else
                      [i for i in model.graph.input if i.name in feeds]),
        "outputs": _io(model.graph.output),
        "parameters": params,
        "size_bytes": os.path.getsize(path),
        "sha256": sha256(path),
        "num_batchnorm": n_bn,
        "op_counts": dict(sorted(ops.items())),
        "batchnorm": bns,
        "folds_expected": sum(1 for b in bns if not b["fold"].startswith("kept")),
        "bn_kept_expected": sum(1 for b in bns if b["fold"].startswith("kept")),
        "all_folds_max_diff": float(f"{all_diff:.3g}"),
        "numpy_vs_reference_max_diff": float(f"{np_diff:.3g}"),
        "tolerance": float(f"{tol:.3g}"),
    }
    if extra:
        entry.update(extra)
    return entry


# ----------------------------------------------------------------------------- pattern models (issue 14 scripts)

def batchnorms(graph):
    """The BatchNormalization nodes of graph and of its sub-graphs, in graph order (a node's sub-graphs right after it)."""
    found = []
    for node in graph.node:
        if node.op_type == "BatchNormalization":
            found.append(node)
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                found.extend(batchnorms(attribute.g))
    return found


def _identity(model, name, description):
    """The fields every manifest entry starts with: where the model and its test data are, and what it is."""
    return {
        "file": name + ".onnx",
        "test_data": os.path.join(name, "test_data_set_0"),
        "description": description,
        "opset": {(o.domain or "ai.onnx"): o.version for o in model.opset_import},
        "ir_version": model.ir_version,
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
    }


def pattern_entry(name, description, ref, folds, pattern, reference, independent=None, with_io=False):
    """The manifest entry of a pattern model already saved as models/<name>.onnx, after checking it: onnx's full
    check, a finite reference, one fold expectation (backward/forward/kept ...) per BN of any scope, and, when
    `independent` (an evaluation of the model computed another way than ref) is given, that it agrees with ref within
    the tolerance (recorded as numpy_vs_reference_max_diff)."""
    model = onnx.load(os.path.join(MODELS, name + ".onnx"))
    onnx.checker.check_model(model, full_check=True)
    assert np.all(np.isfinite(ref.astype(np.float64))), f"{name}: reference output is not finite"
    bns = batchnorms(model.graph)
    assert len(bns) == len(folds), f"{name}: {len(bns)} BNs, {len(folds)} expectations"
    assert all(f.startswith(("backward", "forward", "kept")) for f in folds), folds
    tol = tolerance(ref)
    entry = _identity(model, name, description)
    if with_io:
        entry["inputs"] = _io(model.graph.input)
        entry["outputs"] = _io(model.graph.output)
    entry["num_batchnorm"] = len(bns)
    entry["batchnorm"] = [{"node": n.name, "fold": f} for n, f in zip(bns, folds)]
    if independent is not None:
        diff = float(np.max(np.abs(independent.astype(np.float64) - ref.astype(np.float64))))
        assert diff <= tol, f"{name}: the independent evaluation differs from the reference by {diff}"
        entry["numpy_vs_reference_max_diff"] = diff
    entry.update({"tolerance": float(f"{tol:.3g}"), "test_accuracy": None, "pattern": pattern, "reference": reference})
    return entry


def add_to_manifest(entries):
    """Adds (or replaces) entries in models/manifest.json, leaving every other model's entry as it is."""
    path = os.path.join(MODELS, "manifest.json")
    with open(path) as f:
        manifest = json.load(f)
    manifest["models"].update(entries)
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    for name, e in entries.items():
        print(f"  {name}: {e['num_batchnorm']} BN, tolerance {e['tolerance']}")


def randomize_bn(bn):
    """Running statistics and affine parameters a trained BN could have (all distinct, so no two get merged), drawn
    from torch's global generator in this order: mean ~ N(0, 0.5), var ~ U(0.25, 2), gamma ~ U(0.5, 1.5),
    beta ~ N(0, 0.2)."""
    import torch
    with torch.no_grad():
        bn.running_mean.normal_(0, 0.5)
        bn.running_var.uniform_(0.25, 2.0)
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.normal_(0, 0.2)


def export_eval(net, x, name, constant_folding):
    """Exports the eval-mode torch module `net` on input `x` as models/<name>.onnx (opset 13, input `input` and output
    `output` with a dynamic batch axis N) and writes x and PyTorch's output as its test data; returns (path, x, ref)
    as numpy arrays."""
    import torch
    path = os.path.join(MODELS, name + ".onnx")
    torch.onnx.export(net, x, path, input_names=["input"], output_names=["output"], opset_version=13,
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=constant_folding)
    with torch.no_grad():
        ref = net(x).numpy()
    xs = x.numpy()
    write_test_data(name, [("input", xs)], [("output", ref)])
    return path, xs, ref
