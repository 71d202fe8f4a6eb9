namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The layer-by-layer comparison (<see cref="EquivalenceOptions.CompareLayers"/>): every intermediate tensor the
/// two graphs share, in the original's topological order, the first one beyond tolerance, and the tensors that could
/// not be paired. It explains a verdict; the verdict itself stays the one on the graph outputs.
/// </summary>
public sealed class LayerReport
{
    /// <summary>The compared tensors, in the original's topological order.</summary>
    public required IReadOnlyList<LayerComparison> Layers { get; init; }

    /// <summary>Intermediate tensors of the original with no counterpart in the candidate, and why.</summary>
    public IReadOnlyList<UnmatchedTensor> Unmatched { get; init; } = [];

    /// <summary>Where the fold attribution came from: the fold report given, or a fold of a copy of the original.</summary>
    public required string FoldSource { get; init; }

    /// <summary>Runs made by the layer pass.</summary>
    public int Runs { get; init; }

    /// <summary>True when the float64 reference evaluated both models on every run.</summary>
    public bool ReferenceEvaluated { get; init; }

    /// <summary>Remarks on the layer pass: optimizations disabled, a reference that could not run.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Wall-clock time of the layer pass (included in <see cref="EquivalenceReport.Elapsed"/>).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Time spent before the first run: reading both models, pairing tensors, building and loading the probes.</summary>
    public TimeSpan PrepareTime { get; init; }

    /// <summary>Time spent in the float64 reference evaluator.</summary>
    public TimeSpan ReferenceTime { get; init; }

    /// <summary>The first tensor, in topological order, whose values are beyond tolerance; null when none is.</summary>
    public LayerComparison? FirstDivergence => Layers.FirstOrDefault(l => !l.Passed);

    /// <summary>
    /// The tensors with the largest error relative to what the tolerance allows, worst first; one whose shape or type
    /// differs between the models ranks with the worst. Integer and boolean tensors beyond tolerance (compared
    /// exactly, so any difference is infinitely beyond it) come after the float ones: a flipped index says where a
    /// choice changed, not how far the values moved.
    /// </summary>
    public IEnumerable<LayerComparison> Worst(int count) =>
        Layers.Where(l => l.Comparison.Elements > 0 || !l.Comparison.Passed)
            .OrderByDescending(l => l.Passed ? 0 : IsExact(l.Comparison) ? 1 : 2)
            .ThenByDescending(l => Severity(l.Comparison)).Take(count);

    private static bool IsExact(OutputComparison c) => LayerTypes.IsCompared(c.ElementType) && !LayerTypes.IsFloat(c.ElementType);

    private static double Severity(OutputComparison c)
    {
        if (!c.Passed && c.Worst is null)
            return double.PositiveInfinity;
        var w = c.Worst;
        if (w is null)
            return 0;
        if (double.IsNaN(w.AbsError))
            return double.PositiveInfinity;
        return w.Allowed > 0 ? w.AbsError / w.Allowed : w.AbsError > 0 ? double.PositiveInfinity : 0;
    }
}
