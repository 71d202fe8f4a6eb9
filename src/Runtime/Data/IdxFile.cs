using System.Buffers.Binary;
using System.IO.Compression;

namespace OnnxBn.Runtime.Data;

/// <summary>The pixels of an IDX image file: <see cref="Count"/> images of <see cref="Rows"/>×<see cref="Columns"/> bytes.</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Columns)
{
    /// <summary>Bytes per image.</summary>
    public int ImageSize => Rows * Columns;
}

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST, gzip-compressed or raw (detected from the first two bytes). The
/// header is big-endian: a magic number 0x0000_08TT_DD (type 0x08 = unsigned byte, DD = number of dimensions), then
/// one 32-bit size per dimension, then the data. Every defect is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class IdxFile
{
    /// <summary>Magic number of a label file: unsigned bytes, one dimension.</summary>
    public const int LabelMagic = 0x00000801;

    /// <summary>Magic number of an image file: unsigned bytes, three dimensions (count, rows, columns).</summary>
    public const int ImageMagic = 0x00000803;

    /// <summary>Reads a label file (magic 0x00000801).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, or the data is shorter or longer than the header says.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = Open(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads a label file from a stream (raw or gzip); <paramref name="name"/> appears in error messages.</summary>
    public static byte[] ReadLabels(Stream stream, string name)
    {
        var header = ReadHeader(stream, name, LabelMagic, "labels", 1);
        return ReadPayload(stream, name, header[0]);
    }

    /// <summary>Reads an image file (magic 0x00000803).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">Wrong magic number, or the data is shorter or longer than the header says.</exception>
    public static IdxImages ReadImages(string path)
    {
        using var stream = Open(path);
        return ReadImages(stream, path);
    }

    /// <summary>Reads an image file from a stream (raw or gzip); <paramref name="name"/> appears in error messages.</summary>
    public static IdxImages ReadImages(Stream stream, string name)
    {
        var header = ReadHeader(stream, name, ImageMagic, "images", 3);
        var total = (long)header[0] * header[1] * header[2];
        if (total > Array.MaxLength)
            throw new InvalidDataException($"{name}: {header[0]} images of {header[1]}x{header[2]} do not fit in memory.");
        return new IdxImages(ReadPayload(stream, name, (int)total), header[0], header[1], header[2]);
    }

    /// <summary>Opens <paramref name="path"/>, decompressing on the fly when it starts with the gzip signature.</summary>
    private static Stream Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"IDX file not found: {path}", path);
        var file = File.OpenRead(path);
        Span<byte> signature = stackalloc byte[2];
        var read = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (read == 2 && signature[0] == 0x1f && signature[1] == 0x8b)
            return new GZipStream(file, CompressionMode.Decompress);
        return file;
    }

    private static int[] ReadHeader(Stream stream, string name, int expectedMagic, string what, int dimensions)
    {
        Span<byte> word = stackalloc byte[4];
        ReadExactly(stream, word, name, "the magic number");
        var magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (magic != expectedMagic)
            throw new InvalidDataException(
                $"{name}: magic number 0x{magic:x8} is not that of an IDX {what} file (0x{expectedMagic:x8}).");
        var sizes = new int[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            ReadExactly(stream, word, name, "the header");
            sizes[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (sizes[i] < 0)
                throw new InvalidDataException($"{name}: dimension {i} has a negative size ({sizes[i]}).");
        }
        return sizes;
    }

    private static byte[] ReadPayload(Stream stream, string name, int length)
    {
        var data = new byte[length];
        var read = stream.ReadAtLeast(data, length, throwOnEndOfStream: false);
        if (read < length)
            throw new InvalidDataException($"{name}: truncated: the header announces {length} data bytes but the file holds {read}.");
        if (stream.ReadByte() >= 0)
            throw new InvalidDataException($"{name}: the file holds more data than the header announces ({length} bytes).");
        return data;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string name, string what)
    {
        if (stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw new InvalidDataException($"{name}: truncated while reading {what}.");
    }
}
