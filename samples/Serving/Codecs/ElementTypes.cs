using OnnxBn.Folding;

namespace OnnxBn.Serving.Codecs;

/// <summary>The element types requests may carry, by the names clients write (float32, int64, ...).</summary>
internal static class ElementTypes
{
    /// <summary>Types the JSON codec reads and writes as numbers (or true/false).</summary>
    public static readonly OnnxDataType[] Json =
    [
        OnnxDataType.Float, OnnxDataType.Double, OnnxDataType.Float16, OnnxDataType.Int64, OnnxDataType.Int32,
        OnnxDataType.Int16, OnnxDataType.Int8, OnnxDataType.UInt8, OnnxDataType.UInt16, OnnxDataType.UInt32,
        OnnxDataType.UInt64, OnnxDataType.Bool,
    ];

    /// <summary>The type named <paramref name="name"/> (float32, float, int64, ...), or null.</summary>
    public static OnnxDataType? Parse(string name) =>
        name.ToLowerInvariant() switch
        {
            "float" => OnnxDataType.Float,
            "double" => OnnxDataType.Double,
            var lower => Json.Concat([OnnxDataType.BFloat16]).Cast<OnnxDataType?>().FirstOrDefault(t => t!.Value.DisplayName() == lower),
        };
}
