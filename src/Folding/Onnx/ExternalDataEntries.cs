using System.Globalization;
using OnnxBn.Folding.Onnx.Proto;

namespace OnnxBn.Folding.Onnx;

/// <summary>The key/value entries (location, offset, length, checksum) that describe a tensor's external bytes.</summary>
internal static class ExternalDataEntries
{
    public static (string? Location, long? Offset, long? Length) Parse(TensorProto proto, string? file, string label)
    {
        string? location = null;
        long? offset = null, length = null;
        foreach (var entry in proto.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = ParseNumber(entry.Value, "offset", file, label); break;
                case "length": length = ParseNumber(entry.Value, "length", file, label); break;
            }
        }
        return (location, offset, length);
    }

    public static void Set(TensorProto proto, ExternalPlacement placement)
    {
        var (location, offset, length) = Parse(proto, null, proto.Name);
        if (location == placement.Location && (offset ?? 0) == placement.Offset && (length ?? placement.Length) == placement.Length)
            return;
        var kept = proto.ExternalData.Where(e => e.Key is not ("location" or "offset" or "length" or "checksum")).ToList();
        proto.ExternalData.Clear();
        proto.ExternalData.Add(Entry("location", placement.Location));
        proto.ExternalData.Add(Entry("offset", placement.Offset.ToString(CultureInfo.InvariantCulture)));
        proto.ExternalData.Add(Entry("length", placement.Length.ToString(CultureInfo.InvariantCulture)));
        proto.ExternalData.AddRange(kept);
    }

    private static long ParseNumber(string text, string key, string? file, string label)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            throw new OnnxModelException(file, $"external data {key} '{text}' is not a non-negative integer", label);
        return value;
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}
