using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The result of comparing two models: one <see cref="OutputComparison"/> per output of the original, problems that
/// stop a comparison (an input the candidate lacks, no data), and how the runs went. Use <see cref="IsEquivalent"/>
/// and <see cref="FailureMessage"/>, or <see cref="AssertEquivalent"/> in a test; <see cref="ToText"/>,
/// <see cref="ToJson"/> and <see cref="ToJUnitXml"/> format it for people, dashboards and CI test views.
/// </summary>
public sealed partial class EquivalenceReport
{
    /// <summary>The original (reference) model's path or label.</summary>
    public required string Original { get; init; }

    /// <summary>The candidate model's path or label.</summary>
    public required string Candidate { get; init; }

    /// <summary>The provider the original ran on.</summary>
    public required Device OriginalDevice { get; init; }

    /// <summary>The provider the candidate ran on.</summary>
    public required Device CandidateDevice { get; init; }

    /// <summary>ONNX Runtime's graph optimization level for both sessions.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; }

    /// <summary>Where the inputs came from.</summary>
    public required string Inputs { get; init; }

    /// <summary>Runs made (pairs of Run calls).</summary>
    public int Runs { get; init; }

    /// <summary>Per output of the original, in its order.</summary>
    public required IReadOnlyList<OutputComparison> Outputs { get; init; }

    /// <summary>Failures that are not about one output's values (for example an input the candidate lacks).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Remarks that do not fail the check (extra candidate outputs, a CPU fallback).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The layer-by-layer comparison, when asked for (<see cref="EquivalenceOptions.CompareLayers"/>); it does not change the verdict.</summary>
    public LayerReport? Layers { get; init; }

    /// <summary>
    /// With the float64 reference (<see cref="EquivalenceOptions.Float64Reference"/>): the evidence that outputs which
    /// failed on tolerance differ by float rounding, not by the fold; null when the numbers do not show that.
    /// </summary>
    public RoundingDiagnosis? RoundingDiagnosis => Verification.RoundingDiagnosis.Of(this);

    /// <summary>Wall-clock time of the whole comparison, including loading both models.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Time spent inside ONNX Runtime's Run calls (both models).</summary>
    public TimeSpan RunTime { get; init; }

    /// <summary>Time spent loading both models into ONNX Runtime sessions.</summary>
    public TimeSpan LoadTime { get; init; }

    /// <summary>True when every output passed, at least one run was made and nothing else went wrong.</summary>
    public bool IsEquivalent => Problems.Count == 0 && Runs > 0 && Outputs.Count > 0 && Outputs.All(o => o.Passed);

    /// <summary>The outputs that failed.</summary>
    public IEnumerable<OutputComparison> Failures => Outputs.Where(o => !o.Passed);

    /// <summary>
    /// Empty when equivalent; otherwise a headline and one line per problem and per failed output naming the output,
    /// the index of the worst element, the run it came from and both values.
    /// </summary>
    public string FailureMessage
    {
        get
        {
            if (IsEquivalent)
                return "";
            var failed = Failures.ToList();
            var lines = new List<string>
            {
                $"{Candidate} is not equivalent to {Original}: {failed.Count} of {Outputs.Count} output(s) failed" +
                $"{(Problems.Count > 0 ? $", {Problems.Count} problem(s)" : "")} ({Runs} run(s) on {Inputs}).",
            };
            lines.AddRange(Problems.Select(p => "  - " + p));
            if (Runs == 0 && Problems.Count == 0)
                lines.Add("  - no run was made: the input source produced no data");
            lines.AddRange(failed.Select(o => "  - " + o.Describe()));
            return string.Join(Environment.NewLine, lines);
        }
    }

    /// <summary>Throws an <see cref="EquivalenceException"/> carrying <see cref="FailureMessage"/> unless equivalent.</summary>
    /// <exception cref="EquivalenceException">The models are not equivalent.</exception>
    public EquivalenceReport AssertEquivalent() => IsEquivalent ? this : throw new EquivalenceException(this);

    /// <summary>Fraction of the elapsed time spent outside ONNX Runtime's Run calls (loading included).</summary>
    public double OverheadFraction => Elapsed > TimeSpan.Zero ? 1 - RunTime / Elapsed : 0;
}
