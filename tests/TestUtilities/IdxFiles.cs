using System.Buffers.Binary;
using System.IO.Compression;

namespace OnnxBn.TestUtilities;

/// <summary>Writes IDX files (the Fashion-MNIST format) for tests: big-endian magic and dims, then the raw bytes.</summary>
public static class IdxFiles
{
    public static byte[] Encode(int magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (var i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static void WriteGzip(string path, byte[] content)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
    }
}
