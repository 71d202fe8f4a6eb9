using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>One dimension of a declared shape: a number, a symbolic name (dim_param), or unknown.</summary>
public readonly record struct Dimension(long? Value, string? Symbol)
{
    public bool IsKnown => Value.HasValue;

    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}

/// <summary>The declared name, element type and shape of a graph value (graph inputs, outputs, value_info).</summary>
public sealed class ValueInfo
{
    internal ValueInfo(ValueInfoProto proto) => Proto = proto;

    internal ValueInfoProto Proto { get; }

    public string Name => Proto.Name ?? "";

    /// <summary>True when the value is declared as a tensor (not a sequence, map or optional).</summary>
    public bool IsTensor => Proto.Type?.TensorType is not null;

    public TensorElementType ElementType => (TensorElementType)(Proto.Type?.TensorType?.ElemType ?? 0);

    /// <summary>The declared shape, or null when the rank is unknown.</summary>
    public IReadOnlyList<Dimension>? Shape
    {
        get
        {
            var shape = Proto.Type?.TensorType?.Shape;
            if (shape is null) return null;
            return shape.Dim.Select(d => d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => new Dimension(d.DimValue, null),
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => new Dimension(null, d.DimParam),
                _ => new Dimension(null, null),
            }).ToArray();
        }
    }

    public int? Rank => Proto.Type?.TensorType?.Shape?.Dim.Count;

    public string ShapeText => Shape is { } s ? "[" + string.Join(",", s) + "]" : "[?]";

    public override string ToString() => $"{Name}: {ElementType.DisplayName()}{ShapeText}";
}
