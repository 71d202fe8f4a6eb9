using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// Seeded BN → (Relu | LeakyRelu | PRelu) → pools → (padded Conv | Flatten→Gemm | Flatten→MatMul) problems, some
/// forking after the pools into a second Conv1x1 as well, with
/// random positive and negative scales: the folded model computes what the original does (reference evaluator), a
/// BN with every scale positive becomes Add(t/s) with s in the linear op, and one with a negative scale is kept with
/// the blocking channels named. The seed is in every failure message.
/// </summary>
public sealed class ActivationPathPropertyTests
{
    private const int Seeds = 200;

    [Fact]
    public void Bn_Before_An_Activation_Folds_Its_Scale_Forward_Exactly_Or_Is_Kept_For_Negative_Scales()
    {
        var failures = new List<string>();
        int folded = 0, kept = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var problem = ActivationPathProblem.Generate(seed);
            if (Violation(problem) is { } violation)
                failures.Add(violation);
            else if (problem.MustFold) folded++;
            else kept++;
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Seeds} seeds violate the property:\n" + string.Join("\n", failures.Take(8)));
        // The generator must keep exercising both sides.
        Assert.True(folded > Seeds / 3 && kept > Seeds / 10, $"{folded} folded, {kept} kept of {Seeds}");
    }

    private static string? Violation(ActivationPathProblem problem)
    {
        try
        {
            var (model, inputs) = problem.Build();
            var before = ReferenceEvaluator.Evaluate(model, inputs);
            var after = model.Clone();
            var report = FoldPass.Run(after);
            string Fail(string what) => $"{problem}\n  {what}\n  report: {string.Join(" | ", report.Fates.Select(f => $"{f.Node}: {f.Description}"))}";

            var folded = ReferenceEvaluator.Evaluate(after, inputs);
            foreach (var (name, expected) in before)
            {
                var actual = folded[name];
                double bound = FoldEquivalence.Tolerance(OnnxDataType.Float) * Math.Max(1, expected.MaxAbs());
                if (!actual.Shape.SequenceEqual(expected.Shape) || !(actual.MaxAbsDiff(expected) <= bound))
                    return Fail($"folded '{name}' differs from the original by {actual.MaxAbsDiff(expected):G4} > {bound:G4}");
            }
            var fate = report.Fates.Single(f => f.Node == "bn");
            bool bnLeft = after.Graph.Nodes.Any(n => n.Is("BatchNormalization"));
            if (problem.MustFold && (fate.Outcome != BnOutcome.FoldedForward || bnLeft || !fate.Detail.Contains("scale through act", StringComparison.Ordinal)))
                return Fail("the BN should have become Add(t/s) with its scale in the linear op");
            string blocking = $"{(problem.NegativeChannels.Count == 1 ? "channel" : "channels")} {string.Join(", ", problem.NegativeChannels.Take(4))}";
            if (!problem.MustFold && (fate.Outcome != BnOutcome.Kept || !bnLeft || !fate.Detail.Contains(blocking, StringComparison.Ordinal)))
                return Fail($"the BN should have been kept naming {blocking}");
            return null;
        }
        catch (Exception ex)
        {
            return $"{problem}\n  threw {ex.GetType().Name}: {ex.Message}";
        }
    }
}
