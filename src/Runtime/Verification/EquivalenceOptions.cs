using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// How <see cref="EquivalenceChecker"/> runs and judges two models. The defaults are the ones the CLI documents:
/// ONNX Runtime graph optimizations disabled, CPU, four random samples (seed 0), atol 1e-5 and rtol 1e-4
/// (float16/bfloat16 outputs: atol 1e-3, rtol 1e-2), NaN never equal.
/// </summary>
public sealed record EquivalenceOptions
{
    /// <summary>Tolerance of float32, float64 and integer outputs (unless an output has its own).</summary>
    public Tolerance Tolerance { get; init; } = Tolerance.Default;

    /// <summary>Tolerance of float16 and bfloat16 outputs, compared in their own precision.</summary>
    public Tolerance HalfPrecisionTolerance { get; init; } = Tolerance.HalfPrecisionDefault;

    /// <summary>Per-output tolerances, by the original's (or the candidate's) output name.</summary>
    public IReadOnlyDictionary<string, Tolerance> OutputTolerances { get; init; } = new Dictionary<string, Tolerance>();

    /// <summary>
    /// When set, every classifier output (<c>[N,C]</c> with C ≥ 2) must also agree on the top-1 class of at least this
    /// fraction of rows (1.0 = every row).
    /// </summary>
    public double? MinTop1 { get; init; }

    /// <summary>Treat NaN in both outputs at the same index as equal (a NaN on one side only always fails).</summary>
    public bool NanEqual { get; init; }

    /// <summary>ONNX Runtime graph optimization for both sessions; disabled so ORT's own fusions cannot hide a difference.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_DISABLE_ALL;

    /// <summary>Where the candidate runs (and the original too, unless <see cref="ReferenceDevice"/> is set).</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Where the original runs, when it differs from <see cref="Device"/> (compare CPU against CUDA).</summary>
    public Device? ReferenceDevice { get; init; }

    /// <summary>Where the inputs come from; null = <see cref="RandomInputSource"/> with its defaults.</summary>
    public IInputSource? Inputs { get; init; }

    /// <summary>What the tolerance is checked against: every element (default) or one statistic of the errors.</summary>
    public ErrorStatistic ErrorStatistic { get; init; }

    /// <summary>The quantile checked by <see cref="ErrorStatistic.Quantile"/>, between 0 and 1 (default 0.99).</summary>
    public double ErrorQuantile { get; init; } = 0.99;

    /// <summary>Fail any compared tensor holding a NaN or an infinity, in either model (Polygraphy's <c>--validate</c>).</summary>
    public bool Validate { get; init; }

    /// <summary>
    /// Also compare every intermediate tensor the two graphs share, in topological order, and find the first one
    /// beyond tolerance (<see cref="EquivalenceReport.Layers"/>). The layer run has ONNX Runtime's graph
    /// optimizations disabled, so no intermediate is fused away.
    /// </summary>
    public bool CompareLayers { get; init; }

    /// <summary>
    /// Also evaluate both models with the float64 <see cref="Reference.ReferenceEvaluator"/>, separating the fold's
    /// own error from ONNX Runtime's float32 rounding per layer and checking each fold against its predicted
    /// rounding bound. Implies <see cref="CompareLayers"/>.
    /// </summary>
    public bool Float64Reference { get; init; }

    /// <summary>
    /// The fold report that produced the candidate from the original, to name the fold that touched a diverging
    /// node; null = fold a copy of the original with the default options to find out.
    /// </summary>
    public FoldReport? Folds { get; init; }

    /// <summary>Threads per operator for both sessions (0 = ONNX Runtime's default).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>How each tensor is judged, from <see cref="ErrorStatistic"/>, <see cref="ErrorQuantile"/> and <see cref="Validate"/>.</summary>
    public ErrorCheck Check => new(ErrorStatistic, ErrorQuantile, Validate);

    /// <summary>Told after every run of both models how far the comparison is (null: nobody listens).</summary>
    public IProgress<VerificationProgress>? Progress { get; init; }

    /// <summary>The tolerance that applies to an output: its own, else the one of its element type.</summary>
    public Tolerance ToleranceFor(string name, string? candidateName, OnnxDataType elementType)
    {
        if (OutputTolerances.TryGetValue(name, out var own) ||
            (candidateName is not null && OutputTolerances.TryGetValue(candidateName, out own)))
            return own;
        return elementType is OnnxDataType.Float16 or OnnxDataType.BFloat16 ? HalfPrecisionTolerance : Tolerance;
    }
}
