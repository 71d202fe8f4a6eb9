using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Tests.Benchmarking;

/// <summary>Input shapes from metadata, batch sizes and --shape, and seeded values.</summary>
public sealed class BenchmarkInputsTests
{
    private static SessionPort Input(params long[] shape) =>
        new("x", OnnxValueType.ONNX_TYPE_TENSOR, OnnxDataType.Float, shape, shape.Select(d => d < 0 ? "N" : "").ToArray());

    [Fact]
    public void Symbolic_First_Dimension_Becomes_The_Batch()
    {
        Assert.Equal([32L, 1, 28, 28], BenchmarkInputs.ShapeFor(Input(-1, 1, 28, 28), 32));
    }

    [Fact]
    public void Other_Symbolic_Dimensions_Default_To_One_Or_Come_From_Shape()
    {
        var input = Input(-1, -1, 16);
        Assert.Equal([4L, 1, 16], BenchmarkInputs.ShapeFor(input, 4));
        var shapes = new Dictionary<string, long[]> { ["x"] = [1, 50, 16] };
        Assert.Equal([4L, 50, 16], BenchmarkInputs.ShapeFor(input, 4, shapes));
    }

    [Fact]
    public void Fixed_First_Dimension_Accepts_Only_Its_Own_Batch()
    {
        Assert.Equal([1L, 784], BenchmarkInputs.ShapeFor(Input(1, 784), 1));
        var ex = Assert.Throws<BenchmarkSetupException>(() => BenchmarkInputs.ShapeFor(Input(1, 784), 8));
        Assert.Contains("fixed first dimension of 1", ex.Message);
    }

    [Fact]
    public void Shape_That_Contradicts_The_Model_Is_Refused()
    {
        var shapes = new Dictionary<string, long[]> { ["x"] = [1, 785] };
        Assert.Contains("fixes it at 784", Assert.Throws<BenchmarkSetupException>(() => BenchmarkInputs.ShapeFor(Input(-1, 784), 1, shapes)).Message);
        shapes["x"] = [1, 784, 1];
        var tooMany = Assert.Throws<BenchmarkSetupException>(() => BenchmarkInputs.ShapeFor(Input(-1, 784), 1, shapes));
        Assert.Contains("has 3 dimensions", tooMany.Message);
        Assert.Equal(InputRemedy.Shape, tooMany.Remedy);
    }

    [Fact]
    public void Source_Feed_Is_Bound_When_Its_Batch_Matches()
    {
        using var session = ModelSession.Open(BenchTestModels.GemmBnRelu());
        var source = new FixedSource(TensorData.Create("x", [2, 4], [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f]));
        var inputs = BenchmarkInputs.FromSource(session, 2, source);
        using (var x = inputs["x"])
            Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], x.ToArray<float>());
        var ex = Assert.Throws<BenchmarkSetupException>(() => BenchmarkInputs.FromSource(session, 3, source));
        Assert.Contains("holds 2 samples, not batch 3", ex.Message);
        Assert.Contains("nothing for input 'x'", Assert.Throws<BenchmarkSetupException>(
            () => BenchmarkInputs.FromSource(session, 2, new FixedSource(TensorData.Create("y", [2, 4], new float[8])))).Message);
    }

    /// <summary>One feed holding the given tensors.</summary>
    private sealed class FixedSource(params TensorData[] tensors) : IInputSource
    {
        public string Description => "fixed";

        public IEnumerable<InputFeed> Feeds(IReadOnlyList<InputSignature> inputs) => [new InputFeed("fixed", tensors)];
    }

    [Fact]
    public void Same_Seed_Gives_Same_Values_And_Another_Seed_Differs()
    {
        using var session = ModelSession.Open(BenchTestModels.GemmBnRelu());
        float[] Values(int seed)
        {
            var inputs = BenchmarkInputs.Create(session, 2, seed);
            using var x = inputs["x"];
            Assert.Equal([2L, 4L], x.Shape());
            return x.ToArray<float>();
        }
        Assert.Equal(Values(7), Values(7));
        Assert.NotEqual(Values(7), Values(8));
    }

    [Fact]
    public void Values_Come_From_The_Portable_Generator_So_Runs_In_Other_Processes_Repeat_Them()
    {
        // HashCode.Combine or System.Random would differ between processes or .NET versions; SeededRandom does not.
        using var session = ModelSession.Open(BenchTestModels.GemmBnRelu());
        var inputs = BenchmarkInputs.Create(session, 2, seed: 7);
        using var x = inputs["x"];
        var expected = RandomInputSource.Create("x", OnnxDataType.Float, [2, 4], new SeededRandom(7 * 1_000_003L + 2));
        Assert.Equal(expected.ToArray<float>(), x.ToArray<float>());
    }
}
