using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Reference;
using OnnxBn.Runtime.Sessions;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Reference;

/// <summary>
/// The float64 reference evaluator agrees with ONNX Runtime within float32 rounding: on every bundled model (its own
/// test inputs, original and folded), on the activations the bundled models do not use, and on Pad, Split, Resize and
/// TopK in each mode the evaluator implements.
/// </summary>
public sealed class ReferenceEvaluatorOrtAgreementTests
{
    public static TheoryData<string> BundledModels()
    {
        var data = new TheoryData<string>();
        foreach (var file in RepositoryPaths.ModelFiles())
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(BundledModels))]
    public void Agrees_With_Onnx_Runtime_On_Bundled_Model(string name)
    {
        var original = OnnxModel.Load(Path.Combine(RepositoryPaths.Models, name + ".onnx"));
        var folded = original.Clone();
        FoldPass.Run(folded);
        var input = FirstSamples(TensorData.LoadTensorProto(Path.Combine(RepositoryPaths.Models, name, "test_data_set_0", "input_0.pb")), 2);
        foreach (var model in new[] { original, folded })
        {
            var (ort, exact) = BothOutputs(model, input);
            var half = model.Graph.Outputs[0].ElementType is OnnxDataType.Float16 or OnnxDataType.BFloat16;
            // float32: a few hundred ulps of the output's scale; float16 outputs are rounded to 11 bits once more.
            var allowed = (half ? 1e-2 : 1e-5) * Math.Max(1, exact.MaxAbs());
            Assert.True(exact.MaxAbsDiff(ort) <= allowed, $"{name}: max |ORT - float64| {exact.MaxAbsDiff(ort)} > {allowed}");
        }
    }

    [Theory]
    [InlineData("HardSwish")]
    [InlineData("HardSigmoid")]
    [InlineData("GlobalMaxPool")]
    [InlineData("Sigmoid")]
    [InlineData("LeakyRelu")]
    [InlineData("Elu")]
    public void Agrees_With_Onnx_Runtime_On_Activation(string op)
    {
        var model = new GraphBuilder(opset: 14) // HardSwish is an opset-14 op
            .Input("x", OnnxDataType.Float, 2, 3, 4, 4)
            .Output("y", OnnxDataType.Float)
            .Node(op, ["x"], ["y"], op)
            .Build();
        var random = new Random(11);
        var values = Enumerable.Range(0, 2 * 3 * 4 * 4).Select(_ => random.NextDouble() * 12 - 6).ToArray();
        var input = RefTensor.Of([2, 3, 4, 4], values).ToTensorData("x", OnnxDataType.Float);

        var (ort, exact) = BothOutputs(model, input);

        Assert.True(exact.MaxAbsDiff(ort) <= 1e-6, $"{op}: max |ORT - float64| {exact.MaxAbsDiff(ort)}");
    }

    [Theory]
    [InlineData("ReduceSum", 1L)]
    [InlineData("ReduceL1", 0L)]
    [InlineData("ReduceL2", 1L)]
    [InlineData("ReduceSumSquare", 0L)]
    [InlineData("ReduceMean", 1L)]
    [InlineData("ReduceMax", 0L)]
    [InlineData("ReduceMin", 1L)]
    public void Agrees_With_Onnx_Runtime_On_Reduction(string op, long keepDims)
    {
        // Opset 18: every reduction takes its axes as an input, as ReduceSum does from 13.
        var model = new GraphBuilder(opset: 18)
            .Input("x", OnnxDataType.Float, 2, 3, 4)
            .OutputWithoutShape("y", OnnxDataType.Float)
            .Initializer(TensorData.Create("axes", [2], new long[] { 0, -1 }.AsSpan()))
            .Node(op, ["x", "axes"], ["y"], op, ("keepdims", keepDims))
            .Build();
        var random = new Random(12);
        var values = Enumerable.Range(0, 24).Select(_ => random.NextDouble() * 6 - 3).ToArray();

        var (ort, exact) = BothOutputs(model, RefTensor.Of([2, 3, 4], values).ToTensorData("x", OnnxDataType.Float));

        Assert.Equal(ort.Shape, exact.Shape);
        Assert.True(exact.MaxAbsDiff(ort) <= 1e-5, $"{op}: max |ORT - float64| {exact.MaxAbsDiff(ort)}");
    }

    [Theory]
    [InlineData("constant", 13L)]
    [InlineData("reflect", 13L)]
    [InlineData("edge", 13L)]
    [InlineData("constant", 18L)] // opset 18: an axes input picks the padded axes
    [InlineData("reflect", 18L)]
    [InlineData("edge", 18L)]
    [InlineData("constant", 10L)] // before 11: pads and value are attributes
    [InlineData("reflect", 10L)]
    public void Agrees_With_Onnx_Runtime_On_Pad(string mode, long opset)
    {
        var builder = new GraphBuilder(opset)
            .Input("x", OnnxDataType.Float, 1, 2, 3, 4)
            .OutputWithoutShape("y", OnnxDataType.Float);
        if (opset < 11)
        {
            // Negative pads crop: one row off the top of axis 2 in constant mode.
            long[] pads = mode == "constant" ? [0, 1, -1, 2, 0, 0, 2, 1] : [0, 1, 1, 2, 0, 0, 2, 3];
            builder.Node("Pad", ["x"], ["y"], "pad", ("mode", mode), ("pads", pads), ("value", 1.5f));
        }
        else if (opset < 18)
        {
            builder.Initializer(TensorData.Create("pads", [8], new long[] { 0, 1, 2, 3, 0, 1, 1, 2 }.AsSpan()))
                .Initializer(TensorData.Create("value", [], new[] { -2.5f }.AsSpan()))
                .Node("Pad", ["x", "pads", "value"], ["y"], "pad", ("mode", mode));
        }
        else
        {
            builder.Initializer(TensorData.Create("pads", [4], new long[] { 3, 1, 2, 0 }.AsSpan()))
                .Initializer(TensorData.Create("axes", [2], new long[] { -1, 1 }.AsSpan()))
                .Node("Pad", ["x", "pads", "", "axes"], ["y"], "pad", ("mode", mode));
        }

        var (ort, exact) = BothOutputs(builder.Build(), Sample("x", 12, 1, 2, 3, 4));

        Assert.Equal(ort.Shape, exact.Shape);
        Assert.Equal(0, exact.MaxAbsDiff(ort));
    }

    [Theory]
    [InlineData("sizes input", 13L)]
    [InlineData("equal", 13L)]
    [InlineData("num_outputs", 18L)] // 7 into 3: chunks of 3, 3 and 1
    [InlineData("split attribute", 11L)]
    public void Agrees_With_Onnx_Runtime_On_Split(string form, long opset)
    {
        var builder = new GraphBuilder(opset).Input("x", OnnxDataType.Float, 2, 7, 3);
        string[] outputs = form == "split attribute" ? ["a", "b"] : ["a", "b", "c"];
        foreach (var output in outputs)
            builder.OutputWithoutShape(output, OnnxDataType.Float);
        switch (form)
        {
            case "sizes input":
                builder.Initializer(TensorData.Create("split", [3], new long[] { 2, 4, 1 }.AsSpan()))
                    .Node("Split", ["x", "split"], outputs, "split", ("axis", 1L));
                break;
            case "equal":
                builder.Node("Split", ["x"], outputs, "split", ("axis", -1L));
                break;
            case "num_outputs":
                builder.Node("Split", ["x"], outputs, "split", ("axis", 1L), ("num_outputs", 3L));
                break;
            default:
                builder.Node("Split", ["x"], outputs, "split", ("axis", 1L), ("split", new long[] { 3, 4 }));
                break;
        }
        var model = builder.Build();
        var input = Sample("x", 13, 2, 7, 3);

        foreach (var output in outputs)
        {
            var (ort, exact) = NamedOutput(model, input, output);
            Assert.Equal(ort.Shape, exact.Shape);
            Assert.Equal(0, exact.MaxAbsDiff(ort));
        }
    }

    [Theory]
    [InlineData("nearest", "asymmetric", "floor", "scales", new[] { 1.0, 1, 2, 2 })] // F.interpolate(mode="nearest")
    [InlineData("nearest", "asymmetric", "floor", "sizes", new[] { 1.0, 2, 7, 3 })]
    [InlineData("nearest", "half_pixel", "round_prefer_floor", "scales", new[] { 1.0, 1, 1.5, 2.5 })]
    [InlineData("nearest", "half_pixel", "round_prefer_ceil", "sizes", new[] { 1.0, 2, 8, 3 })]
    [InlineData("nearest", "align_corners", "round_prefer_floor", "sizes", new[] { 1.0, 2, 7, 9 })]
    [InlineData("nearest", "pytorch_half_pixel", "ceil", "sizes", new[] { 1.0, 2, 6, 1 })]
    [InlineData("nearest", "tf_half_pixel_for_nn", "round_prefer_floor", "scales", new[] { 1.0, 1, 2, 0.6 })]
    [InlineData("linear", "half_pixel", "", "scales", new[] { 1.0, 1, 2, 2 })]
    [InlineData("linear", "half_pixel", "", "sizes", new[] { 1.0, 2, 7, 3 })]
    [InlineData("linear", "pytorch_half_pixel", "", "sizes", new[] { 1.0, 2, 9, 1 })]
    [InlineData("linear", "align_corners", "", "scales", new[] { 1.0, 1, 2, 2 })]
    [InlineData("linear", "align_corners", "", "sizes", new[] { 1.0, 2, 7, 3 })]
    [InlineData("linear", "asymmetric", "", "scales", new[] { 1.0, 1, 0.5, 1.5 })]
    public void Agrees_With_Onnx_Runtime_On_Resize(string mode, string transform, string nearestMode, string form, double[] target)
    {
        var model = ResizeModel(13, mode, transform, nearestMode, form, target, axes: null);

        var (ort, exact) = BothOutputs(model, Sample("x", 14, 1, 2, 4, 5));

        Assert.Equal(ort.Shape, exact.Shape);
        Assert.True(exact.MaxAbsDiff(ort) <= 1e-5, $"Resize {mode}/{transform}: max |ORT - float64| {exact.MaxAbsDiff(ort)}");
    }

    [Theory]
    [InlineData(11L, "nearest", "sizes")] // opset 11: roi and scales are required inputs, given empty
    [InlineData(18L, "linear", "scales")] // opset 18: the axes attribute names the resized axes
    [InlineData(18L, "nearest", "sizes")]
    public void Agrees_With_Onnx_Runtime_On_Resize_Opset_Forms(long opset, string mode, string form)
    {
        double[] target = form == "sizes" ? [8, 3] : [2, 0.5];
        var model = ResizeModel(opset, mode, "half_pixel", "round_prefer_floor", form, opset >= 18 ? target : [1, 2, .. target], axes: opset >= 18 ? [2, 3] : null);

        var (ort, exact) = BothOutputs(model, Sample("x", 15, 1, 2, 4, 5));

        Assert.Equal(ort.Shape, exact.Shape);
        Assert.True(exact.MaxAbsDiff(ort) <= 1e-5, $"Resize opset {opset} {mode}: max |ORT - float64| {exact.MaxAbsDiff(ort)}");
    }

    [Theory]
    [InlineData("cubic", "half_pixel")]
    [InlineData("linear", "tf_crop_and_resize")]
    public void Refuses_An_Unimplemented_Resize(string mode, string transform)
    {
        var model = ResizeModel(13, mode, transform, "", "scales", [1, 1, 2, 2], axes: null);
        var input = new Dictionary<string, RefTensor> { ["x"] = RefTensor.FromTensorData(Sample("x", 16, 1, 2, 4, 5)) };

        var error = Assert.Throws<NotSupportedException>(() => ReferenceEvaluator.Evaluate(model, input));

        Assert.Contains("'resize'", error.Message, StringComparison.Ordinal);
        Assert.Contains(mode == "cubic" ? "mode='cubic'" : "coordinate_transformation_mode='tf_crop_and_resize'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1L, -1L, 3L)]
    [InlineData(0L, -1L, 2L)]
    [InlineData(1L, 1L, 4L)] // every element of the axis
    [InlineData(0L, 0L, 1L)]
    public void Agrees_With_Onnx_Runtime_On_TopK(long largest, long axis, long k)
    {
        var model = new GraphBuilder(opset: 11)
            .Input("x", OnnxDataType.Float, 2, 4, 6)
            .OutputWithoutShape("values", OnnxDataType.Float)
            .OutputWithoutShape("indices", OnnxDataType.Int64)
            .Initializer(TensorData.Create("k", [1], new[] { k }.AsSpan()))
            .Node("TopK", ["x", "k"], ["values", "indices"], "topk", ("axis", axis), ("largest", largest))
            .Build();
        // Few distinct values, so that ties (lower index first) decide many positions.
        var random = new Random(17);
        var input = RefTensor.Of([2, 4, 6], [.. Enumerable.Range(0, 48).Select(_ => (double)random.Next(4))]).ToTensorData("x", OnnxDataType.Float);

        foreach (var output in new[] { "values", "indices" })
        {
            var (ort, exact) = NamedOutput(model, input, output);
            Assert.Equal(ort.Shape, exact.Shape);
            Assert.True(exact.MaxAbsDiff(ort) == 0, $"TopK {output}: ORT [{string.Join(",", ort.Data)}], float64 [{string.Join(",", exact.Data)}]");
        }
    }

    /// <summary>A one-node Resize of x[1,2,4,5] by <paramref name="target"/> scales or sizes (opset 11 and 18 forms too).</summary>
    private static OnnxModel ResizeModel(long opset, string mode, string transform, string nearestMode, string form, double[] target, long[]? axes)
    {
        var builder = new GraphBuilder(opset)
            .Input("x", OnnxDataType.Float, 1, 2, 4, 5)
            .OutputWithoutShape("y", OnnxDataType.Float);
        var empty = TensorData.Create("empty", [0], Array.Empty<float>().AsSpan());
        string[] inputs;
        if (form == "scales")
        {
            builder.Initializer(TensorData.Create("scales", [target.Length], target.Select(t => (float)t).ToArray().AsSpan()));
            inputs = opset < 13 ? ["x", "empty", "scales"] : ["x", "", "scales"];
        }
        else
        {
            builder.Initializer(TensorData.Create("sizes", [target.Length], target.Select(t => (long)t).ToArray().AsSpan()));
            inputs = opset < 13 ? ["x", "empty", "empty", "sizes"] : ["x", "", "", "sizes"];
        }
        if (opset < 13)
            builder.Initializer(empty);
        var attributes = new List<(string, object)> { ("mode", mode), ("coordinate_transformation_mode", transform) };
        if (nearestMode.Length > 0) attributes.Add(("nearest_mode", nearestMode));
        if (axes is not null) attributes.Add(("axes", axes));
        return builder.Node("Resize", inputs, ["y"], "resize", [.. attributes]).Build();
    }

    /// <summary>Random float32 values in [-5, 5) of <paramref name="shape"/>, named <paramref name="name"/>.</summary>
    private static TensorData Sample(string name, int seed, params long[] shape)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, RefTensor.ElementCount(shape)).Select(_ => random.NextDouble() * 10 - 5).ToArray();
        return RefTensor.Of(shape, values).ToTensorData(name, OnnxDataType.Float);
    }

    private static (RefTensor Ort, RefTensor Exact) BothOutputs(OnnxModel model, TensorData input) =>
        NamedOutput(model, input, model.Graph.Outputs[0].Name);

    /// <summary>The output <paramref name="outputName"/> of <paramref name="model"/> from ONNX Runtime and from the evaluator.</summary>
    private static (RefTensor Ort, RefTensor Exact) NamedOutput(OnnxModel model, TensorData input, string outputName)
    {
        var inputName = model.Graph.RuntimeInputs.Single().Name;
        using var session = ModelSession.Open(model.ToBytes(), new SessionSettings { OptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL });
        using var value = TensorDataInterop.ToOrtValue(input.WithName(inputName));
        using var outputs = session.Run(new Dictionary<string, OrtValue> { [inputName] = value }, [outputName]);
        var ort = RefTensor.FromTensorData(TensorDataInterop.ToTensorData(outputs[0], outputName));
        var exact = ReferenceEvaluator.Evaluate(model, new Dictionary<string, RefTensor> { [inputName] = RefTensor.FromTensorData(input) })[outputName];
        return (ort, exact);
    }

    private static TensorData FirstSamples(TensorData tensor, int count)
    {
        var full = RefTensor.FromTensorData(tensor);
        if (full.Rank == 0 || full.Shape[0] <= count)
            return tensor;
        long[] shape = [count, .. full.Shape[1..]];
        return RefTensor.Of(shape, full.Data[..RefTensor.ElementCount(shape)]).ToTensorData(tensor.Name, tensor.ElementType);
    }
}
