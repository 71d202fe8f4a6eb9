#!/usr/bin/python3
"""Regenerate every example model in models/ (deterministic, fixed seeds).

    /usr/bin/python3 models/export/export_models.py            # everything (~5-10 min on 2 cores)
    /usr/bin/python3 models/export/export_models.py small_cnn_bn synth   # a subset

Needs Debian's python3-torch (1.13), python3-onnx (1.12), numpy and the real Fashion-MNIST
IDX files (Debian package dataset-fashion-mnist: /usr/share/datasets/fashion-mnist, override
with FASHION_MNIST_DIR). Use /usr/bin/python3: a pyenv `python3` on PATH has no torch.

For every model it writes models/<name>.onnx and models/<name>/test_data_set_0/{input_0,output_0}.pb
(ONNX TensorProto, backend-test layout), then models/manifest.json and models/README.md.

Torch models: trained on Fashion-MNIST (pixels/255, input [N,1,28,28] "input", output "output",
dynamic batch axis "N"), then exported from eval mode with
torch.onnx.export(..., training=TrainingMode.PRESERVE, do_constant_folding=False, opset_version=13)
so every BatchNormalization node is kept. BN setup: gamma ~ U(0.5,1.5) and beta ~ N(0,0.2) are
drawn at construction and frozen during training (so they are exactly those values in the file);
after training the running mean/var are re-estimated as the exact average (momentum=None) over
20 train-mode batches of 64 training images, then momentum is set back to 0.1 for export.

Every export is checked with onnx.checker (full_check), its BN count asserted, evaluated with the
numpy evaluator np_onnx.py against torch's output, and every expected fold in the manifest is
applied numerically (fold_check.py) and compared against the reference output.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import synthetic_patterns  # noqa: E402

torch.set_num_threads(2)
torch.use_deterministic_algorithms(True)


# ----------------------------------------------------------------------------- models

def bn1d(n):
    return nn.BatchNorm1d(n)


class MlpBnAfterAct(nn.Module):
    """Hands-On ML ch.11: Flatten, BN, Dense300 relu, BN, Dense100 relu, BN, Dense10 softmax."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.bn0 = bn1d(784)
        self.fc1 = nn.Linear(784, 300)
        self.act1 = nn.ReLU()
        self.bn1 = bn1d(300)
        self.fc2 = nn.Linear(300, 100)
        self.act2 = nn.ReLU()
        self.bn2 = bn1d(100)
        self.fc3 = nn.Linear(100, 10)
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x):
        x = self.bn0(self.flatten(x))
        x = self.bn1(self.act1(self.fc1(x)))
        x = self.bn2(self.act2(self.fc2(x)))
        return self.fc3(x)

    def forward(self, x):
        return self.softmax(self.logits(x))


class MlpBnBeforeAct(nn.Module):
    """Hands-On ML ch.11 second variant: BN before the activation, bias-free Dense before BN."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.bn0 = bn1d(784)
        self.fc1 = nn.Linear(784, 300, bias=False)
        self.bn1 = bn1d(300)
        self.act1 = nn.ELU()
        self.fc2 = nn.Linear(300, 100, bias=False)
        self.bn2 = bn1d(100)
        self.act2 = nn.ELU()
        self.fc3 = nn.Linear(100, 10)
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x):
        x = self.bn0(self.flatten(x))
        x = self.act1(self.bn1(self.fc1(x)))
        x = self.act2(self.bn2(self.fc2(x)))
        return self.fc3(x)

    def forward(self, x):
        return self.softmax(self.logits(x))


class SmallCnnBn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=True)     # 28x28, with bias
        self.bn1 = nn.BatchNorm2d(16)
        self.relu1 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)                                # -> 14x14
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)   # 14x14, no bias
        self.bn2 = nn.BatchNorm2d(32)
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv2d(32, 32, 3, stride=2, padding=0, bias=False)  # -> 6x6, no padding
        self.bn3 = nn.BatchNorm2d(32)
        self.relu3 = nn.ReLU()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(32, 10)
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x):
        x = self.pool(self.relu1(self.bn1(self.conv1(x))))
        x = self.relu2(self.bn2(self.conv2(x)))
        x = self.relu3(self.bn3(self.conv3(x)))
        return self.fc(self.flatten(self.gap(x)))

    def forward(self, x):
        return self.softmax(self.logits(x))


class CnnDynamicView(nn.Module):
    """The classic hand-written CNN head: x.view(x.size(0), -1) instead of nn.Flatten, after Conv -> ReLU -> BN.
    With a dynamic batch axis the exporter computes the view's shape at run time (Shape -> Gather -> Unsqueeze ->
    Concat -> Reshape), so the last BN reaches the Linear through that Reshape and is also read by the Shape."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, stride=2)      # -> 13x13
        self.bn1 = nn.BatchNorm2d(8)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2)     # -> 6x6
        self.relu2 = nn.ReLU()
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16 * 6 * 6, 10)
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x):
        x = self.relu1(self.bn1(self.conv1(x)))
        x = self.bn2(self.relu2(self.conv2(x)))
        return self.fc(x.view(x.size(0), -1))

    def forward(self, x):
        return self.softmax(self.logits(x))


class Bottleneck(nn.Module):
    """keras.applications.resnet50 conv_block (projection=True) / identity_block.
    Convs have biases as in Keras (use_bias defaults to True there)."""

    def __init__(self, cin, filters, stride=1, projection=False):
        super().__init__()
        f1, f2, f3 = filters
        self.conv_a = nn.Conv2d(cin, f1, 1, stride=stride)
        self.bn_a = nn.BatchNorm2d(f1)
        self.relu_a = nn.ReLU()
        self.conv_b = nn.Conv2d(f1, f2, 3, padding=1)
        self.bn_b = nn.BatchNorm2d(f2)
        self.relu_b = nn.ReLU()
        self.conv_c = nn.Conv2d(f2, f3, 1)
        self.bn_c = nn.BatchNorm2d(f3)
        self.projection = projection
        if projection:
            self.conv_s = nn.Conv2d(cin, f3, 1, stride=stride)
            self.bn_s = nn.BatchNorm2d(f3)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.relu_a(self.bn_a(self.conv_a(x)))
        y = self.relu_b(self.bn_b(self.conv_b(y)))
        y = self.bn_c(self.conv_c(y))
        s = self.bn_s(self.conv_s(x)) if self.projection else x
        return self.relu(y + s)


class ResNetMini(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem_conv = nn.Conv2d(1, 16, 3, padding=1)
        self.stem_bn = nn.BatchNorm2d(16)
        self.stem_relu = nn.ReLU()
        self.stem_pool = nn.MaxPool2d(2)                              # 14x14
        self.b2a = Bottleneck(16, (8, 8, 32), stride=1, projection=True)
        self.b2b = Bottleneck(32, (8, 8, 32))
        self.b3a = Bottleneck(32, (16, 16, 64), stride=2, projection=True)  # 7x7
        self.b3b = Bottleneck(64, (16, 16, 64))
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, 10)
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x):
        x = self.stem_pool(self.stem_relu(self.stem_bn(self.stem_conv(x))))
        x = self.b3b(self.b3a(self.b2b(self.b2a(x))))
        return self.fc(self.flatten(self.gap(x)))

    def forward(self, x):
        return self.softmax(self.logits(x))


class ModelA(nn.Module):
    """Hands-On ML ch.11 transfer-learning 'model A': Dense 300-100-50-50-50 then Dense 8 softmax.
    ReLU activations (the book uses SELU + LeCun init); with_bn puts a BN between each Dense and ReLU."""

    def __init__(self, with_bn):
        super().__init__()
        self.flatten = nn.Flatten()
        sizes = [784, 300, 100, 50, 50, 50]
        self.fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.bns = nn.ModuleList(bn1d(b) for b in sizes[1:]) if with_bn else None
        self.acts = nn.ModuleList(nn.ReLU() for _ in sizes[1:])
        self.out = nn.Linear(50, 8)
        self.softmax = nn.Softmax(dim=1)

    def logits(self, x):
        x = self.flatten(x)
        for i, fc in enumerate(self.fcs):
            x = fc(x)
            if self.bns is not None:
                x = self.bns[i](x)
            x = self.acts[i](x)
        return self.out(x)

    def forward(self, x):
        return self.softmax(self.logits(x))


# ----------------------------------------------------------------------------- recipe

BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d)


def randomize_bn_affine(model, gen):
    for m in model.modules():
        if isinstance(m, BN_TYPES):
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)   # U(0.5, 1.5)
                m.bias.copy_(torch.randn(m.num_features, generator=gen) * 0.2)   # N(0, 0.2)
            m.weight.requires_grad_(False)
            m.bias.requires_grad_(False)


def calibrate_bn(model, x, gen, batches=20, batch_size=64):
    """Running stats := exact average of the batch statistics of `batches` train-mode batches."""
    bns = [m for m in model.modules() if isinstance(m, BN_TYPES)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    model.train()
    idx = torch.randperm(len(x), generator=gen)[:batches * batch_size]
    with torch.no_grad():
        for i in range(batches):
            model(torch.from_numpy(x[idx[i * batch_size:(i + 1) * batch_size].numpy()]))
    for m in bns:
        m.momentum = 0.1
    model.eval()


def train(model, x, y, gen, epochs, batch_size=64, lr=1e-3, limit=None):
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    n = len(x) if limit is None else min(limit, len(x))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=gen)[:n]
        total = 0.0
        for i in range(0, n, batch_size):
            b = perm[i:i + batch_size]
            opt.zero_grad()
            loss = loss_fn(model.logits(xt[b]), yt[b])
            loss.backward()
            opt.step()
            total += float(loss) * len(b)
        print(f"    epoch {ep + 1}/{epochs}: loss {total / n:.4f}", flush=True)


def accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            correct += int((model(torch.from_numpy(x[i:i + 1000])).argmax(1).numpy() == y[i:i + 1000]).sum())
    return correct / len(x)


def export(model, name):
    path = os.path.join(common.MODELS, name + ".onnx")
    model.eval()
    torch.onnx.export(
        model, torch.zeros(2, 1, 28, 28), path,
        input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "N"}, "output": {0: "N"}},
        opset_version=13, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    return path


TORCH_MODELS = {
    # name: (constructor, expected BN count, task A?, epochs, train limit, description)
    "fashion_mlp_bn_after_act": (MlpBnAfterAct, 3, False, 2, None,
                                 "Flatten -> BN(784) -> Linear(784,300) -> ReLU -> BN(300) -> Linear(300,100) -> ReLU "
                                 "-> BN(100) -> Linear(100,10) -> Softmax (Hands-On ML ch.11; BN after activations)"),
    "fashion_mlp_bn_before_act": (MlpBnBeforeAct, 3, False, 2, None,
                                  "Flatten -> BN(784) -> Linear(784,300,bias=False) -> BN -> ELU -> "
                                  "Linear(300,100,bias=False) -> BN -> ELU -> Linear(100,10) -> Softmax"),
    "small_cnn_bn": (SmallCnnBn, 3, False, 2, None,
                     "Conv3x3(1->16,pad1,bias) -> BN -> ReLU -> MaxPool2 -> Conv3x3(16->32,pad1,no bias) -> BN -> ReLU "
                     "-> Conv3x3(32->32,stride2,pad0,no bias) -> BN -> ReLU -> GlobalAveragePool -> Flatten -> "
                     "Linear(32,10) -> Softmax"),
    "resnet_mini": (ResNetMini, 15, False, 1, None,
                    "stem Conv3x3(1->16)+BN+ReLU+MaxPool2; stage 2: conv block (8,8,32; projection shortcut "
                    "Conv1x1+BN) + identity block; stage 3: conv block (16,16,64, stride 2) + identity block; "
                    "GlobalAveragePool -> Flatten -> Linear(64,10) -> Softmax (keras resnet50 bottlenecks, "
                    "convs with bias)"),
    "fashion_model_A": (lambda: ModelA(False), 0, True, 2, None,
                        "Hands-On ML ch.11 task-A model: Flatten -> [Linear -> ReLU] x5 (300,100,50,50,50) -> "
                        "Linear(50,8) -> Softmax; ReLU instead of the book's SELU"),
    "fashion_model_A_bn": (lambda: ModelA(True), 5, True, 2, None,
                           "task-A model with Linear -> BN -> ReLU x5 (300,100,50,50,50) -> Linear(50,8) -> Softmax"),
    "small_cnn_dynamic_view": (CnnDynamicView, 2, False, 2, None,
                               "Conv3x3(1->8,stride2) -> BN -> ReLU -> Conv3x3(8->16,stride2) -> ReLU -> BN -> "
                               "x.view(x.size(0), -1) -> Linear(576,10) -> Softmax"),
}


def build_torch_model(name, data, seed):
    ctor, n_bn, is_a, epochs, limit, desc = TORCH_MODELS[name]
    xtr, ytr, xte, yte = data
    if is_a:
        xtr, ytr = common.task_a(xtr, ytr)
        xte, yte = common.task_a(xte, yte)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = ctor()
    randomize_bn_affine(model, gen)
    t0 = time.time()
    train(model, xtr, ytr, gen, epochs, limit=limit)
    if n_bn:
        calibrate_bn(model, xtr, gen)
    model.eval()
    acc = accuracy(model, xte, yte)
    print(f"  {name}: test accuracy {acc:.4f} ({time.time() - t0:.0f}s)", flush=True)
    export(model, name)
    x8 = xte[:common.N_TEST_SAMPLES]
    with torch.no_grad():
        ref = model(torch.from_numpy(x8)).numpy()
    common.write_test_data(name, [("input", x8)], [("output", ref)])
    extra = {
        "test_accuracy": round(acc, 4),
        "test_set": (f"Fashion-MNIST test, task A subset (labels 5,6 removed; 7,8,9 -> 5,6,7), {len(xte)} images, 8 classes"
                     if is_a else f"Fashion-MNIST test, {len(xte)} images, 10 classes"),
        "training": {
            "seed": seed, "epochs": epochs, "batch_size": 64, "optimizer": "Adam lr 1e-3",
            "train_images": len(xtr) if limit is None else min(limit, len(xtr)),
            "pixels": "uint8/255, no mean subtraction",
            "bn": "gamma~U(0.5,1.5), beta~N(0,0.2) drawn at init and frozen; running stats = exact mean over "
                  "20 train-mode batches of 64 after training" if n_bn else "none",
        },
        "test_inputs": "first 8 images of the test set" + (" (task A subset)" if is_a else ""),
        "ref_labels": [int(v) for v in ref.argmax(1)],
        "true_labels": [int(v) for v in yte[:common.N_TEST_SAMPLES]],
        "output_kind": "softmax probabilities",
    }
    return common.describe(name, desc, {"input": x8}, ref, n_bn, extra)


# ----------------------------------------------------------------------------- README

README_HEAD = """# Example models

Generated by `export/export_models.py` (PyTorch {torch} / torchvision {tv} / onnx {onnx}, Debian packages)
and `export/synthetic_patterns.py` (hand-built with `onnx.helper`). Nothing here is hand-edited:
regenerate with

    /usr/bin/python3 models/export/export_models.py        # all models, manifest.json, README.md (~8-10 min on 2 idle cores)
    /usr/bin/python3 models/export/export_models.py synth  # only the synthetic graphs (seconds)

(`/usr/bin/python3`, not a pyenv `python3`: it needs Debian's python3-torch and python3-onnx.)
Seeds are fixed and torch runs with `use_deterministic_algorithms(True)` and 2 threads, so a rerun on
the same machine/packages reproduces the files: {determinism}

The PyTorch models are trained on the real Fashion-MNIST (`/usr/share/datasets/fashion-mnist`,
Debian package `dataset-fashion-mnist`; pixels/255, input `input` `[N,1,28,28]` float32, output
`output` `[N,10]` (task A: `[N,8]`) softmax probabilities, dynamic batch axis `N`) and exported
from eval mode with `torch.onnx.export(..., training=TrainingMode.PRESERVE,
do_constant_folding=False, opset_version=13)`, so every BatchNormalization node stays in the graph.
Every BN has gamma ~ U(0.5, 1.5), beta ~ N(0, 0.2) (drawn at init and frozen during training) and
running mean/var = the exact average of 20 train-mode batches, so dropping or mis-folding any BN
changes the outputs (see `bypass_max_diff` in the manifest).

Each `<model>/test_data_set_0/` holds `input_0.pb` and `output_0.pb` as ONNX TensorProto (the ONNX
backend-test layout): 8 real test images for the Fashion models (the first 8 of the test set, or of
the task-A test subset), random inputs for the synthetic graphs. Outputs are PyTorch's eval output
for torch models and the numpy evaluator's (`export/np_onnx.py`) for synthetic ones. Suggested pass
criterion: max |diff| <= 1e-4 * max(1, max|ref|) for float32 (1e-2 for float16); the manifest gives
it per model as `tolerance`.

| model | BN | folds (backward / forward / kept) | test accuracy | size | what it exercises |
|---|---|---|---|---|---|
"""

README_TAIL = """
Test accuracy is on the full 10,000-image Fashion-MNIST test set (task-A models: on the 8,000-image
task-A test subset: labels 5 sandal and 6 shirt removed, 7,8,9 relabelled 5,6,7). The MLPs and the
task-A models train 2 epochs, `small_cnn_bn` and `small_cnn_dynamic_view` 2 epochs, `resnet_mini` 1 epoch (Adam, batch 64),
so the accuracies are modest on purpose.

## manifest.json

Top level: generator, versions, export call, BN recipe, `models`. Per model (`models.<name>`):
`file`, `test_data`, `description`, `opset` ({{domain: version}}), `ir_version`, `producer`,
`inputs`/`outputs` (`name`, `dtype`, `shape` with `"N"` for the dynamic batch axis),
`parameters`, `size_bytes`, `sha256`, `num_batchnorm`, `op_counts`, `folds_expected`,
`bn_kept_expected`, `tolerance`, `numpy_vs_reference_max_diff`, `all_folds_max_diff`,
and for torch models `test_accuracy`, `test_set`, `training`, `ref_labels`, `true_labels`;
synthetic models have `test_accuracy: null` and `pattern`.
`batchnorm` is a list, one entry per BN node in graph order:

- `node`: the BN node name; `channels`, `input_rank`, `epsilon`, `attributes` (names present),
  `param_source` (`initializer` / `Constant`);
- `pattern`: `<producer op>->BN-><consumer op(s)>` (`input` / `output` for graph boundaries),
  `context`: one more node on each side;
- `fold`: `backward into <node>` (scale the producer's weights per output channel and fold the shift
  into its bias), `forward into <node>` (scale the consumer's weights per input channel and push the
  shift through them into its bias), or `kept: <reason>`;
- `notes`: e.g. "through <Transpose/Flatten node>", "MatMul has no bias: folding must add one";
- `folded_max_diff`: max |diff| vs the reference output after applying exactly that fold in numpy
  (`export/fold_check.py`), `bypass_max_diff`: max |diff| when the BN is simply deleted,
  `naive_forward_fold_max_diff` (kept BNs before a padded Conv): the error of folding it anyway.
`all_folds_max_diff` applies all expected folds at once. `synth_dense_affine_bn` also has
`affine_patterns` (the Keras-BN-as-Mul/Add chain, no BN node).

The expected folds are the conservative exact ones (see the docstring of `export/fold_check.py`):
backward is preferred; forward only into Gemm/MatMul (as the left operand) or an unpadded, ungrouped
Conv, optionally through a Flatten or PyTorch's dynamic `x.view(x.size(0), -1)` Reshape; everything else is kept.

## Synthetic graphs

`export/synthetic_patterns.py` builds patterns PyTorch does not emit, with random weights, random
BN statistics (gamma ~ U(0.5,1.5), beta ~ N(0,0.2), mean ~ N(0,0.5), var ~ U(0.25,2)) and random
inputs (N = 4); reference outputs come from the numpy evaluator, whose Conv1d / grouped, dilated,
strided Conv / ConvTranspose are cross-checked against torch.nn.functional when the script runs.

## Issue 14 graphs (computed shapes, Casts, NHWC)

`export/issue14_patterns.py` (run it after `export_models.py`, which rewrites the manifest) adds three models
and their manifest entries; the "fold" of each BN there is what OnnxBn is expected to do (fold_check.py does
not model these patterns), checked by the test suite against the fold report and the reference output.

| model | BN | folds (backward / forward / kept) | what it exercises |
|---|---|---|---|
| keras_flatten_mlp_bn | 2 | 2 / 0 / 0 | PyTorch, dynamic batch: `x.reshape(x.shape[0], 784)` (Shape→Gather→Unsqueeze→Concat→Reshape) → MatMul+Add → BN1d → Relu → MatMul+Add → BN1d; reference: PyTorch's output |
| synth_fp16_cast_conv_bn | 1 | 1 / 0 / 0 | float16 Conv weight/bias and BN scale/B/mean, each Cast to float before its reader |
| synth_nhwc_transpose_bn | 1 | 1 / 0 / 0 | NHWC: Conv → Transpose(0,2,3,1) → Keras BN as Mul+Add on the last axis (folds too); Conv → Transpose(0,1,3,2) → BN |

## Issue 14 graphs: BN inside control flow

`export/subgraph_patterns.py` (run it after `export_models.py`) exports two `torch.jit.script` modules with
`training=PRESERVE, do_constant_folding=False`, opset 13, so PyTorch writes real If and Loop nodes with the BNs
inside their sub-graphs (the weights and BN parameters stay main-graph initializers the sub-graphs read).
Reference outputs are PyTorch's eval outputs; both models run on ONNX Runtime 1.32 (`ExampleModelTests`).

| model | BN | folds (backward / forward / kept) | what it exercises |
|---|---|---|---|
| synth_if_branch_bn | 2 | 2 / 0 / 0 | `if x.sum() > 0`: Conv3x3 → BN in then_branch, Conv1x1 → BN in else_branch, then Relu |
| synth_loop_body_bn | 2 | 2 / 0 / 0 | `while i < 3`: Conv → BN → `if h.sum() > 0`: Conv1x1 → BN (an If nested in the Loop body) → Relu |

## Pre-activation BNs (the scale-through rule)

`export/issue14_preactivation.py` (run it after `export_models.py`) exports four small PyTorch graphs (eval,
opset 13, BN statistics randomised) with PyTorch's outputs as reference data. "Forward" here is the scale-through
fold: the BN becomes `Add(t/s)` before the activation and its scale `s` moves into the next Conv/Gemm.

| model | BN | folds (backward / forward / kept) | what it exercises |
|---|---|---|---|
| preact_resnet_block | 2 | 0 / 2 / 0 | pre-activation ResNet block: BN → ReLU → padded Conv (the stem output also feeds the residual Add), and a final BN → ReLU → GlobalAveragePool → Flatten → Linear |
| densenet_tail | 2 | 0 / 2 / 0 | a DenseNet layer and tail: BN → ReLU → Conv1x1, and BN after the Concat → ReLU → GlobalAveragePool → Flatten → Linear |
| preact_leaky_block | 1 | 0 / 1 / 0 | BN → LeakyReLU(0.1) → padded Conv, the BN input also feeding a residual Add |
| preact_negative_gamma | 1 | 0 / 0 / 1 | γ < 0 on channel 2 → ReLU → padded Conv: kept, the reason naming channel 2 and its scale |

## Issue 14 graphs: old IRs, kept chains, float16 safety, Scan, computed parameters

`export/issue14_edge_patterns.py` (run it after `export_models.py`) builds four small graphs with `onnx.helper`
(seeded: a rerun writes byte-identical files) and exports one PyTorch model. Reference outputs come from the numpy
evaluator (`export/np_onnx.py`); for the Scan model from the model's math written out as a float64 numpy loop,
cross-checked by evaluating the Scan body with the numpy evaluator step by step; for the PyTorch model from PyTorch.
All five run on ONNX Runtime 1.32 (`onnxbn run`).

    /usr/bin/python3 models/export/issue14_edge_patterns.py   # writes the models, test data and manifest entries

| model | BN | folds (backward / forward / kept) | what it exercises |
|---|---|---|---|
| synth_ir3_initializer_inputs | 2 | 2 / 0 / 0 | IR version 3, opset 7: every initializer is also a graph input (IR < 4 requires it; ONNX Runtime runs them as constants), Conv3x3 → BN → Relu → Conv1x1 (no bias) → BN |
| synth_bn_bn_chain_kept | 2 | 0 / 0 / 2 | BN → BN → Relu → MaxPool with no Conv/Gemm/MatMul anywhere: both stay BatchNormalization nodes (lowering to Mul/Add is opt-in) |
| synth_fp16_overflow_bn | 2 | 1 / 0 / 1 | float16 Conv → BN (float32 parameters, opset 15) with var 1e-8 on channel 1 (s = 316): folding it backward (weight 300) or scaling it through the Relu into the next Conv (weight 240) would overflow float16's 65504, so it is kept; that Conv1x1 → BN folds backward |
| synth_frozen_batchnorm | 0 | 0 / 0 / 0 | PyTorch: torchvision's FrozenBatchNorm2d after two Convs, exported without constant folding, so each "BN" is `x·scale + shift` with scale and shift computed in the graph (Add ε, Sqrt, Div, Mul, Sub, Reshape) and no BatchNormalization node: both Mul+Add fold backward once those are evaluated (39 → 3 nodes); reference: PyTorch's output |
| synth_scan_body_bn | 1 | 1 / 0 / 0 | Scan (one state, one scan input, axis 0): MatMul+Add → BN → Relu in the body, parameters read from the main graph; input [T,2,8] (T = 2 in the test data), output the final state |

## Benchmark model (not committed)

    /usr/bin/python3 models/export/export_resnet50.py /tmp/resnet50_bn.onnx

exports torchvision resnet50 (random init, BN stats randomised as above, eval, PRESERVE, opset 13,
input `input` [N,3,224,224], output `output` [N,1000]): {r50}

## Facts about the exporter (PyTorch 1.13 / onnx 1.12), observed on these graphs

{facts}
"""

FACTS = """- Eval-mode export with the default `training=TrainingMode.EVAL` fuses Conv+BN into the Conv (with or
  without constant folding), but keeps BatchNorm1d after Linear; `PRESERVE` on an eval-mode model keeps
  every BatchNormalization, with the running statistics as initializers and attributes `epsilon`
  (stored as float32, 9.99999975e-06) and `momentum` (0.9 = 1 - torch momentum). Opset 15 adds
  `training_mode=0` and needs IR version 8; opset 13 exports are IR version 7.
- Node names follow the module path: `/bn1/BatchNormalization`, `/b2a/bn_c/BatchNormalization`,
  `/fcs.0/Gemm`, `/bns.0/BatchNormalization`; initializers keep the state_dict names
  (`bn1.running_mean`, ...).
- `nn.Linear` with bias on a 2-D input exports as `Gemm` (transB=1, weight [out,in] as is).
  **Without bias it exports as `MatMul(x, Transpose(weight))`**: with `do_constant_folding=False` the
  `Transpose` (perm [1,0]) of the `fcN.weight` initializer stays in the graph as a node, so the MatMul's
  weight is *not* an initializer (with constant folding it becomes an initializer `onnx::MatMul_<n>`
  holding the transposed weight). A folder must constant-fold that Transpose (or fold through it).
- `nn.Linear` on a 3-D input exports as `Transpose(weight)` + `MatMul` + `Add`, no Gemm.
- Identical initializers are deduplicated: a *freshly initialised* BN (gamma = running_var = 1,
  beta = running_mean = 0) exports with `running_var = Identity(weight)` and
  `running_mean = Identity(bias)`, i.e. BN inputs that are Identity outputs, not initializers.
  The committed models avoid this (randomised statistics), but a folder should look through Identity.
- `nn.Flatten` exports as `Flatten(axis=1)`, `AdaptiveAvgPool2d(1)` as `GlobalAveragePool`,
  `nn.Softmax(dim=1)` as `Softmax(axis=1)`; the dynamic batch axis is `dim_param: "N"` on input and
  output, all other dims are fixed.
- BatchNorm1d on `[N,C]` exports as a rank-2 BatchNormalization (no Unsqueeze/Squeeze).
- `x.view(x.size(0), -1)` (and `x.reshape(x.shape[0], -1)`) with a dynamic batch axis exports as
  `Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), Unsqueeze(Constant -1)))` at opsets 9-17 (Unsqueeze's
  axes an attribute up to opset 12, a Constant input from 13); with constant folding the `-1` becomes a
  Constant `[-1]`. Without `dynamic_axes` the traced batch size is baked in as a Constant instead of the
  Shape→Gather.
- The first BN of the MLPs sits on raw pixels: some border pixels are 0 in all 1,280 calibration
  images, so their running variance is exactly 0 and gamma/sqrt(var+eps) reaches ~440. The fold is
  still exact, but forward-folding it multiplies Gemm/MatMul weight columns by up to ~440 — a
  numerically sharp (and honest) test case.
- onnx 1.12's checker (full_check) accepts BN-15 with float16 X/Y and float32 scale/B/mean/var.
"""


DETERMINISM = ("the synthetic graphs and their test data were checked byte-identical across two runs; "
               "byte-identity of the trained models across runs has not been verified yet (the machine was too "
               "busy for a second full training run), so compare `sha256` in manifest.json if it matters.")


def write_readme(manifest, r50):
    rows = []
    for name, m in manifest["models"].items():
        if "exercises" not in m:
            # an issue-14 model (issue14_*.py, subgraph_patterns.py) kept from the old manifest: its table is in README_TAIL
            continue
        folds = [b["fold"] for b in m["batchnorm"]]
        nb = sum(f.startswith("backward") for f in folds)
        nf = sum(f.startswith("forward") for f in folds)
        nk = sum(f.startswith("kept") for f in folds)
        acc = m.get("test_accuracy")
        acc = "—" if acc is None else (f"{acc:.4f} (task A)" if "task A" in m.get("test_set", "") else f"{acc:.4f}")
        size = f"{m['size_bytes'] / 1024:.0f} KB" if m["size_bytes"] >= 10240 else f"{m['size_bytes']} B"
        rows.append(f"| {name} | {m['num_batchnorm']} | {nb} / {nf} / {nk} | {acc} | {size} | {m['exercises']} |")
    import onnx as _onnx
    import torchvision
    text = README_HEAD.format(torch=torch.__version__, tv=torchvision.__version__, onnx=_onnx.__version__,
                              determinism=DETERMINISM) + "\n".join(rows) + "\n" + README_TAIL.format(r50=r50, facts=FACTS)
    with open(os.path.join(common.MODELS, "README.md"), "w") as f:
        f.write(text)


EXERCISES = {
    "fashion_mlp_bn_after_act": "Flatten→BN→Gemm and ReLU→BN→Gemm: every BN folds **forward** (into the next Gemm); "
                                "first BN has near-zero variances",
    "fashion_mlp_bn_before_act": "bias-free Linear exports as **MatMul** → BN → ELU: backward fold must add a bias; "
                                 "Flatten→BN→MatMul forward",
    "small_cnn_bn": "Conv→BN→ReLU with and without Conv bias, padded and strided convs, MaxPool, GlobalAveragePool",
    "resnet_mini": "bottleneck conv/identity blocks, Conv→BN→Add (residual) and projection-shortcut Conv→BN",
    "fashion_model_A": "no BN at all: folding must be a no-op (task-A base model for transfer to task B)",
    "fashion_model_A_bn": "five Gemm→BN→ReLU, backward into Gemm (transB=1)",
    "small_cnn_dynamic_view": "PyTorch's `x.view(x.size(0), -1)` after Conv→ReLU→BN: the BN reaches the Gemm through a "
                              "run-time Shape→Gather→Unsqueeze→Concat→Reshape and folds **forward** (each channel "
                              "repeats 6·6 = 36 times); Conv→BN→ReLU backward",
}


def main(argv):
    wanted = set(argv)
    run_all = not wanted
    t0 = time.time()
    mpath = os.path.join(common.MODELS, "manifest.json")
    old = json.load(open(mpath)) if os.path.exists(mpath) else {"models": {}}
    import onnx
    import onnx.numpy_helper
    import torchvision
    manifest = {
        "generator": "export/export_models.py (+ export/synthetic_patterns.py)",
        "regenerate": "/usr/bin/python3 models/export/export_models.py",
        "torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__,
        "numpy": np.__version__,
        "export": "torch.onnx.export(model.eval(), torch.zeros(2,1,28,28), input_names=['input'], output_names=['output'], "
                  "dynamic_axes={'input':{0:'N'},'output':{0:'N'}}, opset_version=13, "
                  "training=TrainingMode.PRESERVE, do_constant_folding=False)",
        "bn_setup": "gamma ~ U(0.5,1.5), beta ~ N(0,0.2) drawn at init and frozen during training; running mean/var = "
                    "exact average over 20 train-mode batches of 64 training images after training",
        "test_data": "<name>/test_data_set_0/input_0.pb, output_0.pb: onnx TensorProto named after the graph input/output",
        "data": f"Fashion-MNIST IDX files from {common.FASHION_DIR} (Debian dataset-fashion-mnist)",
        "tolerance_rule": "max|diff| <= 1e-4 * max(1, max|ref|) (float32), 1e-2 * ... (float16)",
        "models": {},
    }
    data = None
    describe_only = "--describe-only" in wanted
    for seed, name in enumerate(TORCH_MODELS, start=1):
        if describe_only and name in old["models"]:
            # re-check an existing export and rebuild its manifest entry (no training)
            o = old["models"][name]
            d = os.path.join(common.MODELS, name, "test_data_set_0")
            x8 = onnx.numpy_helper.to_array(onnx.load_tensor(os.path.join(d, "input_0.pb")))
            ref = onnx.numpy_helper.to_array(onnx.load_tensor(os.path.join(d, "output_0.pb")))
            keep = ("test_accuracy", "test_set", "training", "test_inputs", "ref_labels", "true_labels", "output_kind")
            entry = common.describe(name, TORCH_MODELS[name][5], {"input": x8}, ref, TORCH_MODELS[name][1],
                                    {k: o[k] for k in keep if k in o})
        elif run_all or name in wanted:
            if data is None:
                data = common.load_fashion()
            print(f"[{time.time() - t0:5.0f}s] {name}", flush=True)
            entry = build_torch_model(name, data, seed)
        elif name in old["models"]:
            entry = old["models"][name]
        else:
            continue
        entry["exercises"] = EXERCISES[name]
        manifest["models"][name] = entry
    if run_all or "synth" in wanted or describe_only:
        print(f"[{time.time() - t0:5.0f}s] synthetic patterns", flush=True)
        manifest["models"].update(synthetic_patterns.build_all())
    else:
        manifest["models"].update({k: v for k, v in old["models"].items() if k.startswith("synth_")})
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    write_readme(manifest, R50_NOTE)
    print(f"done in {time.time() - t0:.0f}s", flush=True)


R50_NOTE = ("53 BatchNormalization nodes (53 Conv, 16 Add, 49 Relu, 1 Gemm), 102,486,911 bytes (97.7 MiB); "
            "a few minutes on 2 cores")

if __name__ == "__main__":
    main(sys.argv[1:])
