"""Classify every BatchNormalization in a graph and verify the classification numerically.

classify(model) -> one dict per BN: node name, pattern, context, expected fold
  ("backward into <node>", "forward into <node>" or "kept: <reason>").
apply_fold(model, bn_name, fold) -> a copy of the model with that BN folded (numpy).
verify(model, feeds, ref) -> per-BN max |diff| of the folded model, of all folds at once,
  and of simply deleting each BN ("bypass", i.e. what a wrong fold roughly costs).

The rules are the conservative ones a correct folder can apply exactly:
  backward: BN input produced by Conv / ConvTranspose / Gemm / MatMul(+Add bias) whose
            weights are constants and whose output feeds only this BN (optionally through a
            Transpose that moves the BN channel axis onto the weight's output axis);
  forward:  BN output consumed only by a Gemm (as A, transA=0) / MatMul (as A) / Conv with
            zero padding and group 1 (optionally through a Flatten with static C,H,W, or through
            PyTorch's dynamic x.view(x.size(0), -1): Reshape(y, Concat(Unsqueeze(Gather(Shape(y), 0)),
            [-1])), whose Shape reads y only for its dims and reads x after the fold);
  kept:     anything else (padded Conv next, graph input before, non-linear op around...).
Backward is preferred when both are possible.
"""
import copy

import numpy as np
import onnx
from onnx import helper, numpy_helper

import np_onnx


class _G:
    def __init__(self, model):
        self.model = model
        g = model.graph
        self.g = g
        self.init = {t.name: t for t in g.initializer}
        self.const = {}
        for n in g.node:
            if n.op_type == "Constant":
                for a in n.attribute:
                    if a.name == "value":
                        self.const[n.output[0]] = numpy_helper.to_array(a.t)
        # Constant subgraphs torch leaves when do_constant_folding=False: Transpose(initializer)
        # (a bias-free nn.Linear exports as MatMul(x, Transpose(weight))).
        self.folded_const = {}
        for n in g.node:
            if n.op_type == "Transpose" and self.is_const(n.input[0]):
                perm = _attr(n, "perm", None)
                self.const[n.output[0]] = np.transpose(self.value(n.input[0]), perm)
                self.folded_const[n.output[0]] = n.name
        self.prod = {}
        self.cons = {}
        for n in g.node:
            for o in n.output:
                self.prod[o] = n
            for i in n.input:
                if i:
                    self.cons.setdefault(i, []).append(n)
        self.outputs = {o.name for o in g.output}
        inferred = onnx.shape_inference.infer_shapes(model)
        self.shape = {}
        for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
            t = vi.type.tensor_type
            if t.HasField("shape"):
                self.shape[vi.name] = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
        for name, arr in {**{k: numpy_helper.to_array(v) for k, v in self.init.items()}, **self.const}.items():
            self.shape[name] = list(arr.shape)

    def is_const(self, name):
        return name in self.init or name in self.const

    def value(self, name):
        if name in self.init:
            return numpy_helper.to_array(self.init[name])
        return self.const[name]

    def only_consumer(self, tensor):
        c = self.cons.get(tensor, [])
        if len(c) != 1 or tensor in self.outputs:
            return None
        return c[0]

    def node(self, name):
        for n in self.g.node:
            if n.name == name:
                return n
        raise KeyError(name)


def _attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _op(n):
    if n is None:
        return "input"
    return "BN" if n.op_type == "BatchNormalization" else n.op_type


def _backward(G, bn):
    """Return (target node, info) or (None, reason)."""
    x = bn.input[0]
    ax = 1
    via = []
    p = G.prod.get(x)
    while p is not None and p.op_type == "Transpose" and G.only_consumer(p.output[0]) is not None:
        perm = _attr(p, "perm", None)
        ax = perm[ax]
        via.append(p.name)
        x = p.input[0]
        p = G.prod.get(x)
    if p is None:
        return None, "BN input is a graph input"
    if G.only_consumer(p.output[0]) is None:
        return None, f"{p.op_type} output has other consumers"
    rank = len(G.shape.get(p.output[0], [])) or None
    bias_add = None
    if p.op_type == "Add":
        a, b = p.input
        mm = None
        for cand, other in ((a, b), (b, a)):
            q = G.prod.get(cand)
            if q is not None and q.op_type == "MatMul" and G.is_const(other) and G.only_consumer(cand) is not None:
                mm, bias_add = q, p
        if mm is None:
            return None, "Add is not MatMul + constant bias"
        p = mm
    if p.op_type in ("Conv", "ConvTranspose"):
        if ax != 1 or not G.is_const(p.input[1]) or (len(p.input) > 2 and p.input[2] and not G.is_const(p.input[2])):
            return None, f"{p.op_type} weights are not constant"
        return p, {"via": via}
    if p.op_type == "Gemm":
        if ax != 1 or not G.is_const(p.input[1]) or (len(p.input) > 2 and p.input[2] and not G.is_const(p.input[2])):
            return None, "Gemm B/C not constant"
        return p, {"via": via}
    if p.op_type == "MatMul":
        w = p.input[1]
        if not G.is_const(w) or len(G.shape[w]) != 2:
            return None, "MatMul weight not a constant matrix"
        if rank is None or ax != rank - 1:
            return None, "BN channel axis is not the MatMul output axis"
        return p, {"via": via, "bias_add": bias_add.name if bias_add is not None else None}
    return None, f"producer {p.op_type} is not linear"


def _int_const(G, name):
    """The integer values of a constant (or of Unsqueeze(axes [0]) of one), else None."""
    if G.is_const(name):
        v = G.value(name)
        return [int(i) for i in np.ravel(v)] if v.dtype.kind == "i" else None
    p = G.prod.get(name)
    if p is not None and p.op_type == "Unsqueeze" and _unsqueeze_axes(G, p) == [0]:
        return _int_const(G, p.input[0])
    return None


def _unsqueeze_axes(G, node):
    axes = _attr(node, "axes", None)
    if axes is None and len(node.input) > 1 and G.is_const(node.input[1]):
        axes = [int(v) for v in np.ravel(G.value(node.input[1]))]
    return list(axes) if axes is not None else None


def _is_batch_size(G, name, y):
    """True when name is [y.shape[0]]: Unsqueeze(Gather(Shape(y), 0), [0]) or Gather(Shape(y), [0])."""
    p = G.prod.get(name)
    if p is not None and p.op_type == "Unsqueeze" and _unsqueeze_axes(G, p) == [0]:
        g, vector = G.prod.get(p.input[0]), False
    else:
        g, vector = p, True
    if g is None or g.op_type != "Gather" or _attr(g, "axis", 0) != 0 or not G.is_const(g.input[1]):
        return False
    idx = G.value(g.input[1])
    shape = G.prod.get(g.input[0])
    return (idx.ndim == (1 if vector else 0) and idx.size == 1 and int(np.ravel(idx)[0]) == 0
            and shape is not None and shape.op_type == "Shape" and shape.input[0] == y and not shape.attribute)


def _is_dynamic_view(G, reshape, y):
    """Reshape(y, Concat([y.shape[0]], [-1] or [K])): PyTorch's x.view(x.size(0), -1) with a dynamic batch."""
    if reshape.input[0] != y:
        return False
    concat = G.prod.get(reshape.input[1])
    if concat is None or concat.op_type != "Concat" or _attr(concat, "axis", 0) != 0 or len(concat.input) != 2:
        return False
    k = _int_const(G, concat.input[1])
    return _is_batch_size(G, concat.input[0], y) and k is not None and len(k) == 1 and (k[0] == -1 or k[0] > 0)


def _value_readers(G, y):
    """Consumers of y that read its values: Shape and Size read only its dims, which x has too."""
    return [n for n in G.cons.get(y, []) if n.op_type not in ("Shape", "Size")]


def _forward(G, bn, ignore_pads=False):
    y = bn.output[0]
    readers = _value_readers(G, y)
    if y in G.outputs or len(readers) != 1:
        return None, "BN output is a graph output or has several consumers"
    c = readers[0]
    via = []
    repeat = 1
    if c.op_type == "Flatten" and _attr(c, "axis", 1) == 1 or c.op_type == "Reshape" and _is_dynamic_view(G, c, y):
        shp = G.shape.get(bn.input[0])
        if not shp or any(d is None for d in shp[2:]):
            return None, f"{c.op_type} after BN with unknown spatial shape"
        repeat = int(np.prod(shp[2:])) if len(shp) > 2 else 1
        via.append(c.name)
        y = c.output[0]
        c = G.only_consumer(y)
        if c is None:
            return None, f"{via[-1]} output has several consumers"
    if c.op_type == "Gemm":
        if c.input[0] != y or _attr(c, "transA", 0) or not G.is_const(c.input[1]):
            return None, "Gemm operand layout not foldable"
        return c, {"via": via, "repeat": repeat}
    if c.op_type == "MatMul":
        if c.input[0] != y or not G.is_const(c.input[1]) or len(G.shape.get(y, [])) != 2:
            return None, "MatMul operand layout not foldable"
        return c, {"via": via, "repeat": repeat}
    if c.op_type == "Conv":
        if via:
            return None, "Flatten then Conv"
        if not ignore_pads and any(_attr(c, "pads", [0])) or _attr(c, "auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
            return None, f"next Conv ({c.name}) pads with zeros, so BN's shift cannot move into its bias"
        if _attr(c, "group", 1) != 1:
            return None, "next Conv is grouped"
        if not G.is_const(c.input[1]):
            return None, "next Conv weight not constant"
        return c, {"via": via, "repeat": repeat}
    return None, f"next op {c.op_type} is not linear"


def classify(model):
    G = _G(model)
    out = []
    for bn in G.g.node:
        if bn.op_type != "BatchNormalization":
            continue
        p = G.prod.get(bn.input[0])
        pp = G.prod.get(p.input[0]) if p is not None and p.input else None
        cs = G.cons.get(bn.output[0], [])
        c = cs[0] if len(cs) == 1 else None
        cc = G.cons.get(c.output[0], []) if c is not None else []
        pattern = f"{_op(p)}->BN->{'+'.join(n.op_type for n in cs) or 'output'}"
        context = "->".join([_op(pp) if p is not None else "", _op(p), "BN",
                             "+".join(_op(n) for n in cs) or "output",
                             "+".join(_op(n) for n in cc) if c is not None else ""]).strip("->")
        tb, ib = _backward(G, bn)
        tf, inf = _forward(G, bn)
        notes = []
        for tnode in (tb, tf):
            if tnode is not None and tnode.input[1] in G.folded_const:
                notes.append(f"{tnode.name} weight comes from {G.folded_const[tnode.input[1]]} "
                             f"(Transpose of an initializer, not constant-folded)")
        if tb is not None:
            fold = f"backward into {tb.name}"
            if ib.get("via"):
                notes.append(f"through {', '.join(ib['via'])}")
            if tb.op_type == "MatMul" and not ib.get("bias_add"):
                notes.append("MatMul has no bias: folding must add one (Add or convert to Gemm)")
            if tf is not None:
                notes.append(f"forward into {tf.name} would also be exact")
        elif tf is not None:
            fold = f"forward into {tf.name}"
            if inf.get("via"):
                notes.append(f"through {', '.join(inf['via'])} (each channel repeats {inf['repeat']} times)")
            notes.append(f"backward impossible: {ib}")
        else:
            fold = f"kept: {inf}; backward impossible: {ib}"
        attrs = {a.name: helper.get_attribute_value(a) for a in bn.attribute}
        shp = G.shape.get(bn.input[0], [])
        out.append({
            "node": bn.name,
            "channels": int(G.shape[bn.input[1]][0]),
            "input_rank": len(shp),
            "epsilon": float(attrs.get("epsilon", 1e-5)),
            "attributes": sorted(attrs),
            "param_source": sorted({"initializer" if i in G.init else ("Constant" if i in G.const else "other")
                                    for i in bn.input[1:]}),
            "pattern": pattern,
            "context": context,
            "fold": fold,
            "notes": notes,
        })
    return out


# ----------------------------------------------------------------------------- folding


def _bn_params(G, bn):
    gamma, beta, mean, var = (G.value(i).astype(np.float64) for i in bn.input[1:5])
    eps = _attr(bn, "epsilon", 1e-5)
    s = gamma / np.sqrt(var + eps)
    t = beta - mean * s
    return s, t


def _set_input(G, node, idx, arr, tag, like_dtype):
    name = f"{node.name}__{tag}"
    G.g.initializer.append(numpy_helper.from_array(arr.astype(like_dtype), name))
    while len(node.input) <= idx:
        node.input.append("")
    node.input[idx] = name


def _insert_bias_add(G, node, bias, like_dtype):
    """Adds `bias` to the output of `node` (a MatMul without one) with a new Add that takes over its output name."""
    out = node.output[0]
    tmp = out + "__prebias"
    node.output[0] = tmp
    bname = node.name + "__b"
    G.g.initializer.append(numpy_helper.from_array(bias.astype(like_dtype), bname))
    idx = list(G.g.node).index(node)
    G.g.node.insert(idx + 1, helper.make_node("Add", [tmp, bname], [out], name=node.name + "__bias"))


def _remove_bn(G, bn):
    x, y = bn.input[0], bn.output[0]
    if y in G.outputs:
        # The BN produces a graph output: keep the output name by renaming x to y.
        if any(i.name == x for i in G.g.input) or x in G.outputs:
            raise ValueError("cannot remove a BN between a graph input/output and a graph output")
        for n in G.g.node:
            for i, nm in enumerate(n.output):
                if nm == x:
                    n.output[i] = y
            for i, nm in enumerate(n.input):
                if nm == x and n is not bn:
                    n.input[i] = y
    else:
        for n in G.g.node:
            for i, nm in enumerate(n.input):
                if nm == y:
                    n.input[i] = x
    G.g.node.remove(bn)


def apply_fold(model, bn_name, fold, ignore_pads=False):
    """Return a copy of model with BN bn_name folded as described by fold.
    ignore_pads=True allows the (wrong) forward fold into a padded Conv, to measure its error."""
    m = copy.deepcopy(model)
    G = _G(m)
    bn = G.node(bn_name)
    s, t = _bn_params(G, bn)
    if fold.startswith("backward into "):
        tgt, info = _backward(G, bn)
        assert tgt is not None and fold == f"backward into {tgt.name}", (fold, info)
        w = G.value(tgt.input[1])
        wd = w.dtype
        w = w.astype(np.float64)
        bias = G.value(tgt.input[2]).astype(np.float64) if len(tgt.input) > 2 and tgt.input[2] else None
        if tgt.op_type == "Conv":
            w = w * s.reshape((-1,) + (1,) * (w.ndim - 1))
            b = (bias if bias is not None else 0) * s + t
            _set_input(G, tgt, 1, w, "w", wd)
            _set_input(G, tgt, 2, b, "b", wd)
        elif tgt.op_type == "ConvTranspose":
            grp = _attr(tgt, "group", 1)
            cin, cout_g = w.shape[:2]
            w = (w.reshape((grp, cin // grp, cout_g) + w.shape[2:])
                 * s.reshape((grp, 1, cout_g) + (1,) * (w.ndim - 2))).reshape(w.shape)
            b = (bias if bias is not None else 0) * s + t
            _set_input(G, tgt, 1, w, "w", wd)
            _set_input(G, tgt, 2, b, "b", wd)
        elif tgt.op_type == "Gemm":
            w = w * (s[:, None] if _attr(tgt, "transB", 0) else s[None, :])
            beta_ = _attr(tgt, "beta", 1.0)
            c = (beta_ * bias if bias is not None else 0) * s + t
            _set_input(G, tgt, 1, w, "w", wd)
            _set_input(G, tgt, 2, c, "b", wd)
            for a in tgt.attribute:
                if a.name == "beta":
                    a.f = 1.0
        elif tgt.op_type == "MatMul":
            w = w * s[None, :]
            _set_input(G, tgt, 1, w, "w", wd)
            if info.get("bias_add"):
                add = G.node(info["bias_add"])
                bi = 0 if G.is_const(add.input[0]) else 1
                bias = G.value(add.input[bi]).astype(np.float64)
                _set_input(G, add, bi, bias * s + t, "b", wd)
            else:
                _insert_bias_add(G, tgt, t, wd)
        else:
            raise AssertionError(tgt.op_type)
    elif fold.startswith("forward into "):
        tgt, info = _forward(G, bn, ignore_pads)
        assert tgt is not None and fold == f"forward into {tgt.name}", (fold, info)
        r = info["repeat"]
        s, t = np.repeat(s, r), np.repeat(t, r)
        w = G.value(tgt.input[1])
        wd = w.dtype
        w = w.astype(np.float64)
        bias = G.value(tgt.input[2]).astype(np.float64) if len(tgt.input) > 2 and tgt.input[2] else None
        if tgt.op_type == "Gemm":
            alpha, beta_ = _attr(tgt, "alpha", 1.0), _attr(tgt, "beta", 1.0)
            if _attr(tgt, "transB", 0):
                extra = alpha * (w @ t)
                w = w * s[None, :]
            else:
                extra = alpha * (t @ w)
                w = w * s[:, None]
            c = (beta_ * bias if bias is not None else 0) + extra
            _set_input(G, tgt, 1, w, "w", wd)
            _set_input(G, tgt, 2, c, "b", wd)
            for a in tgt.attribute:
                if a.name == "beta":
                    a.f = 1.0
        elif tgt.op_type == "MatMul":
            extra = t @ w
            w = w * s[:, None]
            _set_input(G, tgt, 1, w, "w", wd)
            nxt = G.only_consumer(tgt.output[0])
            if nxt is not None and nxt.op_type == "Add" and any(G.is_const(i) for i in nxt.input):
                bi = 0 if G.is_const(nxt.input[0]) else 1
                _set_input(G, nxt, bi, G.value(nxt.input[bi]).astype(np.float64) + extra, "b", wd)
            else:
                _insert_bias_add(G, tgt, extra, wd)
        elif tgt.op_type == "Conv":
            extra = (w * t.reshape((1, -1) + (1,) * (w.ndim - 2))).reshape(w.shape[0], -1).sum(1)
            w = w * s.reshape((1, -1) + (1,) * (w.ndim - 2))
            _set_input(G, tgt, 1, w, "w", wd)
            _set_input(G, tgt, 2, (bias if bias is not None else 0) + extra, "b", wd)
        else:
            raise AssertionError(tgt.op_type)
    else:
        raise ValueError(f"not a fold: {fold}")
    _remove_bn(G, bn)
    return m


def bypass(model, bn_name):
    m = copy.deepcopy(model)
    G = _G(m)
    _remove_bn(G, G.node(bn_name))
    return m


def _maxdiff(a, b):
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def verify(model, feeds, ref, bns):
    """Fold each BN per its expected fold; returns (per-BN results, all-at-once diff)."""
    res = {}
    out_name = model.graph.output[0].name
    allm = model
    for b in bns:
        r = {"bypass_max_diff": _maxdiff(np_onnx.run_model(bypass(model, b["node"]), feeds)[out_name], ref)}
        if not b["fold"].startswith("kept"):
            fm = apply_fold(model, b["node"], b["fold"])
            r["folded_max_diff"] = _maxdiff(np_onnx.run_model(fm, feeds)[out_name], ref)
            allm = apply_fold(allm, b["node"], b["fold"])
        elif "pads with zeros" in b["fold"]:
            tgt, _ = _forward(_G(model), _G(model).node(b["node"]), ignore_pads=True)
            wrong = apply_fold(model, b["node"], f"forward into {tgt.name}", ignore_pads=True)
            r["naive_forward_fold_max_diff"] = _maxdiff(np_onnx.run_model(wrong, feeds)[out_name], ref)
        res[b["node"]] = r
    all_diff = _maxdiff(np_onnx.run_model(allm, feeds)[out_name], ref)
    remaining = sum(1 for n in allm.graph.node if n.op_type == "BatchNormalization")
    return res, all_diff, remaining
