using OnnxBn.Folding;
using OnnxBn.Runtime.Data;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>onnxbn transfer in-process on a tiny Fashion-MNIST copy (300 images) and a small 784→16→8→8 model A.</summary>
public sealed class TransferCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "onnxbn-transfer-cli", Guid.NewGuid().ToString("N"));
    private readonly string _data;
    private readonly string _model;

    public TransferCommandTests()
    {
        _data = Path.Combine(_dir, "fashion");
        Directory.CreateDirectory(_data);
        WriteFashion(_data, 300, 100);
        _model = Path.Combine(_dir, "model_A.onnx");
        File.WriteAllBytes(_model, ModelA().ToBytes());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Data_Takes_The_Spec_Verify_Takes_And_Refuses_A_Split_It_Would_Ignore()
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", "fashion-mnist:test", "--task", "B", "-o", Path.Combine(_dir, "b.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("--data fashion-mnist:test: transfer trains on the train split", stderr);

        (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", "fashion-mnist", "--task", "B", "--train-limit", "40",
            "--epochs", "1", "-o", Path.Combine(_dir, "b.onnx"));
        Assert.True(code == 0, stderr);
        Assert.Contains($"Loading Fashion-MNIST from {OnnxBn.Runtime.Data.FashionMnist.DefaultDirectory}", stderr);
    }

    [Fact]
    public void Trains_Exports_Model_B_And_Writes_History()
    {
        var modelB = Path.Combine(_dir, "model_B.onnx");
        var history = Path.Combine(_dir, "history", "run");
        var (code, stdout, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--task", "B", "--train-limit", "40", "--epochs", "2",
            "--lr", "0.01", "--unfreeze", "1", "--fine-tune-epochs", "2", "-o", modelB, "--history", history);
        Assert.True(code == 0, stderr);
        Assert.Contains("Epoch 1/2 - ", stdout);
        Assert.Contains(" - loss: ", stdout);
        Assert.Contains(" - val_accuracy: ", stdout);
        Assert.Contains("identical predictions 20/20", stdout);
        Assert.Contains("cut at 'h2'", stderr);
        var b = OnnxModel.Load(modelB);
        Assert.Equal("probability", b.Graph.Outputs.Single().Name);
        Assert.Contains(b.Metadata, p => p.Key == "onnxbn.transfer.test_accuracy");
        Assert.Equal(5, File.ReadAllLines(history + ".csv").Length);
        Assert.StartsWith("<svg", File.ReadAllText(history + ".svg"));
        Assert.Contains("\"val_loss\"", File.ReadAllText(history + ".json"));
    }

    [Fact]
    public void Feature_Extraction_Progress_Is_Plain_Lines_In_A_Log_A_Redrawn_Bar_On_A_Terminal_And_Nothing_When_Quiet()
    {
        string[] args = ["transfer", _model, "--data", _data, "--train-limit", "40", "--epochs", "1", "--feature-batch", "10"];

        var log = CliHarness.Run(args);
        var terminal = CliHarness.RunOnTerminal(args);
        var quiet = CliHarness.Run([.. args, "--quiet"]);

        Assert.True(log.Code == 0, log.Err);
        var lines = log.Err.ReplaceLineEndings("\n").Split('\n').Where(l => l.StartsWith("features: ", StringComparison.Ordinal)).ToArray();
        Assert.InRange(lines.Length, 2, 10);
        Assert.All(lines, l => Assert.Matches(@"^features: \d{1,3}% \d+/\d+$", l));
        Assert.DoesNotContain('\r', log.Err);
        Assert.Contains("\rfeatures [", terminal.Err);
        Assert.DoesNotContain("features", quiet.Err);
        Assert.Equal(0, quiet.Code);
    }

    [Fact]
    public void Task_A_Gets_A_Softmax_Head_Over_Eight_Classes()
    {
        var modelB = Path.Combine(_dir, "model_B_A.onnx");
        var (code, stdout, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--task", "A", "--epochs", "1", "--optimizer", "adam",
            "--schedule", "1cycle", "--hidden", "8", "--activation", "selu", "--init", "lecun_normal", "--clip-norm", "1", "-o", modelB);
        Assert.True(code == 0, stderr);
        Assert.Contains("identical predictions 80/80", stdout);
        Assert.Equal("[N,8]", OnnxModel.Load(modelB).Graph.Outputs[0].ShapeText);
    }

    [Fact]
    public void Generic_Npy_Features_And_Labels_Are_Accepted()
    {
        var x = Path.Combine(_dir, "x.npy");
        var y = Path.Combine(_dir, "y.npy");
        var random = new Random(3);
        var labels = Enumerable.Range(0, 60).Select(i => (long)(i % 2)).ToArray();
        NpyFormat.Write(x, TensorData.Create("x", [60, 1, 28, 28], Enumerable.Range(0, 60 * 784).Select(i => (float)(labels[i / 784] * 0.5 + random.NextDouble() * 0.5)).ToArray().AsSpan()));
        NpyFormat.Write(y, TensorData.Create("y", [60], labels.AsSpan()));
        var (code, stdout, stderr) = CliHarness.Run("transfer", _model, "--features", x, "--labels", y, "--test-features", x, "--test-labels", y,
            "--epochs", "2", "--val-split", "0.25", "--optimizer", "sgd", "--momentum", "0.9", "--nesterov", "--clip-value", "0.5");
        Assert.True(code == 0, stderr);
        Assert.Contains("identical predictions 60/60", stdout);
        // Keras' validation_split: the last quarter of the 60 examples given validates.
        Assert.Contains("45 train / 15 validation (--val-split: the last examples given) / 60 test", stderr);
    }

    [Fact]
    public void Missing_Data_Directory_Is_Exit_3()
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", Path.Combine(_dir, "absent"), "--epochs", "1");
        Assert.Equal(3, code);
        Assert.Contains("Fashion-MNIST directory not found", stderr);
    }

    [Fact]
    public void Truncated_Idx_File_Is_Exit_3()
    {
        var labels = Path.Combine(_data, "train-labels-idx1-ubyte.gz");
        IdxFiles.WriteGzip(labels, IdxFiles.Encode(IdxFile.LabelMagic, [300], new byte[100]));
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--epochs", "1");
        Assert.Equal(3, code);
        Assert.Contains("truncated", stderr);
    }

    [Fact]
    public void Layers_That_Cannot_Be_Unfrozen_Are_Exit_6_Unsupported()
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--epochs", "1", "--unfreeze", "3");
        Assert.Equal(6, code);
        Assert.Contains("cannot unfreeze 3 layer(s)", stderr);
    }

    [Fact]
    public void Unknown_Cut_Tensor_Is_Exit_3()
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--epochs", "1", "--cut", "nowhere");
        Assert.Equal(3, code);
        Assert.Contains("'nowhere'", stderr);
    }

    [Fact]
    public void Notebook_Head_Is_Accepted_As_Written_And_Checked_Through_Onnx_Runtime()
    {
        var modelB = Path.Combine(_dir, "model_B_head.onnx");
        var (code, stdout, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--task", "all", "--epochs", "2", "--optimizer", "nadam",
            "--head", "dropout(0.7), dense(12, relu, l2=0.01), batchnorm", "--class-weight", "balanced", "-o", modelB);
        Assert.True(code == 0, stderr);
        Assert.Contains("Head: Dropout(0.7) -> Dense(12, relu, l2=0.01) -> BatchNormalization(momentum=0.99, epsilon=0.001) -> Dense(10) -> softmax", stderr);
        Assert.Contains("identical predictions 100/100", stdout);
        var b = OnnxModel.Load(modelB);
        Assert.Equal("[N,10]", b.Graph.Outputs[0].ShapeText);
        Assert.DoesNotContain(b.Graph.Nodes, n => n.OpType is "Dropout" or "BatchNormalization");
    }

    [Fact]
    public void Keras_Val_Split_Takes_The_Last_Fraction_Of_The_Limited_Examples()
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--task", "all", "--train-limit", "200", "--val-split", "0.2", "--epochs", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("160 train / 40 validation (--val-split: the last examples given)", stderr);
    }

    [Fact]
    public void Checkpoints_Are_Written_Each_Epoch_And_Resume_Continues()
    {
        var checkpoints = Path.Combine(_dir, "checkpoints");
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--epochs", "2", "--optimizer", "rmsprop", "--checkpoint", checkpoints);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(checkpoints, "best.onnx")));
        Assert.True(File.Exists(Path.Combine(checkpoints, "last.onnx")));
        var (resumed, stdout, resumeErr) = CliHarness.Run("transfer", _model, "--data", _data, "--epochs", "3", "--optimizer", "rmsprop", "--resume", checkpoints);
        Assert.True(resumed == 0, resumeErr);
        Assert.Contains("Resuming after epoch 2 of phase frozen", resumeErr);
        Assert.Contains("Epoch 3/3", stdout);
        Assert.DoesNotContain("Epoch 1/3", stdout);
        var (mismatch, _, mismatchErr) = CliHarness.Run("transfer", _model, "--data", _data, "--epochs", "3", "--optimizer", "adam", "--resume", checkpoints);
        Assert.Equal(2, mismatch);
        Assert.Contains("--resume: The checkpoint was made for", mismatchErr);
    }

    [Fact]
    public void Ctrl_C_Writes_Model_B_From_The_Best_Weights_And_The_History_And_Exits_130()
    {
        var modelB = Path.Combine(_dir, "interrupted.onnx");
        var history = Path.Combine(_dir, "interrupted");
        // Interrupt the way Ctrl-C does, as soon as the second epoch's line is printed.
        var (code, stdout, stderr) = CliHarness.RunInterruptedAt("Epoch 2/",
            "transfer", _model, "--data", _data, "--epochs", "10", "--lr", "0.01", "-o", modelB, "--history", history);

        Assert.True(code == 130, stderr);
        Assert.Contains("Interrupted in phase frozen during epoch 3 (0 examples in): restored the weights of epoch", stderr);
        Assert.DoesNotContain("Epoch 3/10", stdout);
        Assert.True(File.Exists(modelB));
        Assert.Equal(3, File.ReadAllLines(history + ".csv").Length);
        Assert.Contains("\"interrupted\"", File.ReadAllText(history + ".json"));
    }

    [Fact]
    public void Gap_On_A_Model_Without_Global_Pooling_Is_Exit_6_And_Says_Where_To_Cut()
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--epochs", "1", "--head", "gap, dense(4)");
        Assert.Equal(6, code);
        Assert.Contains("no global pooling feeds the output layer", stderr);
    }

    [Fact]
    public void Classes_That_Do_Not_Match_The_Labels_Are_A_Usage_Error()
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--task", "B", "--classes", "3", "--epochs", "1");
        Assert.Equal(2, code);
        Assert.Contains("--classes 3, but the labels have 2 classes", stderr);
    }

    [Theory]
    [InlineData("--patience", "early stopping")]
    [InlineData("--reduce-lr-patience", "ReduceLROnPlateau")]
    public void Callbacks_On_Val_Loss_Without_Validation_Data_Are_A_Usage_Error(string flag, string what)
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, "--val-split", "0", flag, "2", "--epochs", "1");
        Assert.Equal(2, code);
        Assert.Contains(what, stderr);
        Assert.Contains("no validation data", stderr);
    }

    [Fact]
    public void Raw_Pixels_And_Float64_Features_Are_Flagged_With_Statistics()
    {
        var x = Path.Combine(_dir, "pixels.npy");
        var y = Path.Combine(_dir, "pixel_labels.npy");
        var random = new Random(5);
        NpyFormat.Write(x, TensorData.Create("x", [40, 1, 28, 28], Enumerable.Range(0, 40 * 784).Select(_ => (double)random.Next(256)).ToArray().AsSpan()));
        NpyFormat.Write(y, TensorData.Create("y", [40], Enumerable.Range(0, 40).Select(i => (long)(i % 2)).ToArray().AsSpan()));
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--features", x, "--labels", y, "--epochs", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("float64 values cast to float32 for model A's input (max rounding error ", stderr);
        Assert.Contains("warning: the inputs look like raw 0-255 pixels (min 0, max 255", stderr);
        var (scaledCode, _, scaledErr) = CliHarness.Run("transfer", _model, "--data", _data, "--epochs", "1");
        Assert.Equal(0, scaledCode);
        Assert.DoesNotContain("raw 0-255 pixels", scaledErr);
    }

    [Theory]
    [InlineData("--head", "dense(8, softmax)")]
    [InlineData("--head", "dense(4")]
    [InlineData("--optimizer", "adadelta")]
    [InlineData("--class-weight", "0:x")]
    [InlineData("--reduce-lr-factor", "2")]
    [InlineData("--task", "C")]
    public void Bad_Keras_Options_Are_Exit_2(string flag, string value)
    {
        var extra = flag == "--reduce-lr-factor" ? new[] { "--reduce-lr-patience", "2" } : [];
        var (code, _, stderr) = CliHarness.Run(["transfer", _model, "--data", _data, "--epochs", "1", flag, value, .. extra]);
        Assert.Equal(2, code);
        Assert.Contains("error:", stderr);
    }

    [Theory]
    [InlineData("--epochs", "-1")]
    [InlineData("--optimizer", "adagrad")]
    [InlineData("--schedule", "cosine")]
    [InlineData("--val-split", "1.5")]
    [InlineData("--hidden", "32,x")]
    [InlineData("--activation", "gelu")]
    [InlineData("--init", "orthogonal")]
    [InlineData("--batch", "0")]
    [InlineData("--classes", "1")]
    [InlineData("--features", "x.npy")]
    [InlineData("--no-such-flag", "1")]
    public void Bad_Flags_Are_Exit_2(string flag, string value)
    {
        var (code, _, stderr) = CliHarness.Run("transfer", _model, "--data", _data, flag, value);
        Assert.Equal(2, code);
        Assert.StartsWith("error:", stderr);
    }

    [Fact]
    public void Help_Lists_The_Transfer_Options()
    {
        var (code, stdout, _) = CliHarness.Run("transfer", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--unfreeze", "--fine-tune-lr", "--cut", "--history", "--bench-features", "--train-limit" })
            Assert.Contains(option, stdout);
    }

    private static OnnxModel ModelA()
    {
        var random = new Random(1);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        return new GraphBuilder()
            .Input("input", OnnxDataType.Float, "N", 1, 28, 28)
            .Output("output", OnnxDataType.Float, "N", 8)
            .Initializer("W1", [16, 784], Values(16 * 784)).Initializer("B1", [16], Values(16))
            .Initializer("W2", [8, 16], Values(128)).Initializer("B2", [8], Values(8))
            .Initializer("W3", [8, 8], Values(64)).Initializer("B3", [8], Values(8))
            .Node("Flatten", ["input"], ["flat"], "flatten", ("axis", 1L))
            .Node("Gemm", ["flat", "W1", "B1"], ["z1"], "fc1", ("transB", 1L))
            .Node("Relu", ["z1"], ["h1"], "relu1")
            .Node("Gemm", ["h1", "W2", "B2"], ["z2"], "fc2", ("transB", 1L))
            .Node("Relu", ["z2"], ["h2"], "relu2")
            .Node("Gemm", ["h2", "W3", "B3"], ["logits"], "out", ("transB", 1L))
            .Node("Softmax", ["logits"], ["output"], "softmax", ("axis", 1L))
            .Build();
    }

    /// <summary>Labels cycle 0..9; each image is noise plus a brightness that depends on its label.</summary>
    private static void WriteFashion(string dir, int trainCount, int testCount)
    {
        var random = new Random(7);
        foreach (var (prefix, count) in new[] { ("train", trainCount), ("t10k", testCount) })
        {
            var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            var pixels = labels.SelectMany(l => Enumerable.Range(0, 784).Select(_ => (byte)(l * 20 + random.Next(40)))).ToArray();
            IdxFiles.WriteGzip(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), IdxFiles.Encode(IdxFile.ImageMagic, [count, 28, 28], pixels));
            IdxFiles.WriteGzip(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), IdxFiles.Encode(IdxFile.LabelMagic, [count], labels));
        }
    }
}
