using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Data;

/// <summary>
/// Reads and writes numpy's .npy format (versions 1.0, 2.0 and 3.0): little-endian, C-order arrays of float32,
/// float64, float16, int64, int32, int16, int8, uint8, uint16, uint32, uint64 and bool, as <see cref="TensorData"/>.
/// </summary>
/// <remarks>
/// A file is the magic <c>\x93NUMPY</c>, a version (major, minor), the header length (uint16 for 1.0, uint32 for 2.0
/// and 3.0), a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> padded with
/// spaces and a newline so the data starts on a 64-byte boundary, then the raw elements.
/// Big-endian data, Fortran order, object/string/complex dtypes and truncated or over-long data are rejected with a
/// <see cref="NpyFormatException"/> naming the file and the problem.
/// </remarks>
public static partial class NpyFormat
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly (string Code, OnnxDataType Type)[] Codes =
    [
        ("f4", OnnxDataType.Float), ("f8", OnnxDataType.Double), ("f2", OnnxDataType.Float16),
        ("i8", OnnxDataType.Int64), ("i4", OnnxDataType.Int32), ("i2", OnnxDataType.Int16),
        ("i1", OnnxDataType.Int8), ("u1", OnnxDataType.UInt8), ("u2", OnnxDataType.UInt16),
        ("u4", OnnxDataType.UInt32), ("u8", OnnxDataType.UInt64), ("b1", OnnxDataType.Bool),
    ];

    /// <summary>Reads a .npy file; the tensor is named after the file (without extension).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NpyFormatException">The file is malformed or unsupported.</exception>
    public static TensorData Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Tensor file not found: {path}", path);
        return Parse(File.ReadAllBytes(path), Path.GetFileNameWithoutExtension(path), path);
    }

    /// <summary>Parses .npy bytes into a tensor called <paramref name="name"/>.</summary>
    /// <exception cref="NpyFormatException">The bytes are malformed or unsupported.</exception>
    public static TensorData Parse(ReadOnlySpan<byte> bytes, string name, string? sourcePath = null)
    {
        var source = sourcePath ?? "<memory>";
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
            throw new NpyFormatException(source, "missing the \\x93NUMPY magic");
        var major = bytes[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
                headerStart = 10;
                break;
            case 2 or 3:
                if (bytes.Length < 12)
                    throw new NpyFormatException(source, "truncated header length");
                var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
                if (length > int.MaxValue)
                    throw new NpyFormatException(source, $"header length {length} is absurd");
                headerLength = (int)length;
                headerStart = 12;
                break;
            default:
                throw new NpyFormatException(source, $"format version {major}.{bytes[7]} is not 1.0, 2.0 or 3.0");
        }
        if (bytes.Length - headerStart < headerLength)
            throw new NpyFormatException(source, $"header of {headerLength} bytes is cut short at {bytes.Length - headerStart}");

        var headerBytes = bytes.Slice(headerStart, headerLength);
        var header = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var (type, dims) = ParseHeader(header, source);

        var data = bytes[(headerStart + headerLength)..];
        long count = 1;
        foreach (var dim in dims)
            count = checked(count * dim);
        var expected = count * type.SizeInBytes();
        if (data.Length != expected)
            throw new NpyFormatException(source,
                $"shape ({string.Join(", ", dims)}) of {type.DisplayName()} needs {expected} data bytes but the file has {data.Length}");
        return TensorDataInterop.FromRaw(name, type, dims, data);
    }

    /// <summary>Serializes a tensor as .npy (version 1.0, or 2.0 for very long headers).</summary>
    /// <exception cref="NotSupportedException">The element type has no .npy code here (strings, bfloat16, complex).</exception>
    public static byte[] ToBytes(TensorData tensor)
    {
        var code = Codes.FirstOrDefault(c => c.Type == tensor.ElementType).Code
                   ?? throw new NotSupportedException($"Tensor '{tensor.Name}' of {tensor.ElementType.DisplayName()} cannot be written as .npy.");
        var order = tensor.ElementType.SizeInBytes() == 1 ? '|' : '<';
        var shape = tensor.Dims.Count switch
        {
            0 => "()",
            1 => $"({tensor.Dims[0]},)",
            _ => "(" + string.Join(", ", tensor.Dims) + ")",
        };
        var dict = $"{{'descr': '{order}{code}', 'fortran_order': False, 'shape': {shape}, }}";
        var version1 = dict.Length + 11 <= ushort.MaxValue;
        var preamble = version1 ? 10 : 12;
        var padded = (preamble + dict.Length + 1 + 63) / 64 * 64 - preamble;
        var header = dict.PadRight(padded - 1) + "\n";

        var raw = tensor.RawBytes;
        var result = new byte[preamble + header.Length + raw.Length];
        Magic.CopyTo(result);
        result[6] = (byte)(version1 ? 1 : 2);
        result[7] = 0;
        if (version1)
            BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)header.Length);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)header.Length);
        Encoding.ASCII.GetBytes(header, result.AsSpan(preamble));
        raw.CopyTo(result.AsSpan(preamble + header.Length));
        return result;
    }

    /// <summary>Writes a tensor to a .npy file (through a temporary file, so a reader never sees half a file).</summary>
    public static void Write(string path, TensorData tensor)
    {
        var temp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temp, ToBytes(tensor));
        File.Move(temp, path, overwrite: true);
    }

    private static (OnnxDataType Type, long[] Dims) ParseHeader(string header, string source)
    {
        var trimmed = header.Trim();
        if (!trimmed.StartsWith('{') || !trimmed.EndsWith('}'))
            throw new NpyFormatException(source, $"header is not a Python dict: {Shorten(trimmed)}");

        var descr = DescrPattern().Match(trimmed);
        if (!descr.Success)
            throw new NpyFormatException(source, "header has no 'descr' entry");
        var fortran = FortranPattern().Match(trimmed);
        if (!fortran.Success)
            throw new NpyFormatException(source, "header has no 'fortran_order' entry");
        var shape = ShapePattern().Match(trimmed);
        if (!shape.Success)
            throw new NpyFormatException(source, "header has no 'shape' tuple");

        if (fortran.Groups[1].Value == "True")
            throw new NpyFormatException(source, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
        return (ParseDescr(descr.Groups[1].Value, source), ParseShape(shape.Groups[1].Value, source));
    }

    private static OnnxDataType ParseDescr(string descr, string source)
    {
        if (descr.Length != 3 || descr[0] is not ('<' or '>' or '|' or '='))
            throw new NpyFormatException(source, $"dtype '{descr}' is not supported (expected f4, f8, f2, i8, i4, i2, i1, u1, u2, u4, u8 or b1)");
        var code = descr[1..];
        var type = Codes.FirstOrDefault(c => c.Code == code).Type;
        if (type == OnnxDataType.Undefined)
            throw new NpyFormatException(source, $"dtype '{descr}' is not supported (expected f4, f8, f2, i8, i4, i2, i1, u1, u2, u4, u8 or b1)");
        if (descr[0] == '>' && type.SizeInBytes() > 1)
            throw new NpyFormatException(source, $"dtype '{descr}' is big-endian; save it as little-endian ('<{code}')");
        return type;
    }

    private static long[] ParseShape(string tuple, string source)
    {
        var parts = tuple.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var dims = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var text = parts[i].TrimEnd('L');
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw new NpyFormatException(source, $"shape ({tuple}) has a dimension '{parts[i]}' that is not a non-negative integer");
        }
        return dims;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "...";

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
