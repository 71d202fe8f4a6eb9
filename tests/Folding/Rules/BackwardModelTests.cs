using System.Text.Json;
using OnnxBn.Runtime.Reference;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>
/// The synthetic models in models/ whose manifest expects backward folds: each BN marked `backward into X` is folded
/// into X and no other BN is folded backward; the folded model still reproduces the stored reference output
/// (evaluated by the float64 reference evaluator, within the manifest's tolerance).
/// </summary>
public sealed class BackwardModelTests
{
    private static readonly string ModelsDirectory = RepositoryPaths.Models;

    /// <summary>Every synth_* model with at least one `backward into` entry in models/manifest.json.</summary>
    public static TheoryData<string> ModelsWithBackwardFolds()
    {
        var data = new TheoryData<string>();
        foreach (var model in Manifest().GetProperty("models").EnumerateObject())
            if (model.Name.StartsWith("synth_", StringComparison.Ordinal) && ExpectedFolds(model.Value).Any(e => e.Target is not null))
                data.Add(model.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsWithBackwardFolds))]
    public void Folds_Backward_Exactly_Where_The_Manifest_Says(string name)
    {
        var entry = Manifest().GetProperty("models").GetProperty(name);
        var model = OnnxModel.Load(Path.Combine(ModelsDirectory, $"{name}.onnx"));
        var reference = ReferenceOutput(name, out var input);

        var report = FoldPass.Run(model, new FoldOptions { Directions = FoldDirections.BackwardOnly });

        foreach (var (node, target) in ExpectedFolds(entry))
        {
            var fate = Assert.Single(report.Fates, f => f.Node == node);
            if (target is null)
                Assert.NotEqual(BnOutcome.FoldedBackward, fate.Outcome);
            else
            {
                Assert.Equal(BnOutcome.FoldedBackward, fate.Outcome);
                Assert.StartsWith(target, fate.Detail);
            }
        }
        AssertMatchesReference(model, input, reference, entry.GetProperty("tolerance").GetDouble());
    }

    [Fact]
    public void Keras_Dense_Then_Affine_Bn_Ends_As_MatMul_Plus_Add()
    {
        const string name = "synth_dense_affine_bn";
        var model = OnnxModel.Load(Path.Combine(ModelsDirectory, $"{name}.onnx"));
        var reference = ReferenceOutput(name, out var input);

        var report = FoldPass.Run(model);

        // dense/MatMul → dense/BiasAdd → Mul → Add → Relu → dense_1/MatMul → dense_1/BiasAdd: the Mul+Add goes.
        var counts = model.Graph.Nodes.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["MatMul"] = 2, ["Add"] = 2, ["Relu"] = 1 }, counts);
        var fate = Assert.Single(report.Fates);
        Assert.Equal("Mul+Add", fate.Kind);
        Assert.Equal("folded backward into dense/MatMul + dense/BiasAdd", fate.Description);
        double tolerance = Manifest().GetProperty("models").GetProperty(name).GetProperty("tolerance").GetDouble();
        AssertMatchesReference(model, input, reference, tolerance);
    }

    private static void AssertMatchesReference(OnnxModel folded, RefTensor input, RefTensor reference, double tolerance)
    {
        var actual = ReferenceEvaluator.EvaluateSingle(folded, input);
        double limit = tolerance * Math.Max(1, reference.MaxAbs());
        Assert.True(actual.MaxAbsDiff(reference) <= limit, $"max |diff| {actual.MaxAbsDiff(reference)} > {limit}");
    }

    private static RefTensor ReferenceOutput(string name, out RefTensor input)
    {
        string data = Path.Combine(ModelsDirectory, name, "test_data_set_0");
        input = RefTensor.FromTensorData(TensorData.LoadTensorProto(Path.Combine(data, "input_0.pb")));
        return RefTensor.FromTensorData(TensorData.LoadTensorProto(Path.Combine(data, "output_0.pb")));
    }

    /// <summary>Each BN of a manifest entry with the node it folds backward into, or null when it does not.</summary>
    private static IEnumerable<(string Node, string? Target)> ExpectedFolds(JsonElement entry)
    {
        const string prefix = "backward into ";
        if (!entry.TryGetProperty("batchnorm", out var bns)) yield break;
        foreach (var bn in bns.EnumerateArray())
        {
            string fold = bn.GetProperty("fold").GetString() ?? "";
            yield return (bn.GetProperty("node").GetString()!, fold.StartsWith(prefix, StringComparison.Ordinal) ? fold[prefix.Length..] : null);
        }
    }

    private static JsonElement Manifest()
    {
        using var stream = File.OpenRead(Path.Combine(ModelsDirectory, "manifest.json"));
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

}
