using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities.Random;

namespace OnnxBn.Folding.Tests.Properties;

/// <summary>
/// Seeded random nestings of If and Loop with Conv/Gemm → BN in every scope (<see cref="ControlFlowProblem"/>): the
/// folded model computes what the original does on both branches (reference evaluator), exactly the BNs whose
/// weights and parameters are constants of their scope or an enclosing one fold, each fate names the BN's scope, and
/// the BNs the report keeps are the ones left in the graphs.
/// </summary>
public sealed class ControlFlowFoldPropertyTests
{
    private const int Seeds = 200;

    [Fact]
    public void Bns_Fold_Equivalently_At_Any_Depth_Of_If_And_Loop()
    {
        var failures = new List<string>();
        int folded = 0, kept = 0, nested = 0;
        for (int seed = 0; seed < Seeds; seed++)
        {
            var problem = ControlFlowProblem.Generate(seed);
            if (Violation(problem) is { } message) failures.Add(message);
            folded += problem.MustFold;
            kept += problem.BnScopes.Count - problem.MustFold;
            nested += problem.BnScopes.Values.Count(path => path != BnFate.MainScope);
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Seeds} seeds fail:\n" + string.Join("\n", failures.Take(8)));
        // The generator must keep exercising every side of the property.
        Assert.True(folded > Seeds && kept > Seeds / 2 && nested > Seeds, $"{folded} foldable, {kept} kept, {nested} nested BNs");
    }

    private static string? Violation(ControlFlowProblem problem)
    {
        try
        {
            var model = problem.Model;
            var folded = model.Clone();
            var report = FoldPass.Run(folded);
            folded = OnnxModel.FromBytes(folded.ToBytes());
            string Fail(string what) => $"{problem}: {what}\n  report: {string.Join(" | ", report.Fates.Select(f => $"{f.Scope} {f.Node}: {f.Description}"))}";

            foreach (bool condition in new[] { true, false })
            {
                var expected = ReferenceEvaluator.Evaluate(model, problem.Inputs(condition))["y"];
                var actual = ReferenceEvaluator.Evaluate(folded, problem.Inputs(condition))["y"];
                double error = actual.MaxAbsDiff(expected), bound = 1e-5 * Math.Max(1, expected.MaxAbs());
                if (!(error <= bound))
                    return Fail($"cond={condition}: max |folded − original| = {error:G4} > {bound:G4}");
            }
            if (report.Folded != problem.MustFold)
                return Fail($"folded {report.Folded}, {problem.MustFold} have constant weights and parameters");
            var scopes = report.Fates.ToDictionary(f => f.Node, f => f.Scope);
            if (!scopes.OrderBy(p => p.Key).SequenceEqual(problem.BnScopes.OrderBy(p => p.Key)))
                return Fail("the fates' scopes are not the BNs' scopes");
            int left = folded.Graph.Scopes().Sum(s => s.Graph.Nodes.Count(n => n.Is("BatchNormalization")));
            if (left != report.Kept)
                return Fail($"{left} BNs left in the graphs, the report keeps {report.Kept}");
            return null;
        }
        catch (Exception ex)
        {
            return $"{problem}: threw {ex.GetType().Name}: {ex.Message}";
        }
    }
}
