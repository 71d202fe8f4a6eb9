using OnnxBn.Folding;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>
/// Small models around an op whose outputs do not all have its input's element type (TopK's indices, a comparison's
/// booleans, a Shape) or whose type cannot be told before the run (sequences): each turns its non-float output back
/// into floats and adds it to a float path, so both kinds of tensor are used downstream.
/// </summary>
internal static class TypeChangingModels
{
    public static TheoryData<string> Names() =>
        ["TopK", "ArgMax", "Shape", "CastToInt", "EqualToBool", "MaxPoolWithIndices", "DropoutMask", "Where", "NonZero", "Unique", "Sequence"];

    /// <summary>The model around <paramref name="op"/>: input x float [N,10] ([N,2,4,4] for MaxPool), output y float.</summary>
    public static OnnxModel Around(string op) => op switch
    {
        "TopK" => Rows(3).Initializer(Ints("k", 3))
            .Node("TopK", ["r", "k"], ["values", "indices"], "topk", ("axis", 1L))
            .Node("Cast", ["indices"], ["indices_f"], "cast", ("to", (long)OnnxDataType.Float))
            .Node("Add", ["values", "indices_f"], ["y"], "add").Build(),
        "ArgMax" => Rows(10)
            .Node("ArgMax", ["r"], ["arg"], "argmax", ("axis", 1L), ("keepdims", 1L))
            .Node("Cast", ["arg"], ["arg_f"], "cast", ("to", (long)OnnxDataType.Float))
            .Node("Add", ["r", "arg_f"], ["y"], "add").Build(),
        "Shape" => ReducedInto(Rows(10).Node("Shape", ["r"], ["shape"], "shape"), "shape"),
        "CastToInt" => Rows(10)
            .Node("Cast", ["r"], ["r_int"], "to_int", ("to", (long)OnnxDataType.Int32))
            .Node("Cast", ["r_int"], ["r_back"], "to_float", ("to", (long)OnnxDataType.Float))
            .Node("Add", ["r", "r_back"], ["y"], "add").Build(),
        "EqualToBool" => Rows(10).Initializer("half", [1], 0.5f)
            .Node("Greater", ["r", "half"], ["above"], "greater")
            .Node("Equal", ["above", "above"], ["same"], "equal")
            .Node("Cast", ["same"], ["same_f"], "cast", ("to", (long)OnnxDataType.Float))
            .Node("Add", ["r", "same_f"], ["y"], "add").Build(),
        "MaxPoolWithIndices" => new GraphBuilder()
            .Input("x", OnnxDataType.Float, "N", 2, 4, 4).Output("y", OnnxDataType.Float, "N", 2, 2, 2)
            .Node("Relu", ["x"], ["r"], "relu")
            .Node("MaxPool", ["r"], ["pooled", "argmax"], "pool", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("Cast", ["argmax"], ["argmax_f"], "cast", ("to", (long)OnnxDataType.Float))
            .Node("Add", ["pooled", "argmax_f"], ["y"], "add").Build(),
        "DropoutMask" => Rows(10)
            .Node("Dropout", ["r"], ["kept", "mask"], "dropout")
            .Node("Cast", ["mask"], ["mask_f"], "cast", ("to", (long)OnnxDataType.Float))
            .Node("Add", ["kept", "mask_f"], ["y"], "add").Build(),
        // Where's first input is boolean, its output float: it must be compared, not skipped.
        "Where" => Rows(10).Initializer("half", [1], 0.5f).Initializer("zero", [1], 0f)
            .Node("Greater", ["r", "half"], ["above"], "greater")
            .Node("Where", ["above", "r", "zero"], ["kept"], "where")
            .Node("Relu", ["kept"], ["y"], "relu_out").Build(),
        "NonZero" => ReducedInto(Rows(10).Node("NonZero", ["r"], ["where_nonzero"], "nonzero"), "where_nonzero"),
        "Unique" => ReducedInto(Rows(10)
            .Node("Unique", ["r"], ["unique", "first", "inverse", "counts"], "unique"), "counts"),
        // Neither the sequence nor what ConcatFromSequence makes of it has a type before the run.
        "Sequence" => Rows(10, opset: 13)
            .Node("SplitToSequence", ["r"], ["columns"], "split", ("axis", 1L))
            .Node("ConcatFromSequence", ["columns"], ["joined"], "concat", ("axis", 1L))
            .Node("Relu", ["joined"], ["y"], "relu_out").Build(),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    /// <summary>x float [N,10] → Relu → r; output y float [N,<paramref name="columns"/>].</summary>
    private static GraphBuilder Rows(int columns, long opset = 13) => new GraphBuilder(opset)
        .Input("x", OnnxDataType.Float, "N", 10).Output("y", OnnxDataType.Float, "N", columns)
        .Node("Relu", ["x"], ["r"], "relu");

    /// <summary>y = r + Σ float(<paramref name="integers"/>): an integer tensor of any shape feeding the float path.</summary>
    private static OnnxModel ReducedInto(GraphBuilder builder, string integers) => builder
        .Node("Cast", [integers], ["as_float"], "cast", ("to", (long)OnnxDataType.Float))
        .Node("ReduceSum", ["as_float"], ["total"], "sum", ("keepdims", 1L))
        .Node("Flatten", ["total"], ["total_row"], "flatten", ("axis", 0L))
        .Node("Add", ["r", "total_row"], ["y"], "add").Build();

    private static TensorData Ints(string name, params long[] values) => TensorData.Create(name, [values.Length], values.AsSpan());
}
