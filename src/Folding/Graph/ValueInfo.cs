using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding;

/// <summary>One dimension of a declared shape: a number, a symbolic name (dim_param), or unknown.</summary>
/// <param name="Value">The size (dim_value), or null when it is symbolic or unknown.</param>
/// <param name="Symbol">The symbolic name (dim_param, e.g. "batch"), or null; only meaningful without a value.</param>
public readonly record struct Dimension(long? Value, string? Symbol)
{
    /// <summary>True when the size is a number; a symbolic dimension is not known.</summary>
    public bool IsKnown => Value.HasValue;

    /// <summary>The size, else the symbol, else "?".</summary>
    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}

/// <summary>The declared name, element type and shape of a graph value (graph inputs, outputs, value_info).</summary>
public sealed class ValueInfo
{
    internal ValueInfo(ValueInfoProto proto) => Proto = proto;

    internal ValueInfoProto Proto { get; }

    /// <summary>
    /// A detached declaration of value <paramref name="name"/> with no type at all (for <see cref="Graph.SetOutputs"/>):
    /// ONNX Runtime types such a graph output from the node that writes it, which no declaration of ours can match
    /// for every op and opset (TopK's int64 indices, sequence outputs).
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public static ValueInfo Untyped(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new ValueInfo(new ValueInfoProto { Name = name });
    }

    /// <summary>
    /// A detached declaration of tensor <paramref name="name"/> (for <see cref="Graph.SetOutputs"/>): its element type
    /// and shape, or no shape when <paramref name="shape"/> is null (rank unknown). A <see cref="Dimension"/> with
    /// neither a value nor a symbol is an unknown dimension.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or a dimension is negative.</exception>
    public static ValueInfo Tensor(string name, OnnxDataType elementType, IReadOnlyList<Dimension>? shape = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)elementType };
        if (shape is not null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (var dimension in shape)
                tensor.Shape.Dim.Add(dimension switch
                {
                    { Value: < 0 } => throw new ArgumentException($"Dimension {dimension.Value} of '{name}' is negative.", nameof(shape)),
                    { Value: { } v } => new TensorShapeProto.Types.Dimension { DimValue = v },
                    { Symbol: { Length: > 0 } s } => new TensorShapeProto.Types.Dimension { DimParam = s },
                    _ => new TensorShapeProto.Types.Dimension(),
                });
        }
        return new ValueInfo(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } });
    }

    /// <summary>The name of the declared value.</summary>
    public string Name => Proto.Name ?? "";

    /// <summary>True when the value is declared as a tensor (not a sequence, map or optional).</summary>
    public bool IsTensor => Proto.Type?.TensorType is not null;

    /// <summary>
    /// The declared element type; <see cref="OnnxDataType.Undefined"/> when the value is not a tensor or the model
    /// leaves the type out.
    /// </summary>
    public OnnxDataType ElementType => (OnnxDataType)(Proto.Type?.TensorType?.ElemType ?? 0);

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

    /// <summary>The declared number of axes, or null when the rank is unknown (no shape declared).</summary>
    public int? Rank => Proto.Type?.TensorType?.Shape?.Dim.Count;

    /// <summary>The shape as reports print it: "[N,3,224,224]" with "?" for an unknown dim, or "[?]" without a rank.</summary>
    public string ShapeText => Shape is { } s ? "[" + string.Join(",", s) + "]" : "[?]";

    /// <summary>Name, element type and shape, e.g. "input: float32[N,3,224,224]".</summary>
    public override string ToString() => $"{Name}: {ElementType.DisplayName()}{ShapeText}";
}
