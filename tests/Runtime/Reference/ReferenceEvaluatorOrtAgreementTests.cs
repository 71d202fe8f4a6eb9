using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Reference;
using OnnxBn.Runtime.Sessions;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Reference;

/// <summary>
/// The float64 reference evaluator agrees with ONNX Runtime within float32 rounding: on every bundled model (its own
/// test inputs, original and folded) and on the activations the bundled models do not use.
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

    private static (RefTensor Ort, RefTensor Exact) BothOutputs(OnnxModel model, TensorData input)
    {
        var inputName = model.Graph.RuntimeInputs.Single().Name;
        var outputName = model.Graph.Outputs[0].Name;
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
