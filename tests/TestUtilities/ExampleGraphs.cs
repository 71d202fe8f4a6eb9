using OnnxBn.Folding;

namespace OnnxBn.TestUtilities;

/// <summary>Small models several test projects run through ONNX Runtime.</summary>
public static class ExampleGraphs
{
    /// <summary>
    /// logits = input · W + C with input float [batch,8], W [8,10] and C [10] = 0.001·c: a small classifier whose class
    /// k wins for an input with a large value at feature k % 8.
    /// </summary>
    public static GraphBuilder Classifier()
    {
        var weights = new float[8 * 10];
        for (var f = 0; f < 8; f++)
            for (var c = 0; c < 10; c++)
                weights[f * 10 + c] = c % 8 == f ? 1f + 0.1f * c : 0.01f * (f - c);
        var bias = Enumerable.Range(0, 10).Select(c => 0.001f * c).ToArray();
        return new GraphBuilder()
            .Input("input", OnnxDataType.Float, "batch", 8)
            .Output("logits", OnnxDataType.Float, "batch", 10)
            .Initializer("W", [8, 10], weights)
            .Initializer("C", [10], bias)
            .Node("MatMul", ["input", "W"], ["xw"], "MatMul_xw")
            .Node("Add", ["xw", "C"], ["logits"], "Add_logits");
    }
}
