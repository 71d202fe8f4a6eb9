using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// The property every fold must have: the folded model computes what the original computed (per the float64
/// reference evaluator), and the report tells the truth about what was removed.
/// </summary>
internal static class FoldEquivalence
{
    /// <summary>Relative tolerance: float32 weights are rounded after folding; float64 ones only suffer reassociation.</summary>
    public static double Tolerance(OnnxDataType type) => type == OnnxDataType.Double ? 1e-12 : 1e-5;

    /// <summary>
    /// Checks one problem; returns null when it holds, else a message starting with the problem (its seed).
    /// <paramref name="requireSpecFolds"/>: also require exactly <see cref="FoldProblem.MustFold"/> folds (once the
    /// family's rules are on main); without it only "never fold what must be kept" is required.
    /// </summary>
    public static string? Violation(FoldProblem problem, bool requireSpecFolds)
    {
        try
        {
            var built = FoldProblemBuilder.Build(problem);
            var expected = ReferenceEvaluator.Evaluate(built.Model, built.Inputs)["y"];
            var folded = built.Model.Clone();
            var report = FoldPass.Run(folded);
            var actual = ReferenceEvaluator.Evaluate(folded, built.Inputs)["y"];
            string Fail(string what) => $"{problem}\n  {what}\n  report: {string.Join(" | ", report.Fates.Select(f => $"{f.Node}: {f.Description}"))}";

            if (!actual.Shape.SequenceEqual(expected.Shape))
                return Fail($"output shape [{string.Join(",", actual.Shape)}] != original [{string.Join(",", expected.Shape)}]");
            double scale = Math.Max(1, expected.MaxAbs());
            double error = actual.MaxAbsDiff(expected);
            if (!(error <= Tolerance(problem.ElementType) * scale))
                return Fail($"max |folded − original| = {error:G6} > {Tolerance(problem.ElementType):G2}·{scale:G6}");

            // BN nodes, plus the Mul of every tf2onnx-style or merged (BN→BN) affine op left in the graph.
            int AffineNodes(OnnxModel m) => m.Graph.Nodes.Count(n => n.Is("BatchNormalization") || n.Is("Mul"));
            int remaining = AffineNodes(folded), unfolded = problem.AffineCount - report.Folded;
            // A merged chain leaves one Mul+Add for several BNs; otherwise every unfolded op is still there.
            bool merged = report.Fates.Any(f => f.Detail.StartsWith("merged", StringComparison.Ordinal));
            if (merged ? remaining > unfolded || (unfolded > 0) != (remaining > 0) : remaining != unfolded)
                return Fail($"{remaining} affine op(s) remain but the report says {report.Folded} of {problem.AffineCount} folded");
            if (report.Lowered != 0)
                return Fail($"{report.Lowered} lowered without --lower-unfolded");
            if (problem.Affine == AffineForm.BatchNormalization && report.Fates.Count != problem.AffineCount)
                return Fail($"{report.Fates.Count} fates reported for {problem.AffineCount} BN(s)");
            if (problem.MustKeepAll && report.Folded != 0)
                return Fail($"folded {report.Folded} affine op(s) that must be kept");
            if (requireSpecFolds && report.Folded != problem.MustFold)
                return Fail($"folded {report.Folded}, the spec requires {problem.MustFold}");
            return null;
        }
        catch (Exception ex)
        {
            return $"{problem}\n  threw {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>Runs <paramref name="count"/> seeds of a family and fails listing every violating seed.</summary>
    public static void AssertFamily(Func<int, FoldProblem> generate, int count, bool requireSpecFolds, int firstSeed = 0)
    {
        var failures = new List<string>();
        for (int seed = firstSeed; seed < firstSeed + count; seed++)
            if (Violation(generate(seed), requireSpecFolds) is { } message)
                failures.Add(message);
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {count} seeds violate the fold property:\n" + string.Join("\n", failures.Take(8)));
    }

    /// <summary>Asserts one (pinned) problem.</summary>
    public static void AssertHolds(FoldProblem problem, bool requireSpecFolds)
    {
        string? violation = Violation(problem, requireSpecFolds);
        Assert.True(violation is null, violation);
    }
}
