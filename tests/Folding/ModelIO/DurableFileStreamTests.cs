using OnnxBn.Folding.Onnx;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>The save path's file writer: background flushes while writing must not change what lands in the file.</summary>
public sealed class DurableFileStreamTests
{
    [Fact]
    public void Bytes_Written_Across_Many_Background_Flushes_Arrive_Intact_And_In_Order()
    {
        using var temp = new TempFolder();
        var expected = new byte[300_000];
        new Random(7).NextBytes(expected);
        string path = temp.File("data.bin");

        using (var stream = DurableFileStream.CreateNew(path, flushEvery: 4096))
        {
            for (int offset = 0; offset < expected.Length; offset += 1000)
                stream.Write(expected.AsSpan(offset, Math.Min(1000, expected.Length - offset)));
            stream.Commit();
        }

        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Gaps_Before_An_Offset_Are_Zero_Filled()
    {
        using var temp = new TempFolder();
        string path = temp.File("gaps.bin");

        using (var stream = DurableFileStream.CreateNew(path, flushEvery: 2))
        {
            stream.Write([1, 2, 3]);
            stream.ExtendTo(8);
            stream.Write([4]);
            stream.ExtendTo(9); // already there: nothing to fill
            stream.Write([5]);
            stream.Commit();
        }

        Assert.Equal(new byte[] { 1, 2, 3, 0, 0, 0, 0, 0, 4, 5 }, File.ReadAllBytes(path));
    }

    [Fact]
    public void Refuses_To_Overwrite_An_Existing_File()
    {
        using var temp = new TempFolder();
        string path = temp.File("taken.bin");
        File.WriteAllBytes(path, [9]);

        Assert.Throws<IOException>(() => DurableFileStream.CreateNew(path).Dispose());
        Assert.Equal(new byte[] { 9 }, File.ReadAllBytes(path));
    }
}
