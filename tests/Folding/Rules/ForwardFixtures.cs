using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.Rules;

/// <summary>Small graphs shared by the forward and merge rule tests, with numbers easy to work by hand.</summary>
internal static class ForwardFixtures
{
    /// <summary>BN parameters giving s = [1, 2], t = [0.5, -3] (ε = 0): γ = [2, 6], var = [4, 9], mean = [0.5, 1], β = [1, -1].</summary>
    public static GraphBuilder Bn(this GraphBuilder builder, string name, string input, string output) => builder
        .Initializer($"{name}.gamma", [2], 2f, 6f)
        .Initializer($"{name}.beta", [2], 1f, -1f)
        .Initializer($"{name}.mean", [2], 0.5f, 1f)
        .Initializer($"{name}.var", [2], 4f, 9f)
        .Node("BatchNormalization", [input, $"{name}.gamma", $"{name}.beta", $"{name}.mean", $"{name}.var"], [output], name, ("epsilon", 0f));

    /// <summary>BN parameters giving s = [2, 1], t = [1, 0] (ε = 0).</summary>
    public static GraphBuilder SecondBn(this GraphBuilder builder, string name, string input, string output) => builder
        .Initializer($"{name}.gamma", [2], 2f, 1f)
        .Initializer($"{name}.beta", [2], 1f, 0f)
        .Initializer($"{name}.mean", [2], 0f, 0f)
        .Initializer($"{name}.var", [2], 1f, 1f)
        .Node("BatchNormalization", [input, $"{name}.gamma", $"{name}.beta", $"{name}.mean", $"{name}.var"], [output], name, ("epsilon", 0f));

    public static double[] Values(this OnnxModel model, string name) =>
        model.Graph.TryGetConstant(name, out var t) ? t.ToDoubleArray() : throw new KeyNotFoundException(name);

    public static Node Single(this OnnxModel model, string opType) => Assert.Single(model.Graph.Nodes, n => n.OpType == opType);

    public static string[] OpTypes(this OnnxModel model) => model.Graph.Nodes.Select(n => n.OpType).ToArray();

    /// <summary>True when no node reads or writes <paramref name="value"/>.</summary>
    public static bool IsGone(this OnnxModel model, string value) =>
        model.Graph.Producer(value) is null && model.Graph.Consumers(value).Count == 0;
}
