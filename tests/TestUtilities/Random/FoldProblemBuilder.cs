using OnnxBn.Folding;
using OnnxBn.Runtime.Reference;

namespace OnnxBn.TestUtilities.Random;

/// <summary>A generated model and the inputs to run it on.</summary>
public sealed record BuiltProblem(FoldProblem Problem, OnnxModel Model, IReadOnlyDictionary<string, RefTensor> Inputs);

/// <summary>
/// Turns a <see cref="FoldProblem"/> into an ONNX model (random weights; BN statistics γ ~ U(0.5,1.5),
/// β ~ N(0,0.2), mean ~ N(0,0.5), var ~ U(0.5,2)) and random N(0,1) inputs, all drawn from the problem's seed.
/// Backward: x → Linear → [ActivationBetween] → affine×k → [Activation] → y.
/// Forward: x → [Activation] → affine×k → [Flatten|Reshape] → Linear → y.
/// </summary>
public static partial class FoldProblemBuilder
{
    /// <summary>Builds the model (graph output shape declared) and its input.</summary>
    public static BuiltProblem Build(FoldProblem p)
    {
        var inputs = new Dictionary<string, RefTensor> { ["x"] = Input(p) };
        // The output's shape comes from evaluating the same graph once without it: the oracle already knows every
        // op's shape arithmetic, and a declared output shape lets rules see the ranks they check.
        var provisional = Graph(p).OutputWithoutShape("y", p.ElementType).Build();
        var y = ReferenceEvaluator.EvaluateSingle(provisional, inputs["x"]);
        var model = Graph(p).Output("y", p.ElementType, y.Shape.Cast<object>().ToArray()).Build();
        return new BuiltProblem(p, model, inputs);
    }

    /// <summary>The shape of the model input x.</summary>
    public static long[] InputShape(FoldProblem p) => p.Kind switch
    {
        LinearKind.Conv or LinearKind.ConvTranspose => [p.Batch, p.InChannels, .. p.Spatial],
        _ when p.Reshaping != Reshaping.None => [p.Batch, FlattenedChannels(p), .. p.Spatial],
        _ when p.MatMulLeadingDim > 0 => [p.Batch, p.MatMulLeadingDim, p.InChannels],
        _ => [p.Batch, p.InChannels],
    };

    /// <summary>Channels of the NCHW tensor that is flattened into <see cref="FoldProblem.InChannels"/> features.</summary>
    public static long FlattenedChannels(FoldProblem p) => p.InChannels / p.Spatial.Aggregate(1L, (a, d) => a * d);

    /// <summary>The channel count each affine op normalizes (axis 1 of its input).</summary>
    public static long AffineChannels(FoldProblem p) => p.Position switch
    {
        BnPosition.Before => InputShape(p)[1],
        _ when p.MatMulLeadingDim > 0 => p.MatMulLeadingDim,
        _ => p.OutChannels,
    };

    private static RefTensor Input(FoldProblem p)
    {
        var rng = new SeededRandom(unchecked(p.Seed * 31 + 7));
        var shape = InputShape(p);
        var data = rng.Normals(RefTensor.ElementCount(shape), 1);
        return RefTensor.FromTensorData(TensorData.FromDoubles("x", p.ElementType, shape, data));
    }

    private static GraphBuilder Graph(FoldProblem p)
    {
        var g = new Emitter(p);
        g.Builder.Input("x", p.ElementType, InputShape(p).Cast<object>().ToArray());
        string value = "x";
        if (p.Position == BnPosition.After)
        {
            value = g.Linear(value);
            if (p.ActivationBetween is not null) value = g.Activation(p.ActivationBetween, value);
            for (int i = 0; i < p.AffineCount; i++) value = g.Affine(value, AffineChannels(p));
            if (p.Activation is not null) value = g.Activation(p.Activation, value);
        }
        else
        {
            if (p.Activation is not null) value = g.Activation(p.Activation, value);
            for (int i = 0; i < p.AffineCount; i++) value = g.Affine(value, AffineChannels(p));
            value = g.Reshape(value);
            value = g.Linear(value);
        }
        return g.Finish(value, "y");
    }
}
