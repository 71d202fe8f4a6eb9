using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Reference;

namespace OnnxBn.Runtime.Verification;

// The float64 side of the layer pass, and the rounding check of each folded node.
internal static partial class LayerRun
{
    /// <summary>
    /// Evaluates both models in float64 on the run's inputs and adds each pair's errors against the original's exact
    /// values; false (with a note) when the reference cannot evaluate a model, which ends the reference for the check.
    /// </summary>
    private static bool Reference(InputFeed feed, OnnxModel original, OnnxModel candidate, IReadOnlyDictionary<string, string> inputNames,
        IReadOnlyList<LayerPair> pairs, (double[] Original, double[] Candidate)?[] values, ReferenceTracker[] trackers, List<string> notes)
    {
        IReadOnlyDictionary<string, RefTensor> exact, folded;
        try
        {
            var inputs = feed.Tensors.ToDictionary(t => t.Name, RefTensor.FromTensorData, StringComparer.Ordinal);
            exact = ReferenceEvaluator.EvaluateAll(original, inputs);
            folded = ReferenceEvaluator.EvaluateAll(candidate,
                inputs.ToDictionary(kv => inputNames.GetValueOrDefault(kv.Key, kv.Key), kv => kv.Value, StringComparer.Ordinal));
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            notes.Add($"float64 reference not used: {ex.Message}");
            return false;
        }
        for (var i = 0; i < pairs.Count; i++)
        {
            if (values[i] is { } v && exact.TryGetValue(pairs[i].Tensor, out var a) && folded.TryGetValue(pairs[i].CandidateTensor, out var b))
                trackers[i].Add(v.Original, v.Candidate, a.Data, b.Data);
        }
        return true;
    }

    /// <summary>
    /// The graph whose weights and BN parameters the rounding bound reads: at IR 1-3 the initializers listed as inputs
    /// are constants (ONNX Runtime runs them so, the fold froze them too), so a copy with them frozen; else the model's
    /// own graph.
    /// </summary>
    private static Graph WithConstantInitializers(OnnxModel model)
    {
        if (!model.InitializerInputsAreConstants)
            return model.Graph;
        var copy = model.Clone();
        copy.Graph.FreezeInitializerInputs();
        return copy.Graph;
    }

    /// <summary>Adds the predicted rounding bound to every tensor written by a folded node whose input was compared too.</summary>
    private static List<LayerComparison> WithRoundingChecks(List<LayerComparison> layers, IReadOnlyList<LayerPair> pairs, Graph original,
        Graph candidate, IReadOnlyDictionary<string, double> inputMax, List<string> notes)
    {
        var byCandidateTensor = layers.ToDictionary(l => l.CandidateTensor, StringComparer.Ordinal);
        var missing = new MissingBounds();
        for (var i = 0; i < layers.Count; i++)
        {
            var folds = pairs[i].Folds.Where(f => f.Outcome is BnOutcome.FoldedBackward or BnOutcome.FoldedForward).ToList();
            if (folds.Count == 0 || layers[i].Comparison.Elements == 0)
                continue;
            if (folds.All(f => f.Scope != BnFate.MainScope))
            {
                missing.Add(layers[i].Tensor, new MissingBound("their folds are inside sub-graphs, whose inner tensors are not exposed",
                    $"the folds that changed it are inside the sub-graphs of {pairs[i].CandidateNode.DisplayName}, whose inner tensors are not exposed"));
                continue;
            }
            var magnitudes = RoundingBound.Predict(original, candidate, pairs[i].CandidateNode, folds, pairs[i].ElementType, out var gap);
            if (magnitudes is null)
            {
                missing.Add(layers[i].Tensor, gap!);
                continue;
            }
            if (InputMagnitude(candidate, magnitudes.DataInput, byCandidateTensor, inputMax) is not { } input)
            {
                missing.Add(layers[i].Tensor, new MissingBound("their folded node's input was not compared",
                    $"its input {magnitudes.DataInput} was not compared"));
                continue;
            }
            var c = layers[i];
            layers[i] = new LayerComparison
            {
                Index = c.Index, Tensor = c.Tensor, CandidateTensor = c.CandidateTensor, MatchedBy = c.MatchedBy,
                OriginalNode = c.OriginalNode, OriginalOp = c.OriginalOp, CandidateNode = c.CandidateNode, CandidateOp = c.CandidateOp,
                Folds = c.Folds, Comparison = c.Comparison, Reference = c.Reference,
                Rounding = new RoundingCheck(c.Comparison.MaxAbsError, magnitudes.Bound(input.MaxAbs, input.Difference)),
            };
        }
        notes.AddRange(missing.Notes());
        return layers;
    }

    /// <summary>
    /// The largest |value| of a candidate tensor and its largest difference from the original, from the tensor itself
    /// when it was compared, else from the nearest compared tensor above it. A forward fold leaves uncompared values on
    /// its way (a Flatten of the pre-BN values, the x + t/s of a scale-through and the activation after it); the ops
    /// there do not grow a value or a difference (ReLU, LeakyReLU with α ≤ 1, pools, reshapes), and an Add of a
    /// constant c grows the value by at most max|c| and the difference not at all.
    /// </summary>
    private static (double MaxAbs, double Difference)? InputMagnitude(Graph candidate, string tensor,
        IReadOnlyDictionary<string, LayerComparison> compared, IReadOnlyDictionary<string, double> inputMax)
    {
        double shift = 0;
        for (var step = 0; step < 64; step++)
        {
            if (inputMax.TryGetValue(tensor, out var fed))
                return (fed + shift, 0);
            if (compared.TryGetValue(tensor, out var layer) && layer.Comparison.Elements > 0)
                return (layer.Comparison.MaxAbsOriginal + layer.Comparison.MaxAbsError + shift, layer.Comparison.MaxAbsError);
            if (candidate.Producer(tensor) is not { } producer || producer.Inputs.Count == 0)
                return null;
            if (producer.Is("Add") && producer.Inputs.Count == 2)
            {
                var constantSide = candidate.TryGetConstant(producer.Input(1), out var c) ? 1 : candidate.TryGetConstant(producer.Input(0), out c) ? 0 : -1;
                if (constantSide < 0)
                    return null;
                shift += c.ToDoubleArray().Select(Math.Abs).DefaultIfEmpty(0).Max();
                tensor = producer.Input(1 - constantSide);
            }
            else if (IsNonExpanding(producer))
                tensor = producer.Input(0);
            else
                return null;
        }
        return null;
    }

    /// <summary>
    /// Whether the op's output's largest |value|, and largest difference between two inputs, is at most its input's:
    /// ops that only move elements or average them (from the op-trait table), ReLU and max pools, LeakyReLU with
    /// |α| ≤ 1 (PRelu's slopes are not known here), and the reshapes the table has no trait for.
    /// </summary>
    private static bool IsNonExpanding(Node node)
    {
        if (node.Is("LeakyRelu"))
            return Math.Abs(node.GetFloat("alpha", 0.01f)) <= 1;
        if (node.Is("PRelu"))
            return false;
        return node.Has(OpTrait.ElementMoving) || node.Has(OpTrait.ChannelLinear) || node.Has(OpTrait.PositivelyHomogeneous) ||
            node.Has(OpTrait.Reshaping);
    }

    /// <summary>Largest errors of one tensor against the original's float64 values (NaN once any is NaN).</summary>
    private sealed class ReferenceTracker
    {
        private double _originalRounding, _foldError, _candidateError;
        private bool _shapeDiffers;

        public void Add(double[] ortOriginal, double[] ortCandidate, double[] exactOriginal, double[] exactCandidate)
        {
            if (ortOriginal.Length != exactOriginal.Length || ortCandidate.Length != exactOriginal.Length || exactCandidate.Length != exactOriginal.Length)
            {
                _shapeDiffers = true;
                return;
            }
            for (var k = 0; k < exactOriginal.Length; k++)
            {
                _originalRounding = Worse(_originalRounding, ortOriginal[k] - exactOriginal[k]);
                _foldError = Worse(_foldError, exactCandidate[k] - exactOriginal[k]);
                _candidateError = Worse(_candidateError, ortCandidate[k] - exactOriginal[k]);
            }
        }

        public ReferenceErrors Result() => _shapeDiffers
            ? new ReferenceErrors(double.NaN, double.NaN, double.NaN)
            : new ReferenceErrors(_originalRounding, _foldError, _candidateError);

        private static double Worse(double worst, double difference) =>
            double.IsNaN(worst) || double.IsNaN(difference) ? double.NaN : Math.Max(worst, Math.Abs(difference));
    }
}
