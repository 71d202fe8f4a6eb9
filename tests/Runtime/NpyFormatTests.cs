using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Runtime.Tests;

public sealed class NpyFormatTests
{
    [Fact]
    public void Reads_What_Numpy_Writes_For_Float32()
    {
        // np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)): version 1.0, header padded to a 64-byte boundary.
        var bytes = Npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Floats(0, 1, 2, 3, 4, 5));
        var tensor = NpyFormat.Parse(bytes, "x");
        Assert.Equal(OnnxDataType.Float, tensor.ElementType);
        Assert.Equal([2L, 3L], tensor.Dims);
        Assert.Equal([0f, 1, 2, 3, 4, 5], tensor.ToArray<float>());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reads_Every_Format_Version(byte version)
    {
        var bytes = Npy(version, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
            MemoryMarshal.AsBytes<long>([7L, -9L]).ToArray());
        Assert.Equal([7L, -9L], NpyFormat.Parse(bytes, "x").ToArray<long>());
    }

    [Fact]
    public void Every_Supported_Dtype_Round_Trips()
    {
        RoundTrip(TensorData.Create("a", [2, 2], new[] { 1.5f, -2f, 0f, 3e30f }), "<f4");
        RoundTrip(TensorData.Create("b", [3], new[] { 1.5, -2.0, 1e300 }), "<f8");
        RoundTrip(TensorData.Create("c", [2], new[] { (Half)1.5f, (Half)(-2f) }), "<f2");
        RoundTrip(TensorData.Create("d", [1, 2], new[] { long.MinValue, long.MaxValue }), "<i8");
        RoundTrip(TensorData.Create("e", [2], new[] { int.MinValue, 5 }), "<i4");
        RoundTrip(TensorData.Create("f", [2], new sbyte[] { -128, 127 }), "|i1");
        RoundTrip(TensorData.Create("g", [2], new byte[] { 0, 255 }), "|u1");
        RoundTrip(TensorData.Create("h", [3], new[] { true, false, true }), "|b1");
        RoundTrip(TensorData.Create("s", [], new[] { 4.25f }), "<f4");
        RoundTrip(TensorData.Create("z", [0, 3], ReadOnlySpan<float>.Empty), "<f4");
    }

    [Fact]
    public void Written_Headers_Are_Aligned_And_Use_Python_Tuples()
    {
        var bytes = NpyFormat.ToBytes(TensorData.Create("v", [5], new float[5]));
        var headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", header);
        Assert.EndsWith("\n", header);
    }

    [Fact]
    public void Reads_And_Writes_Files()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("onnxbn-npy").FullName, "input_0.npy");
        NpyFormat.Write(path, TensorData.Create("t", [2], new[] { 1, 2 }));
        var read = NpyFormat.Read(path);
        Assert.Equal("input_0", read.Name);
        Assert.Equal([1, 2], read.ToArray<int>());
    }

    [Theory]
    [InlineData("magic", "missing the \\x93NUMPY magic")]
    [InlineData("version", "format version 4.0 is not 1.0, 2.0 or 3.0")]
    [InlineData("short-header", "header of 118 bytes is cut short")]
    [InlineData("not-dict", "header is not a Python dict")]
    [InlineData("no-descr", "header has no 'descr' entry")]
    [InlineData("no-shape", "header has no 'shape' tuple")]
    [InlineData("object", "dtype '|O' is not supported")]
    [InlineData("complex", "dtype '<c8' is not supported")]
    [InlineData("big-endian", "dtype '>f4' is big-endian")]
    [InlineData("fortran", "Fortran-order arrays are not supported")]
    [InlineData("negative", "dimension '-2' that is not a non-negative integer")]
    [InlineData("truncated", "needs 24 data bytes but the file has 20")]
    [InlineData("trailing", "needs 24 data bytes but the file has 28")]
    public void Malformed_Files_Are_Rejected_With_The_Reason(string kind, string expected)
    {
        var good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        var data = Floats(0, 1, 2, 3, 4, 5);
        var bytes = kind switch
        {
            "magic" => Encoding.ASCII.GetBytes("PK\x03\x04 not numpy at all"),
            "version" => Npy(4, good, data),
            "short-header" => Npy(1, good, data)[..50],
            "not-dict" => Npy(1, "descr=<f4 shape=(2,3)", data),
            "no-descr" => Npy(1, "{'fortran_order': False, 'shape': (2, 3), }", data),
            "no-shape" => Npy(1, "{'descr': '<f4', 'fortran_order': False, }", data),
            "object" => Npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }", data),
            "complex" => Npy(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }", data),
            "big-endian" => Npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", data),
            "fortran" => Npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data),
            "negative" => Npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", data),
            "truncated" => Npy(1, good, data[..20]),
            "trailing" => Npy(1, good, [.. data, 0, 0, 0, 0]),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var ex = Assert.Throws<NpyFormatException>(() => NpyFormat.Parse(bytes, "x", "/data/x.npy"));
        Assert.Contains(expected, ex.Message);
        Assert.StartsWith("/data/x.npy: not a readable .npy file: ", ex.Message);
    }

    [Fact]
    public void A_Missing_File_Is_FileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => NpyFormat.Read("/nonexistent/input.npy"));
    }

    private static void RoundTrip(TensorData tensor, string descr)
    {
        var bytes = NpyFormat.ToBytes(tensor);
        Assert.Contains($"'descr': '{descr}'", Encoding.ASCII.GetString(bytes));
        var back = NpyFormat.Parse(bytes, tensor.Name);
        Assert.Equal(tensor.ElementType, back.ElementType);
        Assert.Equal(tensor.Dims, back.Dims);
        Assert.Equal(tensor.RawBytes.ToArray(), back.RawBytes.ToArray());
    }

    private static byte[] Floats(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>Builds a .npy file the way numpy does: magic, version, length, padded header, data.</summary>
    private static byte[] Npy(byte major, string dict, byte[] data)
    {
        var preamble = major == 1 ? 10 : 12;
        var total = (preamble + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - preamble - 1) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0 };
        if (major == 1)
            bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        else
            bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.UTF8.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }
}
