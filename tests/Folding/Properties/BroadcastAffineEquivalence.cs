using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// The property of a tf2onnx-style Mul(+Add) that may broadcast: after FoldPass.Run (with and without
/// LowerUnfolded) the graph keeps its invariants and computes what it computed before, and a Mul that broadcasts a
/// 1-channel input up to C channels is never folded or merged: the node stays, and its fate (if any) is Kept with
/// its own reason.
/// </summary>
internal static class BroadcastAffineEquivalence
{
    /// <summary>What a family run exercised, so a generator that stopped producing folds or broadcasts is noticed.</summary>
    public sealed class Tally
    {
        public int Folded { get; set; }

        public int BroadcastKept { get; set; }
    }

    /// <summary>Checks one problem under both option sets; null when it holds, else a message starting with the problem.</summary>
    public static string? Violation(BroadcastAffineProblem problem, Tally? tally = null)
    {
        bool lower = false;
        try
        {
            var built = BroadcastAffineBuilder.Build(problem);
            var expected = ReferenceEvaluator.Evaluate(built.Model, built.Inputs)["y"];
            for (int pass = 0; pass < 2; pass++)
            {
                lower = pass == 1;
                var folded = built.Model.Clone();
                var report = FoldPass.Run(folded, new FoldOptions { LowerUnfolded = lower });
                string Fail(string what) =>
                    $"{problem}\n  lower-unfolded={lower}: {what}\n  report: {string.Join(" | ", report.Fates.Select(f => $"{f.Node}: {f.Description}"))}";

                folded.Graph.CheckInvariants();
                var actual = ReferenceEvaluator.Evaluate(folded, built.Inputs)["y"];
                if (!actual.Shape.SequenceEqual(expected.Shape))
                    return Fail($"output shape [{string.Join(",", actual.Shape)}] != original [{string.Join(",", expected.Shape)}]");
                double scale = Math.Max(1, expected.MaxAbs());
                double error = actual.MaxAbsDiff(expected);
                double tolerance = FoldEquivalence.Tolerance(problem.ElementType);
                if (!(error <= tolerance * scale))
                    return Fail($"max |folded − original| = {error:G6} > {tolerance:G2}·{scale:G6}");
                if (problem.Broadcasts && BroadcastViolation(built.Model, folded, report) is { } broken)
                    return Fail(broken);
                if (!lower && tally is not null)
                {
                    tally.Folded += report.Folded;
                    if (problem.Broadcasts) tally.BroadcastKept++;
                }
            }
            return null;
        }
        catch (Exception ex)
        {
            return $"{problem}\n  lower-unfolded={lower}: threw {ex.GetType().Name}: {ex.Message}";
        }
    }

    /// <summary>Why the broadcasting Mul was folded or merged away, or null when it is still there, reading the same operands.</summary>
    private static string? BroadcastViolation(OnnxModel original, OnnxModel folded, FoldReport report)
    {
        var before = original.Graph.Nodes.Single(n => n.Name == BroadcastAffineBuilder.MulNode);
        var after = folded.Graph.Nodes.SingleOrDefault(n => n.Name == BroadcastAffineBuilder.MulNode);
        if (after is null)
            return $"the broadcasting Mul '{BroadcastAffineBuilder.MulNode}' was removed";
        if (!after.Inputs.SequenceEqual(before.Inputs))
            return $"the broadcasting Mul now reads ({string.Join(", ", after.Inputs)}), not ({string.Join(", ", before.Inputs)})";
        if (report.Fates.FirstOrDefault(f => f.Node == BroadcastAffineBuilder.MulNode) is { } fate
            && (fate.Outcome != BnOutcome.Kept || fate.Detail.StartsWith("merged", StringComparison.Ordinal) || fate.Detail.Length == 0))
            return $"the broadcasting Mul's fate is {fate.Outcome}: '{fate.Detail}'";
        return null;
    }

    /// <summary>Runs <paramref name="count"/> seeds and fails listing every violating seed; returns what was exercised.</summary>
    public static Tally AssertFamily(Func<int, BroadcastAffineProblem> generate, int count)
    {
        var tally = new Tally();
        var failures = new List<string>();
        for (int seed = 0; seed < count; seed++)
            if (Violation(generate(seed), tally) is { } message)
                failures.Add(message);
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {count} seeds violate the broadcasting-affine property:\n" + string.Join("\n", failures.Take(8)));
        return tally;
    }

    /// <summary>Asserts one (pinned) problem.</summary>
    public static void AssertHolds(BroadcastAffineProblem problem)
    {
        string? violation = Violation(problem);
        Assert.True(violation is null, violation);
    }
}
