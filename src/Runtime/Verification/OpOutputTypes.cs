using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// The element type the ONNX specification gives each output of a default-domain op, from the types of its inputs and
/// its attributes. Most ops keep the type of their first input; the table lists those that do not, output by output:
/// a multi-output op such as TopK, MaxPool or Unique returns int64 indices beside values of the input's type. Null
/// where it cannot be told here (another domain, sequences and optionals, an input whose type is unknown).
/// </summary>
internal static class OpOutputTypes
{
    public static OnnxDataType? Of(Node node, int output, IReadOnlyDictionary<string, OnnxDataType> known)
    {
        if (node.Domain is not ("" or "ai.onnx"))
            return null;
        OnnxDataType? Input(int i) => node.Input(i) is { Length: > 0 } name && known.TryGetValue(name, out var t) ? t : null;
        OnnxDataType? Attribute(string name, OnnxDataType? otherwise) =>
            node.HasAttribute(name) && node.GetInt(name, 0) is > 0 and var t ? (OnnxDataType)t : otherwise;
        OnnxDataType? ValuesThenIndices() => output == 0 ? Input(0) : OnnxDataType.Int64;
        return node.OpType switch
        {
            "Cast" => Attribute("to", null),
            "CastLike" => Input(1),
            "Shape" or "Size" or "NonZero" or "ArgMax" or "ArgMin" or "NonMaxSuppression" or "SequenceLength" => OnnxDataType.Int64,
            "TopK" or "MaxPool" or "Unique" => ValuesThenIndices(),
            "Dropout" => output == 0 ? Input(0) : OnnxDataType.Bool,
            "Equal" or "Less" or "LessOrEqual" or "Greater" or "GreaterOrEqual" or "Not" or "And" or "Or" or "Xor" or "IsNaN" or "IsInf"
                or "OptionalHasElement" or "RegexFullMatch" => OnnxDataType.Bool,
            "Where" => Input(1) ?? Input(2),
            "Constant" => ConstantType(node),
            "ConstantOfShape" => node.GetTensor("value")?.ElementType ?? OnnxDataType.Float,
            "DequantizeLinear" => Attribute("output_dtype", Input(1)),
            "QuantizeLinear" => Input(2) ?? Attribute("output_dtype", OnnxDataType.UInt8),
            "DynamicQuantizeLinear" => output == 1 ? OnnxDataType.Float : OnnxDataType.UInt8,
            "MatMulInteger" or "ConvInteger" => OnnxDataType.Int32,
            "QLinearConv" or "QLinearMatMul" => Input(7),
            "OneHot" => Input(2),
            "EyeLike" or "RandomNormalLike" or "RandomUniformLike" or "Bernoulli" => Attribute("dtype", Input(0)),
            "RandomNormal" or "RandomUniform" => Attribute("dtype", OnnxDataType.Float),
            "Multinomial" => Attribute("dtype", OnnxDataType.Int32),
            "HannWindow" or "HammingWindow" or "BlackmanWindow" or "MelWeightMatrix" => Attribute("output_datatype", OnnxDataType.Float),
            // Mean and inverse standard deviation are kept in the stash type (float32 by default) whatever X is.
            "LayerNormalization" => output == 0 ? Input(0) : Attribute("stash_type", OnnxDataType.Float),
            // Training mode's running and saved statistics have the type of the mean input (opset 15 lets it differ from X).
            "BatchNormalization" => output == 0 ? Input(0) : Input(3),
            "StringSplit" => output == 0 ? OnnxDataType.String : OnnxDataType.Int64,
            "SequenceConstruct" or "SequenceEmpty" or "SequenceInsert" or "SequenceErase" or "SequenceAt" or "SplitToSequence"
                or "ConcatFromSequence" or "SequenceMap" or "Optional" or "OptionalGetElement" => null,
            _ => Input(0) ?? node.Inputs.Select((_, i) => Input(i)).FirstOrDefault(t => t is not null),
        };
    }

    /// <summary>A Constant's type, from whichever value attribute it has.</summary>
    private static OnnxDataType? ConstantType(Node node)
    {
        if (node.HasAttribute("value"))
            return node.GetTensor("value")?.ElementType;
        if (node.HasAttribute("value_float") || node.HasAttribute("value_floats"))
            return OnnxDataType.Float;
        if (node.HasAttribute("value_int") || node.HasAttribute("value_ints"))
            return OnnxDataType.Int64;
        if (node.HasAttribute("value_string") || node.HasAttribute("value_strings"))
            return OnnxDataType.String;
        return null;
    }
}
