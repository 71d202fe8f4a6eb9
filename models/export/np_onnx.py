"""A tiny, slow, numpy-only evaluator for the ONNX operators used by the example models.

It exists so the generator can (a) compute reference outputs for the synthetic graphs,
(b) cross-check every PyTorch export against PyTorch's own output (no onnxruntime here),
and (c) verify the expected folds recorded in manifest.json by actually folding in numpy.

Semantics follow the ONNX operator spec for the attribute subsets we emit. Reduced
precision tensors (float16) are computed in float32 and rounded back to float16 after
each operator, which is what most runtimes effectively do for these ops.
"""
import itertools

import numpy as np
from onnx import numpy_helper


def _attrs(node):
    out = {}
    for a in node.attribute:
        if a.type == a.FLOAT:
            out[a.name] = a.f
        elif a.type == a.INT:
            out[a.name] = a.i
        elif a.type == a.INTS:
            out[a.name] = list(a.ints)
        elif a.type == a.FLOATS:
            out[a.name] = list(a.floats)
        elif a.type == a.STRING:
            out[a.name] = a.s.decode()
        elif a.type == a.TENSOR:
            out[a.name] = numpy_helper.to_array(a.t)
        else:
            raise NotImplementedError(f"attribute type {a.type} ({a.name})")
    return out


def _f32(x):
    return x.astype(np.float32) if x.dtype == np.float16 else x


def _like(y, x):
    """Round the result back to x's dtype (float16 stays float16)."""
    return y.astype(x.dtype)


def _conv(x, w, b, a):
    x32, w32 = _f32(x), _f32(w)
    nsp = x.ndim - 2
    k = w.shape[2:]
    strides = a.get("strides", [1] * nsp)
    dil = a.get("dilations", [1] * nsp)
    pads = a.get("pads", [0] * (2 * nsp))
    group = a.get("group", 1)
    if a.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise NotImplementedError("auto_pad")
    xp = np.pad(x32, [(0, 0), (0, 0)] + [(pads[i], pads[i + nsp]) for i in range(nsp)])
    out_sp = [(xp.shape[2 + i] - dil[i] * (k[i] - 1) - 1) // strides[i] + 1 for i in range(nsp)]
    n, cin = x.shape[:2]
    cout = w.shape[0]
    cin_g, cout_g = cin // group, cout // group
    y = np.zeros((n, cout, *out_sp), np.float32)
    for g in range(group):
        xg = xp[:, g * cin_g:(g + 1) * cin_g]
        wg = w32[g * cout_g:(g + 1) * cout_g]
        for off in itertools.product(*[range(kk) for kk in k]):
            sl = tuple(slice(off[i] * dil[i], off[i] * dil[i] + strides[i] * (out_sp[i] - 1) + 1, strides[i])
                       for i in range(nsp))
            patch = xg[(slice(None), slice(None)) + sl]  # n, cin_g, *out_sp
            wk = wg[(slice(None), slice(None)) + tuple(off)]  # cout_g, cin_g
            y[:, g * cout_g:(g + 1) * cout_g] += np.einsum("nc...,oc->no...", patch, wk)
    if b is not None:
        y += _f32(b).reshape((1, -1) + (1,) * nsp)
    return _like(y, x)


def _conv_transpose(x, w, b, a):
    x32, w32 = _f32(x), _f32(w)
    nsp = x.ndim - 2
    k = w.shape[2:]
    strides = a.get("strides", [1] * nsp)
    dil = a.get("dilations", [1] * nsp)
    pads = a.get("pads", [0] * (2 * nsp))
    opad = a.get("output_padding", [0] * nsp)
    group = a.get("group", 1)
    if "output_shape" in a or a.get("auto_pad", "NOTSET") != "NOTSET":
        raise NotImplementedError("ConvTranspose output_shape/auto_pad")
    n, cin = x.shape[:2]
    cin_g = cin // group
    cout_g = w.shape[1]
    cout = cout_g * group
    in_sp = x.shape[2:]
    full = [(in_sp[i] - 1) * strides[i] + (k[i] - 1) * dil[i] + 1 + opad[i] for i in range(nsp)]
    y = np.zeros((n, cout, *full), np.float32)
    for g in range(group):
        xg = x32[:, g * cin_g:(g + 1) * cin_g]
        wg = w32[g * cin_g:(g + 1) * cin_g]  # cin_g, cout_g, *k
        for off in itertools.product(*[range(kk) for kk in k]):
            wk = wg[(slice(None), slice(None)) + tuple(off)]  # cin_g, cout_g
            contrib = np.einsum("nc...,co->no...", xg, wk)
            sl = tuple(slice(off[i] * dil[i], off[i] * dil[i] + strides[i] * (in_sp[i] - 1) + 1, strides[i])
                       for i in range(nsp))
            y[(slice(None), slice(g * cout_g, (g + 1) * cout_g)) + sl] += contrib
    crop = tuple(slice(pads[i], full[i] - pads[i + nsp]) for i in range(nsp))
    y = y[(slice(None), slice(None)) + crop]
    if b is not None:
        y = y + _f32(b).reshape((1, -1) + (1,) * nsp)
    return _like(y, x)


def _maxpool(x, a):
    nsp = x.ndim - 2
    k = a["kernel_shape"]
    strides = a.get("strides", [1] * nsp)
    pads = a.get("pads", [0] * (2 * nsp))
    if a.get("ceil_mode", 0) or any(d != 1 for d in a.get("dilations", [1] * nsp)):
        raise NotImplementedError("MaxPool ceil_mode/dilations")
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[i + nsp]) for i in range(nsp)], constant_values=-np.inf)
    out_sp = [(xp.shape[2 + i] - k[i]) // strides[i] + 1 for i in range(nsp)]
    y = np.full(x.shape[:2] + tuple(out_sp), -np.inf, x.dtype)
    for off in itertools.product(*[range(kk) for kk in k]):
        sl = tuple(slice(off[i], off[i] + strides[i] * (out_sp[i] - 1) + 1, strides[i]) for i in range(nsp))
        y = np.maximum(y, xp[(slice(None), slice(None)) + sl])
    return y


def _batchnorm(x, scale, bias, mean, var, a):
    if a.get("training_mode", 0):
        raise NotImplementedError("training_mode=1")
    eps = a.get("epsilon", 1e-5)
    shp = (1, -1) + (1,) * (x.ndim - 2)
    x32 = _f32(x)
    s = (_f32(scale) / np.sqrt(_f32(var) + np.float32(eps))).astype(np.float32)
    y = (x32 - _f32(mean).reshape(shp)) * s.reshape(shp) + _f32(bias).reshape(shp)
    return _like(y, x)


def _gemm(A, B, C, a):
    A32, B32 = _f32(A), _f32(B)
    if a.get("transA", 0):
        A32 = A32.T
    if a.get("transB", 0):
        B32 = B32.T
    y = np.float32(a.get("alpha", 1.0)) * (A32 @ B32)
    if C is not None:
        y = y + np.float32(a.get("beta", 1.0)) * _f32(C)
    return _like(y, A)


def _softmax(x, axis):
    x32 = _f32(x)
    e = np.exp(x32 - x32.max(axis=axis, keepdims=True))
    return _like(e / e.sum(axis=axis, keepdims=True), x)


def run_node(node, vals):
    op = node.op_type
    a = _attrs(node)
    ins = [vals[i] if i else None for i in node.input]
    x = ins[0] if ins else None
    if op == "Constant":
        return [a["value"]]
    if op == "Identity":
        return [x]
    if op == "Flatten":
        ax = a.get("axis", 1)
        return [x.reshape(int(np.prod(x.shape[:ax])), -1)]
    if op == "Reshape":
        shape = list(ins[1])
        for i, s in enumerate(shape):
            if s == 0 and not a.get("allowzero", 0):
                shape[i] = x.shape[i]
        return [x.reshape(shape)]
    if op == "Transpose":
        return [np.transpose(x, a.get("perm", list(range(x.ndim))[::-1]))]
    if op == "BatchNormalization":
        return [_batchnorm(*ins[:5], a)]
    if op == "Gemm":
        return [_gemm(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)]
    if op == "MatMul":
        return [_like(np.matmul(_f32(ins[0]), _f32(ins[1])), ins[0])]
    if op in ("Add", "Mul", "Sub", "Div"):
        f = {"Add": np.add, "Mul": np.multiply, "Sub": np.subtract, "Div": np.divide}[op]
        return [_like(f(_f32(ins[0]), _f32(ins[1])), ins[0])]
    if op == "Relu":
        return [np.maximum(x, np.zeros((), x.dtype))]
    if op == "Sqrt":
        return [np.sqrt(x)]
    if op == "LeakyRelu":
        al = np.float32(a.get("alpha", 0.01))
        return [_like(np.where(_f32(x) > 0, _f32(x), al * _f32(x)), x)]
    if op == "Elu":
        al = np.float32(a.get("alpha", 1.0))
        x32 = _f32(x)
        return [_like(np.where(x32 > 0, x32, al * (np.exp(np.minimum(x32, 0)) - 1)), x)]
    if op == "Selu":
        al = np.float32(a.get("alpha", 1.6732632423543772))
        ga = np.float32(a.get("gamma", 1.0507009873554805))
        x32 = _f32(x)
        return [_like(ga * np.where(x32 > 0, x32, al * (np.exp(np.minimum(x32, 0)) - 1)), x)]
    if op == "Softmax":
        return [_softmax(x, a.get("axis", -1))]
    if op == "Conv":
        return [_conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)]
    if op == "ConvTranspose":
        return [_conv_transpose(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)]
    if op == "MaxPool":
        return [_maxpool(x, a)]
    if op == "GlobalAveragePool":
        return [_like(_f32(x).mean(axis=tuple(range(2, x.ndim)), keepdims=True), x)]
    if op == "Shape":
        dims = np.array(x.shape, np.int64)
        return [dims[a.get("start", 0):a.get("end", len(dims))]]
    if op == "Size":
        return [np.array(x.size, np.int64)]
    if op == "Gather":
        return [np.take(x, ins[1], axis=a.get("axis", 0))]
    if op == "Unsqueeze":
        axes = a["axes"] if "axes" in a else [int(v) for v in ins[1]]
        out = x
        for ax in sorted(v % (x.ndim + len(axes)) for v in axes):
            out = np.expand_dims(out, ax)
        return [out]
    if op == "Concat":
        return [np.concatenate([i for i in ins if i is not None], axis=a["axis"])]
    if op == "Cast":
        from onnx import helper
        # onnx >= 1.13 has helper.tensor_dtype_to_np_dtype; Debian's 1.12 only the mapping table.
        to_np = getattr(helper, "tensor_dtype_to_np_dtype", None) or (lambda t: __import__("onnx").mapping.TENSOR_TYPE_TO_NP_TYPE[t])
        return [x.astype(to_np(a["to"]))]
    raise NotImplementedError(op)


def run_model(model, feeds, keep_all=False):
    """Evaluate model.graph on feeds {input name: array}; returns {output name: array}."""
    g = model.graph
    vals = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    vals.update(feeds)
    for node in g.node:
        outs = run_node(node, vals)
        for name, v in zip(node.output, outs):
            if name:
                vals[name] = v
    if keep_all:
        return vals
    return {o.name: vals[o.name] for o in g.output}
