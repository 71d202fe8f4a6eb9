using OnnxBn.Folding;

namespace OnnxBn.Runtime.Reference;

/// <summary>
/// If, Loop (opset 11+ semantics) and Scan (opset 9+, scanning along axis 0 forward): sub-graphs run with every value
/// of the enclosing scopes visible.
/// </summary>
public sealed partial class ReferenceEvaluator
{
    private RefTensor[] If(Node node, RefTensor condition)
    {
        string chosen = condition.Data[0] != 0 ? "then_branch" : "else_branch";
        var branch = _graph.Subgraphs(node).Single(s => s.Attribute == chosen).Graph;
        var outputs = new ReferenceEvaluator(_model, branch, _values).Run(new Dictionary<string, RefTensor>());
        return branch.Outputs.Select(o => outputs[o.Name]).ToArray();
    }

    /// <summary>
    /// Loop(M, cond, v_initial...): the body takes (iteration, cond, v...) and returns (cond, v..., scan...); the
    /// results are the final v and every scan output stacked along a new first axis.
    /// </summary>
    private RefTensor[] Loop(Node node, RefTensor?[] x)
    {
        var body = _graph.Subgraphs(node).Single(s => s.Attribute == "body").Graph;
        long? tripCount = Arg(x, 0) is { } m ? (long)m.Data[0] : null;
        bool condition = Arg(x, 1) is not { } c || c.Data[0] != 0;
        var carried = x.Skip(2).Select(v => v!).ToArray();
        var inputs = body.Inputs.Select(i => i.Name).ToArray();
        var outputs = body.Outputs.Select(o => o.Name).ToArray();
        var scans = Enumerable.Range(0, outputs.Length - 1 - carried.Length).Select(_ => new List<RefTensor>()).ToArray();
        for (long i = 0; (tripCount is null || i < tripCount) && condition; i++)
        {
            var bindings = new Dictionary<string, RefTensor> { [inputs[0]] = RefTensor.Scalar(i), [inputs[1]] = RefTensor.Scalar(condition ? 1 : 0) };
            for (int k = 0; k < carried.Length; k++) bindings[inputs[2 + k]] = carried[k];
            var results = new ReferenceEvaluator(_model, body, _values).Run(bindings);
            condition = results[outputs[0]].Data[0] != 0;
            for (int k = 0; k < carried.Length; k++) carried[k] = results[outputs[1 + k]];
            for (int k = 0; k < scans.Length; k++) scans[k].Add(results[outputs[1 + carried.Length + k]]);
        }
        return [.. carried, .. scans.Select(Stack)];
    }

    /// <summary>
    /// Scan(state..., scan inputs...): the body takes (state..., one slice of each scan input) and returns (state...,
    /// scan output slices...); the results are the final states and the stacked scan outputs.
    /// </summary>
    private RefTensor[] Scan(Node node, RefTensor?[] x)
    {
        if (node.HasAttribute("scan_input_axes") || node.HasAttribute("scan_input_directions") || node.HasAttribute("scan_output_axes")
            || node.HasAttribute("scan_output_directions"))
            throw new NotSupportedException($"Reference evaluator: Scan '{node.DisplayName}' scans along axis 0 forward only.");
        var body = _graph.Subgraphs(node).Single(s => s.Attribute == "body").Graph;
        int scanned = (int)node.GetInt("num_scan_inputs", 0);
        var states = x.Take(x.Length - scanned).Select(v => v!).ToArray();
        var sequences = x.Skip(x.Length - scanned).Select(v => v!).ToArray();
        var inputs = body.Inputs.Select(i => i.Name).ToArray();
        var outputs = body.Outputs.Select(o => o.Name).ToArray();
        var scans = Enumerable.Range(0, outputs.Length - states.Length).Select(_ => new List<RefTensor>()).ToArray();
        long steps = sequences[0].Shape[0];
        for (int t = 0; t < steps; t++)
        {
            var bindings = new Dictionary<string, RefTensor>();
            for (int k = 0; k < states.Length; k++) bindings[inputs[k]] = states[k];
            for (int k = 0; k < sequences.Length; k++) bindings[inputs[states.Length + k]] = Slice0(sequences[k], t);
            var results = new ReferenceEvaluator(_model, body, _values).Run(bindings);
            for (int k = 0; k < states.Length; k++) states[k] = results[outputs[k]];
            for (int k = 0; k < scans.Length; k++) scans[k].Add(results[outputs[states.Length + k]]);
        }
        return [.. states, .. scans.Select(Stack)];
    }

    private static RefTensor Slice0(RefTensor x, int index)
    {
        int size = RefTensor.ElementCount(x.Shape[1..]);
        return RefTensor.Of(x.Shape[1..], x.Data.AsSpan(index * size, size).ToArray());
    }

    private static RefTensor Stack(List<RefTensor> slices)
    {
        if (slices.Count == 0)
            throw new NotSupportedException("Reference evaluator: a Loop that ran no iteration has scan outputs of unknown shape.");
        return RefTensor.Of([slices.Count, .. slices[0].Shape], slices.SelectMany(s => s.Data).ToArray());
    }

    /// <summary>
    /// ReduceSum, ReduceL1, ReduceL2, ReduceSumSquare, ReduceMean, ReduceMax and ReduceMin over the axes attribute
    /// (before opset 13 for ReduceSum, 18 for the others) or input, every axis when none are given.
    /// </summary>
    private static RefTensor Reduce(Node node, RefTensor x, RefTensor? axesInput)
    {
        var axes = node.GetInts("axes") ?? axesInput?.Data.Select(a => (long)a).ToArray() ?? [];
        if (axes.Length == 0 && node.GetInt("noop_with_empty_axes", 0) != 0)
            return x;
        bool keep = node.GetInt("keepdims", 1) != 0;
        var reduced = (axes.Length == 0 ? Enumerable.Range(0, x.Rank) : axes.Select(a => Axis(a, x.Rank))).ToHashSet();
        var outShape = x.Shape.Select((d, i) => reduced.Contains(i) ? 1 : d).ToArray();
        var strides = RefTensor.StridesOf(x.Shape);
        var outStrides = RefTensor.StridesOf(outShape);
        var result = new double[RefTensor.ElementCount(outShape)];
        var seen = new int[result.Length];
        for (int flat = 0; flat < x.Size; flat++)
        {
            long target = 0, rest = flat;
            for (int d = 0; d < x.Rank; d++)
            {
                long index = rest / strides[d];
                rest %= strides[d];
                if (!reduced.Contains(d)) target += index * outStrides[d];
            }
            double v = x.Data[flat];
            result[target] = node.OpType switch
            {
                "ReduceL1" => result[target] + Math.Abs(v),
                "ReduceL2" or "ReduceSumSquare" => result[target] + v * v,
                "ReduceMax" => seen[target] == 0 ? v : Math.Max(result[target], v),
                "ReduceMin" => seen[target] == 0 ? v : Math.Min(result[target], v),
                _ => result[target] + v,
            };
            seen[target]++;
        }
        for (int i = 0; i < result.Length; i++)
            result[i] = node.OpType switch
            {
                "ReduceL2" => Math.Sqrt(result[i]),
                "ReduceMean" => result[i] / seen[i],
                _ => result[i],
            };
        var shape = keep ? outShape : x.Shape.Where((_, i) => !reduced.Contains(i)).ToArray();
        return RefTensor.Of(shape, result);
    }
}
