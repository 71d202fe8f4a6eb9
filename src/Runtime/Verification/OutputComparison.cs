using System.Globalization;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>How an original output found its counterpart in the candidate.</summary>
public enum OutputMatch
{
    /// <summary>Same name.</summary>
    Name,
    /// <summary>Names differ: paired by position (the candidate renamed its outputs).</summary>
    Position,
    /// <summary>The candidate has no such output.</summary>
    Missing,
}

/// <summary>The verdict on one output.</summary>
public enum OutputVerdict
{
    /// <summary>Every element within tolerance (and top-1 agreement high enough, when asked).</summary>
    Pass,
    /// <summary>At least one element differs by more than the tolerance allows.</summary>
    ToleranceExceeded,
    /// <summary>Top-1 agreement below the requested minimum.</summary>
    Top1BelowMinimum,
    /// <summary>The candidate lacks this output.</summary>
    Missing,
    /// <summary>The two outputs have different shapes.</summary>
    ShapeMismatch,
    /// <summary>The two outputs have different element types, or values that cannot be compared.</summary>
    TypeMismatch,
    /// <summary>A NaN or an infinity in either model's values, with validation asked for (<see cref="EquivalenceOptions.Validate"/>).</summary>
    NonFinite,
}

/// <summary>
/// One element of an output: where it is (the run's label and a multi-index into that run's output) and both values.
/// <see cref="Allowed"/> is the difference the tolerance allows there (atol + rtol·|original|).
/// </summary>
public sealed record ElementDifference(string Run, IReadOnlyList<long> Index, double Original, double Candidate, double AbsError, double Allowed)
{
    /// <summary>The index as text: <c>[3,7]</c>.</summary>
    public string IndexText => "[" + string.Join(",", Index) + "]";

    /// <summary>True when this element is within tolerance.</summary>
    public bool WithinTolerance => AbsError <= Allowed;
}

/// <summary>The comparison of one output of the original with its counterpart in the candidate, over every run.</summary>
public sealed class OutputComparison
{
    /// <summary>The original's output name.</summary>
    public required string Name { get; init; }

    /// <summary>The candidate's output name (differs when paired by position; null when missing).</summary>
    public string? CandidateName { get; init; }

    /// <summary>How the pair was found.</summary>
    public OutputMatch MatchedBy { get; init; }

    /// <summary>The verdict.</summary>
    public OutputVerdict Verdict { get; init; }

    /// <summary>True when the verdict is <see cref="OutputVerdict.Pass"/>.</summary>
    public bool Passed => Verdict == OutputVerdict.Pass;

    /// <summary>For a missing output or a shape/type mismatch, what is wrong.</summary>
    public string? Problem { get; init; }

    /// <summary>The element type compared.</summary>
    public OnnxDataType ElementType { get; init; }

    /// <summary>The shape of the first run's output.</summary>
    public IReadOnlyList<long> Shape { get; init; } = [];

    /// <summary>The tolerance applied.</summary>
    public Tolerance Tolerance { get; init; }

    /// <summary>Elements compared over all runs.</summary>
    public long Elements { get; init; }

    /// <summary>Elements outside the tolerance.</summary>
    public long Violations { get; init; }

    /// <summary>Elements that are NaN on one side only (or on both without NanEqual).</summary>
    public long NanMismatches { get; init; }

    /// <summary>max |a − b| (NaN when an element is NaN on one side).</summary>
    public double MaxAbsError { get; init; }

    /// <summary>max |a − b| / |b| (infinite when b = 0 and a ≠ 0).</summary>
    public double MaxRelError { get; init; }

    /// <summary>mean |a − b| over the elements with a finite or infinite difference.</summary>
    public double MeanAbsError { get; init; }

    /// <summary>Cosine similarity of the flattened outputs (1 when both are all zeros).</summary>
    public double CosineSimilarity { get; init; }

    /// <summary>The worst element: the largest error relative to what the tolerance allows there.</summary>
    public ElementDifference? Worst { get; init; }

    /// <summary>Rows compared for the classifier metrics (0 when the output is not [N,C]).</summary>
    public long Rows { get; init; }

    /// <summary>Fraction of rows whose top-1 class agrees, for [N,C] outputs.</summary>
    public double? Top1Agreement { get; init; }

    /// <summary>Mean fraction of the top-5 classes (top-C when C &lt; 5) shared by both, for [N,C] outputs.</summary>
    public double? Top5Overlap { get; init; }

    /// <summary>The top-1 minimum that was required, if any.</summary>
    public double? MinTop1 { get; init; }

    /// <summary>Absolute errors per decade.</summary>
    public ErrorHistogram Histogram { get; init; } = new();

    /// <summary>mean |a − b|/|b| over the elements whose relative error is finite.</summary>
    public double MeanRelError { get; init; }

    /// <summary>How the tolerance was checked.</summary>
    public ErrorCheck Check { get; init; } = ErrorCheck.Elementwise;

    /// <summary>The checked statistic of the absolute errors (the max for an elementwise check).</summary>
    public double StatisticAbsError { get; init; }

    /// <summary>The checked statistic of the relative errors (the max for an elementwise check).</summary>
    public double StatisticRelError { get; init; }

    /// <summary>NaN or infinite elements in the original's values.</summary>
    public long NonFiniteOriginal { get; init; }

    /// <summary>NaN or infinite elements in the candidate's values.</summary>
    public long NonFiniteCandidate { get; init; }

    /// <summary>max |b| over the original's finite elements: the scale the errors are measured against.</summary>
    public double MaxAbsOriginal { get; init; }

    /// <summary>What the messages call the compared values: <c>output</c>, or <c>tensor</c> for an intermediate.</summary>
    internal string Subject { get; init; } = "output";

    /// <summary>Compares two hand-made arrays of the same <paramref name="shape"/> as one output (no ONNX Runtime needed).</summary>
    public static OutputComparison Of(string name, ReadOnlySpan<double> original, ReadOnlySpan<double> candidate, long[] shape,
        Tolerance tolerance, bool nanEqual = false, double? minTop1 = null, OnnxDataType elementType = OnnxDataType.Double,
        ErrorCheck? check = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var accumulator = new OutputAccumulator(name, name, OutputMatch.Name, tolerance, nanEqual, check);
        if (original.Length != candidate.Length || original.Length != shape.Aggregate(1L, (a, b) => a * b))
            accumulator.Fail(OutputVerdict.ShapeMismatch,
                $"{original.Length} original and {candidate.Length} candidate values for shape [{string.Join(",", shape)}]");
        else
            accumulator.Add("", elementType, shape, original, candidate);
        return accumulator.Finish(minTop1);
    }

    /// <summary>One line saying why this output failed (empty when it passed).</summary>
    public string Describe()
    {
        var label = MatchedBy == OutputMatch.Position || (CandidateName is not null && CandidateName != Name)
            ? $"{Subject} '{Name}' (candidate '{CandidateName}')"
            : $"{Subject} '{Name}'";
        switch (Verdict)
        {
            case OutputVerdict.Pass:
                return "";
            case OutputVerdict.Missing or OutputVerdict.ShapeMismatch or OutputVerdict.TypeMismatch:
                return $"{label}: {Problem}";
            case OutputVerdict.NonFinite:
                return $"{label}: {NonFiniteOriginal} NaN/Inf element(s) in the original, {NonFiniteCandidate} in the candidate";
            case OutputVerdict.ToleranceExceeded when Check.Statistic != ErrorStatistic.Elementwise:
                return string.Create(CultureInfo.InvariantCulture,
                    $"{label}: {Check} abs error {Num(StatisticAbsError)} > atol {Num(Tolerance.Atol)} and {Check} rel error " +
                    $"{Num(StatisticRelError)} > rtol {Num(Tolerance.Rtol)}; max abs error {Num(MaxAbsError)}");
            case OutputVerdict.Top1BelowMinimum:
                return string.Create(CultureInfo.InvariantCulture,
                    $"{label}: top-1 agreement {EquivalenceReport.Percent(Top1Agreement ?? 0)} of {Rows} rows is below the required {EquivalenceReport.Percent(MinTop1 ?? 0)}");
        }
        var w = Worst!;
        var run = w.Run.Length > 0 ? $" in run '{w.Run}'" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{label} at index {w.IndexText}{run}: original {Num(w.Original)}, candidate {Num(w.Candidate)}, " +
            $"|diff| {Num(w.AbsError)} > allowed {Num(w.Allowed)} ({Tolerance}); " +
            $"{Violations} of {Elements} elements out of tolerance, max abs error {Num(MaxAbsError)}");
    }

    internal static string Num(double value) => value.ToString("G9", CultureInfo.InvariantCulture).Replace('E', 'e');
}
