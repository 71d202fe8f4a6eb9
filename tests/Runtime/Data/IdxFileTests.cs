using OnnxBn.Runtime.Data;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onnxbn-idx-tests", Guid.NewGuid().ToString("N"));

    public IdxFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes a tiny Fashion-MNIST copy: images whose pixels all equal their label × 20, labels cycling 0..9.</summary>
    internal static void WriteFashion(string dir, int trainCount, int testCount, bool gzip = true)
    {
        foreach (var (prefix, count) in new[] { ("train", trainCount), ("t10k", testCount) })
        {
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            var pixels = labels.SelectMany(l => Enumerable.Repeat((byte)(l * 20), 28 * 28)).ToArray();
            var images = IdxFiles.Encode(IdxFile.ImageMagic, [count, 28, 28], pixels);
            var labelFile = IdxFiles.Encode(IdxFile.LabelMagic, [count], labels);
            if (gzip)
            {
                IdxFiles.WriteGzip(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), images);
                IdxFiles.WriteGzip(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), labelFile);
            }
            else
            {
                File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), images);
                File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), labelFile);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reads_Raw_And_Gzip_Files(bool gzip)
    {
        var path = Path.Combine(_dir, "images");
        var content = IdxFiles.Encode(IdxFile.ImageMagic, [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        if (gzip)
            IdxFiles.WriteGzip(path, content);
        else
            File.WriteAllBytes(path, content);
        var images = IdxFile.ReadImages(path);
        Assert.Equal((2, 2, 3), (images.Count, images.Rows, images.Columns));
        Assert.Equal(12, images.Pixels[^1]);
    }

    [Fact]
    public void Wrong_Magic_Names_Both_Numbers()
    {
        var path = Path.Combine(_dir, "labels");
        File.WriteAllBytes(path, IdxFiles.Encode(IdxFile.ImageMagic, [1, 1, 1], [0]));
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));
        Assert.Contains("0x00000803", ex.Message);
        Assert.Contains("0x00000801", ex.Message);
    }

    [Fact]
    public void Truncated_Data_Is_Reported()
    {
        var path = Path.Combine(_dir, "labels");
        IdxFiles.WriteGzip(path, IdxFiles.Encode(IdxFile.LabelMagic, [10], [1, 2, 3]));
        var ex = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path));
        Assert.Contains("truncated", ex.Message);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void Truncated_Header_Is_Reported()
    {
        var path = Path.Combine(_dir, "images");
        File.WriteAllBytes(path, IdxFiles.Encode(IdxFile.ImageMagic, [5], []));
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => IdxFile.ReadImages(path)).Message);
    }

    [Fact]
    public void Extra_Data_Is_Reported()
    {
        var path = Path.Combine(_dir, "labels");
        File.WriteAllBytes(path, IdxFiles.Encode(IdxFile.LabelMagic, [2], [1, 2, 3]));
        Assert.Contains("more data", Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabels(path)).Message);
    }

    [Fact]
    public void Image_And_Label_Counts_Must_Agree()
    {
        WriteFashion(_dir, 20, 10);
        IdxFiles.WriteGzip(Path.Combine(_dir, "t10k-labels-idx1-ubyte.gz"), IdxFiles.Encode(IdxFile.LabelMagic, [9], new byte[9]));
        var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        Assert.Contains("10 images but 9 labels", ex.Message);
    }

    [Fact]
    public void Missing_Directory_And_File_Are_Reported()
    {
        Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(Path.Combine(_dir, "absent")));
        Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_dir));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Task_Splits_Follow_The_Book(bool gzip)
    {
        WriteFashion(_dir, 50, 20, gzip);
        var data = FashionMnist.Load(_dir);
        var b = data.Train(FashionTask.B);
        Assert.Equal(10, b.Count);
        Assert.All(Enumerable.Range(0, b.Count), i => Assert.Equal(b.Labels[i] == 1 ? 120 / 255f : 100 / 255f, b.Row(i)[0]));
        var a = data.Test(FashionTask.A);
        Assert.Equal(16, a.Count);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], a.Labels.Distinct().Order());
        // Label 9 (pixels 180) becomes target 7.
        Assert.All(Enumerable.Range(0, a.Count).Where(i => a.Labels[i] == 7), i => Assert.Equal(180 / 255f, a.Row(i)[5]));
    }

    [Fact]
    public void Split_Holds_Out_Validation_Before_The_Limit_And_Is_Seeded()
    {
        var pool = new LabeledData(Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), new int[100], 1);
        var split = TrainValidationSplit.Create(pool, 0.2, 30, 5);
        Assert.Equal(30, split.Train.Count);
        Assert.Equal(20, split.Validation.Count);
        Assert.Empty(split.Train.Features.Intersect(split.Validation.Features));
        Assert.Equal(split.Train.Features, TrainValidationSplit.Create(pool, 0.2, 30, 5).Train.Features);
        Assert.NotEqual(split.Train.Features, TrainValidationSplit.Create(pool, 0.2, 30, 6).Train.Features);
        Assert.Equal(80, TrainValidationSplit.Create(pool, 0.2, null, 5).Train.Count);
    }
}
