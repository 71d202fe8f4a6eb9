using OnnxBn.TestUtilities;
using static OnnxBn.Folding.Tests.Safety.SafetyFixtures;

namespace OnnxBn.Folding.Tests.Shapes;

/// <summary>
/// The one shape inference every rule and <c>inspect</c> read: computed Reshape shapes, the integer values behind them,
/// and the ops exporters put around BNs.
/// </summary>
public sealed class ShapeInferenceTests
{
    private const OnnxDataType Float = OnnxDataType.Float;

    private static string Shape(ShapeInference shapes, string value) =>
        shapes.ShapeOf(value) is { } s ? "[" + string.Join(",", s) + "]" : "null";

    private static ShapeInference Infer(GraphBuilder builder) => new(builder.Build().Graph);

    /// <summary>Keras' <c>x.reshape(x.shape[0], 784)</c>: Shape → Gather(0) → Unsqueeze → Concat([·, 784]) → Reshape.</summary>
    private static GraphBuilder KerasFlatten(long opset = 13) => new GraphBuilder(opset)
        .Input("x", Float, "batch", 1, 28, 28)
        .OutputWithoutShape("y", Float)
        .Node("Shape", ["x"], ["dims"], "shape")
        .Constant("zero", TensorData.Create<long>("", [], [0]))
        .Node("Gather", ["dims", "zero"], ["n"], "gather", ("axis", 0L))
        .Constant("axes", TensorData.Create<long>("", [1], [0]))
        .Node("Unsqueeze", ["n", "axes"], ["n1"], "unsqueeze")
        .Constant("features", TensorData.Create<long>("", [1], [784]))
        .Node("Concat", ["n1", "features"], ["target"], "concat", ("axis", 0L))
        .Node("Reshape", ["x", "target"], ["flat"], "reshape")
        .Node("Relu", ["flat"], ["y"], "relu");

    [Fact]
    public void Computes_A_Keras_Flatten_Shape_With_The_Symbolic_Batch()
    {
        var shapes = Infer(KerasFlatten());

        Assert.Equal("batch,1,28,28", string.Join(",", shapes.ValuesOf("dims")!));
        Assert.Equal("[2]", Shape(shapes, "target"));
        Assert.Equal("batch,784", string.Join(",", shapes.ValuesOf("target")!));
        Assert.Equal("[batch,784]", Shape(shapes, "flat"));
        Assert.Equal("[batch,784]", Shape(shapes, "y"));
    }

    [Fact]
    public void Reads_Opset_11_Unsqueeze_Axes_From_The_Attribute()
    {
        var builder = new GraphBuilder(11)
            .Input("x", Float, "N", 3, 4)
            .OutputWithoutShape("y", Float)
            .Node("Shape", ["x"], ["dims"])
            .Constant("zero", TensorData.Create<long>("", [], [0]))
            .Node("Gather", ["dims", "zero"], ["n"], "gather", ("axis", 0L))
            .Node("Unsqueeze", ["n"], ["n1"], "unsqueeze", ("axes", new long[] { 0 }))
            .Constant("rest", TensorData.Create<long>("", [1], [-1]))
            .Node("Concat", ["n1", "rest"], ["target"], "concat", ("axis", 0L))
            .Node("Reshape", ["x", "target"], ["y"]);

        // −1 is x's 3·4 elements per sample: the symbolic N cancels.
        Assert.Equal("[N,12]", Shape(Infer(builder), "y"));
    }

    [Fact]
    public void Multiplies_Gathered_Dims_For_A_Flatten_Written_As_Arithmetic()
    {
        // x.reshape(x.shape[0], x.shape[1] * x.shape[2]) as tf2onnx writes it.
        var builder = new GraphBuilder()
            .Input("x", Float, "N", 3, 5)
            .OutputWithoutShape("y", Float)
            .Node("Shape", ["x"], ["dims"])
            .Initializer(TensorData.Create<long>("i0", [1], [0]))
            .Initializer(TensorData.Create<long>("i1", [1], [1]))
            .Initializer(TensorData.Create<long>("i2", [1], [2]))
            .Node("Gather", ["dims", "i0"], ["d0"])
            .Node("Gather", ["dims", "i1"], ["d1"])
            .Node("Gather", ["dims", "i2"], ["d2"])
            .Node("Mul", ["d1", "d2"], ["d12"])
            .Node("Concat", ["d0", "d12"], ["target"], "concat", ("axis", 0L))
            .Node("Reshape", ["x", "target"], ["y"]);

        Assert.Equal("[N,15]", Shape(Infer(builder), "y"));
    }

    [Fact]
    public void Slices_A_Shape_Vector()
    {
        // Reshape(x, Concat(Shape(x)[0:2], [-1])): keeps N and C, flattens the rest.
        var builder = new GraphBuilder()
            .Input("x", Float, "N", 3, 2, 5)
            .OutputWithoutShape("y", Float)
            .Node("Shape", ["x"], ["dims"])
            .Initializer(TensorData.Create<long>("starts", [1], [0]))
            .Initializer(TensorData.Create<long>("ends", [1], [2]))
            .Node("Slice", ["dims", "starts", "ends"], ["head"])
            .Initializer(TensorData.Create<long>("rest", [1], [-1]))
            .Node("Concat", ["head", "rest"], ["target"], "concat", ("axis", 0L))
            .Node("Reshape", ["x", "target"], ["y"]);

        Assert.Equal("[N,3,10]", Shape(Infer(builder), "y"));
    }

    [Fact]
    public void Knows_The_Rank_Of_A_Reshape_To_A_Shape_Of_Known_Length_Only()
    {
        var builder = new GraphBuilder()
            .Input("x", Float, 2, 6)
            .Input("target", OnnxDataType.Int64, 3)
            .OutputWithoutShape("y", Float)
            .Node("Reshape", ["x", "target"], ["y"]);

        Assert.Equal("[?,?,?]", Shape(Infer(builder), "y"));
    }

    [Fact]
    public void Infers_Conv_Pool_Gemm_MatMul_Transpose_And_Flatten()
    {
        var builder = new GraphBuilder()
            .Input("x", Float, "N", 2, 9, 9)
            .OutputWithoutShape("y", Float)
            .Initializer("W", [4, 2, 3, 3], new float[72])
            .Node("Conv", ["x", "W"], ["c"], "conv", ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 }))
            .Node("MaxPool", ["c"], ["p"], "pool", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("Transpose", ["p"], ["t"], "nhwc", ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("Flatten", ["p"], ["f"], "flatten")
            .Initializer("B", [5, 16], new float[80])
            .Node("Gemm", ["f", "B"], ["g"], "fc", ("transB", 1L))
            .Initializer("M", [5, 7], new float[35])
            .Node("MatMul", ["g", "M"], ["y"], "mm")
            .Node("GlobalAveragePool", ["c"], ["gap"], "gap");

        var shapes = Infer(builder);
        Assert.Equal("[N,4,5,5]", Shape(shapes, "c"));
        Assert.Equal("[N,4,2,2]", Shape(shapes, "p"));
        Assert.Equal("[N,2,2,4]", Shape(shapes, "t"));
        Assert.Equal("[N,16]", Shape(shapes, "f"));
        Assert.Equal("[N,5]", Shape(shapes, "g"));
        Assert.Equal("[N,7]", Shape(shapes, "y"));
        Assert.Equal("[N,4,1,1]", Shape(shapes, "gap"));
    }

    [Fact]
    public void Broadcasts_Element_Wise_Ops_From_The_End()
    {
        var builder = new GraphBuilder()
            .Input("x", Float, "N", 1, 4, 4)
            .Input("z", Float, 3, 1, 1)
            .OutputWithoutShape("y", Float)
            .Node("Mul", ["x", "z"], ["y"]);

        Assert.Equal("[N,3,4,4]", Shape(Infer(builder), "y"));
    }

    [Fact]
    public void A_Declared_Dim_Wins_And_An_Unknown_One_Is_Filled_In()
    {
        var builder = new GraphBuilder()
            .Input("x", Float, "N", 2, 4)
            .Output("y", Float, "N", "?", 4)
            .Initializer("W", [3, 2, 1], new float[6])
            .Node("Conv", ["x", "W"], ["y"], "conv");

        Assert.Equal("[N,3,4]", Shape(Infer(builder), "y"));
    }

    [Fact]
    public void Squeezes_Unsqueezes_And_Reduces()
    {
        var builder = new GraphBuilder(11)
            .Input("x", Float, "N", 3, 1, 1)
            .OutputWithoutShape("y", Float)
            .Node("Squeeze", ["x"], ["s"], "squeeze", ("axes", new long[] { 2, 3 }))
            .Node("Unsqueeze", ["s"], ["u"], "unsqueeze", ("axes", new long[] { 1 }))
            .Node("ReduceMean", ["u"], ["y"], "mean", ("axes", new long[] { 2 }), ("keepdims", 0L));

        var shapes = Infer(builder);
        Assert.Equal("[N,3]", Shape(shapes, "s"));
        Assert.Equal("[N,1,3]", Shape(shapes, "u"));
        Assert.Equal("[N,1]", Shape(shapes, "y"));
    }

    [Fact]
    public void An_Op_Of_Another_Domain_Has_No_Shape()
    {
        var proto = Onnx.Proto.ModelProto.Parser.ParseFrom(new GraphBuilder()
            .Input("x", Float, 2, 3)
            .OutputWithoutShape("y", Float)
            .Node("Relu", ["x"], ["y"])
            .ToBytes());
        proto.Graph.Node[0].Domain = "com.example";
        proto.OpsetImport.Add(new Onnx.Proto.OperatorSetIdProto { Domain = "com.example", Version = 1 });
        var model = OnnxModel.FromBytes(Google.Protobuf.MessageExtensions.ToByteArray(proto));

        Assert.Null(new ShapeInference(model.Graph).ShapeOf("y"));
    }

    [Fact]
    public void Bn_After_A_Keras_Flatten_And_A_MatMul_Folds_Backward()
    {
        // Before one shape inference, the computed Reshape left the MatMul's rank unknown and the BN was kept.
        var model = KerasFlatten()
            .Initializer("W", [784, 2], Enumerable.Range(0, 1568).Select(i => (float)Math.Sin(i)).ToArray())
            .Node("MatMul", ["y", "W"], ["m"], "dense")
            .Output("out", Float, "batch", 2)
            .Bn("bn", "m", "out")
            .Build();
        var original = model.Clone();

        var report = FoldPass.Run(model);

        Assert.Equal(BnOutcome.FoldedBackward, Fate(report, "bn").Outcome);
        AssertSameOutputs(original, model, Feed("x", Input(2, 1, 28, 28)));
    }
}
