using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;
using OnnxBn.Runtime.Verification;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>
/// The layer probe exposes intermediates of every element type: ONNX Runtime types what the probe leaves untyped;
/// floats are compared within tolerance, integers and booleans exactly, sequences not at all.
/// </summary>
public sealed class LayerProbeTests
{
    private static EquivalenceOptions Layers() => new() { CompareLayers = true, Inputs = new RandomInputSource(3, seed: 11) };

    [Fact]
    public void Onnx_Runtime_Types_A_Graph_Output_Declared_Without_A_Type()
    {
        // What ValueInfo.Untyped relies on: a declaration with a name and no type loads, typed from the node writing it.
        var probe = LayerProbe.Expose(TypeChangingModels.Around("TopK"), ["indices", "values"]);

        using var session = ModelSource.FromModel(probe).Open(new SessionSettings(), "probe");

        Assert.Equal(OnnxDataType.Int64, session.FindOutput("indices")!.ElementType);
        Assert.Equal(OnnxDataType.Float, session.FindOutput("values")!.ElementType);
    }

    [Theory]
    [MemberData(nameof(TypeChangingModels.Names), MemberType = typeof(TypeChangingModels))]
    public void Layers_Run_On_A_Model_With_An_Op_That_Changes_Element_Types(string op)
    {
        var model = TypeChangingModels.Around(op);

        var report = EquivalenceChecker.Compare(model, model.Clone(), Layers());

        Assert.True(report.IsEquivalent, report.ToText());
        var layers = report.Layers!;
        Assert.DoesNotContain(layers.Notes, n => n.StartsWith("layer run not made", StringComparison.Ordinal));
        Assert.All(layers.Layers, l => Assert.True(l.Passed && l.Comparison.Elements > 0, l.Tensor));
        Assert.Contains(layers.Layers, l => l.Tensor == "y");
        Assert.Contains(layers.Layers, l => l.Tensor == "r");
        // Floats within the tolerance, integers and booleans exactly.
        Assert.All(layers.Layers.Where(l => !LayerTypes.IsFloat(l.Comparison.ElementType)),
            l => Assert.Equal(new Tolerance(0, 0), l.Comparison.Tolerance));
    }

    [Theory]
    [InlineData("TopK", "values", OnnxDataType.Float)]
    [InlineData("TopK", "indices", OnnxDataType.Int64)]
    [InlineData("MaxPoolWithIndices", "argmax", OnnxDataType.Int64)]
    [InlineData("DropoutMask", "mask", OnnxDataType.Bool)]
    [InlineData("Where", "kept", OnnxDataType.Float)]
    [InlineData("Unique", "counts", OnnxDataType.Int64)]
    [InlineData("Sequence", "joined", OnnxDataType.Float)]
    public void Each_Intermediate_Is_Compared_With_Its_Own_Element_Type(string op, string tensor, OnnxDataType type)
    {
        var layers = EquivalenceChecker.Compare(TypeChangingModels.Around(op), TypeChangingModels.Around(op), Layers()).Layers!;

        Assert.Equal(type, Assert.Single(layers.Layers, l => l.Tensor == tensor).Comparison.ElementType);
    }

    [Fact]
    public void A_Sequence_Is_Exposed_But_Not_Compared()
    {
        var layers = EquivalenceChecker.Compare(TypeChangingModels.Around("Sequence"), TypeChangingModels.Around("Sequence"), Layers()).Layers!;

        Assert.DoesNotContain(layers.Layers, l => l.Tensor == "columns");
        Assert.DoesNotContain(layers.Unmatched, u => u.Tensor == "columns");
    }

    [Fact]
    public void An_Index_Flipped_By_A_Difference_Within_Tolerance_Is_The_First_Divergence()
    {
        // h = c for every row; the original's c is a tie (ArgMax takes 0), the candidate's second entry is one float
        // step above it: h agrees within tolerance, the index does not.
        static OnnxModel Tie(float second) => new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 2).Output("y", OnnxDataType.Float, "N", 2)
            .Initializer("zero", [1], 0f).Initializer("c", [2], 1f, second)
            .Node("Mul", ["x", "zero"], ["z"], "mul")
            .Node("Add", ["z", "c"], ["h"], "add")
            .Node("ArgMax", ["h"], ["arg"], "argmax", ("axis", 1L), ("keepdims", 1L))
            .Node("Cast", ["arg"], ["arg_f"], "cast", ("to", (long)OnnxDataType.Float))
            .Node("Add", ["h", "arg_f"], ["y"], "add_index").Build();

        var report = EquivalenceChecker.Compare(Tie(1f), Tie(MathF.BitIncrement(1f)), Layers());

        var layers = report.Layers!;
        Assert.True(layers.Layers.Single(l => l.Tensor == "h").Passed);
        var first = layers.FirstDivergence!;
        Assert.Equal(("arg", OnnxDataType.Int64), (first.Tensor, first.Comparison.ElementType));
        Assert.Equal(new Tolerance(0, 0), first.Comparison.Tolerance);
        Assert.Contains("int64 values are compared exactly", report.ToText());
        // The worst layers show how far float values moved first, then where a choice changed.
        var worst = layers.Worst(3).Select(l => l.Tensor).ToArray();
        Assert.Equal(["arg_f", "y"], worst[..2].Order(StringComparer.Ordinal));
        Assert.Equal("arg", worst[2]);
    }
}
