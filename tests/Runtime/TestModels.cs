using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests;

/// <summary>Tiny ONNX models built in code (opset 13, IR version 8), so the tests need no model files.</summary>
internal static class TestModels
{
    /// <summary>Y = Relu(X + B) with X float [N,4] (symbolic N) and B = [-1, 0, 1, 2]; second output S = X + B.</summary>
    public static byte[] AddRelu() => new GraphBuilder()
        .Input("X", OnnxDataType.Float, "N", 4)
        .Output("Y", OnnxDataType.Float, "N", 4)
        .Output("S", OnnxDataType.Float, "N", 4)
        .Initializer("B", [4], -1f, 0f, 1f, 2f)
        .Node("Add", ["X", "B"], ["S"], "Add_S")
        .Node("Relu", ["S"], ["Y"], "Relu_Y")
        .ToBytes();

    /// <summary>Y = Identity(X) for X of ONNX element type <paramref name="elementType"/> and shape [2,3].</summary>
    public static byte[] Identity(int elementType) => new GraphBuilder()
        .Input("X", (OnnxDataType)elementType, 2, 3)
        .Output("Y", (OnnxDataType)elementType, 2, 3)
        .Node("Identity", ["X"], ["Y"], "Identity_Y")
        .ToBytes();

    /// <summary>The shared classifier, <see cref="ExampleGraphs.Classifier"/>.</summary>
    public static byte[] Classifier() => ExampleGraphs.Classifier().ToBytes();

    /// <summary>A chain of <paramref name="depth"/> MatMuls of X [size,size] with one shared weight: slow enough to cancel.</summary>
    public static byte[] MatMulChain(int depth, int size)
    {
        var identityish = new float[size * size];
        for (var i = 0; i < size; i++)
            identityish[i * size + i] = 1f;
        var builder = new GraphBuilder()
            .Input("X", OnnxDataType.Float, size, size)
            .Output("Y", OnnxDataType.Float, size, size)
            .Initializer("W", [size, size], identityish);
        var current = "X";
        for (var i = 0; i < depth; i++)
        {
            var next = i == depth - 1 ? "Y" : $"h{i}";
            builder.Node("MatMul", [current, "W"], [next], $"MatMul_{next}");
            current = next;
        }
        return builder.ToBytes();
    }

    public static string WriteTemp(byte[] model, string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "onnxbn-runtime-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, model);
        return path;
    }
}
