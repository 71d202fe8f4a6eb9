using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.Runtime.Inputs;

namespace OnnxBn.Runtime.Tests.Verification;

/// <summary>The shared input sources: random shapes, backend-test folders, tensor files and Fashion-MNIST.</summary>
public sealed class InputSourceTests
{
    private static InputSignature Sig(string name, OnnxDataType type, params object[] dims) =>
        new(name, type, dims.Select(d => d is string ? null : (long?)Convert.ToInt64(d)).ToArray(),
            dims.Select(d => d as string ?? "").ToArray());

    private static readonly Dictionary<string, long[]> NoShapes = new();

    [Fact]
    public void Symbolic_Batch_Takes_The_Samples_And_Other_Symbolic_Dims_Default_To_One()
    {
        var input = Sig("x", OnnxDataType.Float, "N", 3, "L");
        Assert.Equal([5L, 3, InputShapes.DefaultSymbolicDimension], InputShapes.Resolve(input, NoShapes, 5));
    }

    [Fact]
    public void Random_Samples_Are_Split_Into_Batches_And_Reproducible()
    {
        InputSignature[] inputs = [Sig("x", OnnxDataType.Float, "N", 2)];
        var feeds = new RandomInputSource(samples: 5, seed: 3, batchSize: 2).Feeds(inputs).ToList();
        Assert.Equal([2L, 2, 1], feeds.Select(f => f.Tensors[0].Dims[0]));
        var again = new RandomInputSource(samples: 5, seed: 3, batchSize: 2).Feeds(inputs).ToList();
        Assert.Equal(feeds[2].Tensors[0].ToArray<float>(), again[2].Tensors[0].ToArray<float>());
        Assert.All(feeds.SelectMany(f => f.Tensors[0].ToArray<float>()), v => Assert.InRange(v, 0f, 1f));
        Assert.NotEqual(feeds[0].Tensors[0].ToArray<float>(), new RandomInputSource(5, seed: 4, batchSize: 2).Feeds(inputs).First().Tensors[0].ToArray<float>());
    }

    [Fact]
    public void A_Fixed_Batch_Dimension_Sets_The_Samples_Per_Run()
    {
        InputSignature[] inputs = [Sig("x", OnnxDataType.Int64, 1, 4)];
        var feeds = new RandomInputSource(samples: 3).Feeds(inputs).ToList();
        Assert.Equal(3, feeds.Count);
        Assert.All(feeds.SelectMany(f => f.Tensors[0].ToArray<long>()), v => Assert.InRange(v, 0, RandomInputSource.IntegerRange - 1));
    }

    [Fact]
    public void Shape_Override_Replaces_The_Whole_Shape_And_Is_Checked()
    {
        InputSignature[] inputs = [Sig("x", OnnxDataType.Float, "N", 3, "H", "W")];
        var shape = InputShapes.ParseOverride("x=2x3x8x9");
        var source = new RandomInputSource(4, 0, new Dictionary<string, long[]> { [shape.Key] = shape.Value });
        Assert.All(source.Feeds(inputs), f => Assert.Equal([2L, 3, 8, 9], f.Tensors[0].Dims));
        var wrong = new RandomInputSource(4, 0, new Dictionary<string, long[]> { ["x"] = [2, 4, 8, 9] });
        Assert.Throws<InputMismatchException>(() => wrong.Feeds(inputs).ToList());
        var unknown = new RandomInputSource(4, 0, new Dictionary<string, long[]> { ["nope"] = [1] });
        Assert.Contains("nope", Assert.Throws<InputMismatchException>(() => unknown.Feeds(inputs).ToList()).Message);
        Assert.Throws<FormatException>(() => InputShapes.ParseOverride("x=1xAx2"));
    }

    [Fact]
    public void Backend_Test_Layout_Gives_One_Feed_Per_Set_Matched_By_Name_Or_Position()
    {
        var dir = Directory.CreateTempSubdirectory("onnxbn-inputs-").FullName;
        for (var set = 0; set < 2; set++)
        {
            var setDir = Directory.CreateDirectory(Path.Combine(dir, $"test_data_set_{set}")).FullName;
            var tensor = TensorData.Create(set == 0 ? "x" : "", [1, 2], new float[] { set, set + 1 });
            File.WriteAllBytes(Path.Combine(setDir, "input_0.pb"), tensor.ToTensorProtoBytes());
        }
        var feeds = new BackendTestDataSource(dir).Feeds([Sig("x", OnnxDataType.Float, "N", 2)]).ToList();
        Assert.Equal(["test_data_set_0", "test_data_set_1"], feeds.Select(f => f.Label));
        Assert.All(feeds, f => Assert.Equal("x", f.Tensors[0].Name));
        Assert.Equal([1f, 2f], feeds[1].Tensors[0].ToArray<float>());
        // a set directory itself works too
        Assert.Single(new BackendTestDataSource(Path.Combine(dir, "test_data_set_1")).Feeds([Sig("x", OnnxDataType.Float, "N", 2)]));
        Assert.Throws<InputMismatchException>(() => new BackendTestDataSource(dir).Feeds([Sig("x", OnnxDataType.Float, "N", 3)]).ToList());
    }

    [Fact]
    public void Npy_And_Pb_Files_Feed_Named_Inputs_With_Float_Conversion()
    {
        var dir = Directory.CreateTempSubdirectory("onnxbn-inputs-").FullName;
        var npy = Path.Combine(dir, "a.npy");
        NpyFormat.Write(npy, TensorData.Create("a", [1, 2], new double[] { 0.25, 0.5 }));
        var pb = Path.Combine(dir, "b.pb");
        File.WriteAllBytes(pb, TensorData.Create("b", [1, 2], new float[] { 3, 4 }).ToTensorProtoBytes());
        var source = new TensorFileSource([TensorFileSource.Parse($"x={npy}"), TensorFileSource.Parse($"y={pb}")]);
        var feed = source.Feeds([Sig("x", OnnxDataType.Float, "N", 2), Sig("y", OnnxDataType.Float, "N", 2)]).Single();
        Assert.Equal([0.25f, 0.5f], feed.Find("x")!.ToArray<float>());
        Assert.Equal([3f, 4f], feed.Find("y")!.ToArray<float>());
        Assert.Contains("No tensor file given for y",
            Assert.Throws<InputMismatchException>(() => new TensorFileSource([new("x", npy)])
                .Feeds([Sig("x", OnnxDataType.Float, "N", 2), Sig("y", OnnxDataType.Float, "N", 2)]).ToList()).Message);
    }

    [Fact]
    public void Fashion_Mnist_Feeds_Scaled_Real_Images_Shaped_For_The_Model()
    {
        var source = FashionMnistSource.Parse("fashion-mnist:test", limit: 5, batchSize: 2);
        var feeds = source.Feeds([Sig("input", OnnxDataType.Float, "N", 1, 28, 28)]).ToList();
        Assert.Equal([2L, 2, 1], feeds.Select(f => f.Tensors[0].Dims[0]));
        Assert.Equal([2L, 1, 28, 28], feeds[0].Tensors[0].Dims);
        var pixels = feeds.SelectMany(f => f.Tensors[0].ToArray<float>()).ToArray();
        Assert.Equal(5 * 784, pixels.Length);
        Assert.All(pixels, p => Assert.InRange(p, 0f, 1f));
        Assert.Contains(pixels, p => p > 0.5f); // real images, not zeros
        Assert.Equal("fashion-mnist:test images 0-1", feeds[0].Label);

        var flat = FashionMnistSource.Parse("fashion-mnist", scale: 1, limit: 1).Feeds([Sig("x", OnnxDataType.Double, "N", 784)]).Single();
        Assert.Equal([1L, 784], flat.Tensors[0].Dims);
        Assert.Equal(pixels[..784].Select(p => Math.Round(p * 255.0)), flat.Tensors[0].ToArray<double>());
    }

    [Fact]
    public void Fashion_Mnist_Rejects_Inputs_That_Cannot_Hold_Images()
    {
        var source = FashionMnistSource.Parse("fashion-mnist", limit: 1);
        Assert.Throws<InputMismatchException>(() => source.Feeds([Sig("x", OnnxDataType.Float, "N", 3, 224, 224)]).ToList());
        Assert.Throws<FormatException>(() => FashionMnistSource.Parse("fashion-mnist:validation"));
        Assert.Throws<DirectoryNotFoundException>(() => FashionMnistSource.Parse("/nonexistent/dir").Feeds([Sig("x", OnnxDataType.Float, "N", 784)]).ToList());
    }
}
