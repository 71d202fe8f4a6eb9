using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Loading;
using OnnxBn.Runtime.Verification;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Loading;

public sealed class FoldOnLoadTests
{
    private static readonly string SmallCnn = Path.Combine(RepositoryPaths.Models, "small_cnn_bn.onnx");

    /// <summary>Verification that fails on any rounding difference: folding in float64 and writing float32 leaves some.</summary>
    private static readonly EquivalenceOptions ExactMatch = new() { Tolerance = new Tolerance(0, 0) };

    [Fact]
    public void Opens_The_Folded_Model_As_The_Official_Session_With_Its_Fold_And_Verification_Reports()
    {
        using var folded = FoldOnLoad.Open(SmallCnn);

        Assert.Equal(3, folded.Fold.Folded);
        Assert.Equal(0, folded.Fold.Kept);
        Assert.NotNull(folded.Verification);
        Assert.True(folded.Verification.IsEquivalent);
        Assert.Contains("seed 0", folded.Verification.Inputs);
        Assert.Equal(SmallCnn, folded.Source);
        Assert.Equal(["input"], folded.Session.InputNames);
    }

    [Fact]
    public void The_Session_Computes_What_The_Original_Model_Computes()
    {
        var input = TensorData.FromDoubles("input", OnnxDataType.Float, [2, 1, 28, 28],
            Enumerable.Range(0, 2 * 28 * 28).Select(i => (i % 97) / 97.0).ToArray());
        using var folded = FoldOnLoad.Open(SmallCnn);
        using var original = new InferenceSession(SmallCnn);

        var expected = RunOnce(original, input);
        var actual = RunOnce(folded.Session, input);

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]), $"element {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void Writes_No_File_Next_To_The_Model()
    {
        using var temp = new TempFolder();
        File.Copy(SmallCnn, temp.File("model.onnx"));

        using (FoldOnLoad.Open(temp.File("model.onnx"))) { }

        Assert.Equal(["model.onnx"], temp.FileNames());
    }

    [Fact]
    public void Throws_With_Both_Reports_When_The_Folded_Model_Is_Not_Equivalent()
    {
        var error = Assert.Throws<FoldVerificationException>(() =>
            FoldOnLoad.Open(SmallCnn, new FoldOnLoadOptions { Verification = ExactMatch }));

        Assert.Equal(SmallCnn, error.Model);
        Assert.Equal(3, error.Fold.Folded);
        Assert.False(error.Verification.IsEquivalent);
        Assert.Contains("no session was opened", error.Message);
        Assert.Contains("output", error.Message);
    }

    [Fact]
    public void Returns_The_Failed_Report_When_Asked_Not_To_Throw()
    {
        using var folded = FoldOnLoad.Open(SmallCnn, new FoldOnLoadOptions { Verification = ExactMatch, AllowNotEquivalent = true });

        Assert.False(folded.Verification!.IsEquivalent);
        Assert.NotEmpty(folded.Session.OutputNames);
    }

    [Fact]
    public void Skips_The_Check_When_Verification_Is_Off()
    {
        using var folded = FoldOnLoad.Open(SmallCnn, new FoldOnLoadOptions { Verify = false, Verification = ExactMatch });

        Assert.Null(folded.Verification);
        Assert.Equal(3, folded.Fold.Folded);
    }

    [Fact]
    public void Verifies_On_Seeded_Random_Inputs_Of_The_Given_Count_And_Seed()
    {
        var options = new FoldOnLoadOptions
        {
            Verification = new EquivalenceOptions { Inputs = new RandomInputSource(samples: 3, seed: 42, batchSize: 1) },
        };
        using var folded = FoldOnLoad.Open(SmallCnn, options);

        Assert.Equal(3, folded.Verification!.Runs);
        Assert.Contains("seed 42", folded.Verification.Inputs);
    }

    [Fact]
    public void Verifies_On_Given_Inputs()
    {
        var image = TensorData.FromDoubles("input", OnnxDataType.Float, [1, 1, 28, 28], new double[28 * 28]);
        var options = new FoldOnLoadOptions { Verification = new EquivalenceOptions { Inputs = new GivenInputSource(image) } };

        using var folded = FoldOnLoad.Open(SmallCnn, options);

        Assert.Equal(1, folded.Verification!.Runs);
        Assert.StartsWith("given tensors", folded.Verification.Inputs);
    }

    [Fact]
    public void Given_Inputs_That_Name_No_Model_Input_Stop_The_Check_With_A_Clear_Error()
    {
        var stray = TensorData.FromDoubles("pixels", OnnxDataType.Float, [1, 1, 28, 28], new double[28 * 28]);
        var options = new FoldOnLoadOptions { Verification = new EquivalenceOptions { Inputs = new GivenInputSource(stray) } };

        var error = Assert.Throws<InputMismatchException>(() => FoldOnLoad.Open(SmallCnn, options));

        Assert.Contains("'pixels' names no input", error.Message);
    }

    [Fact]
    public void Folds_A_Copy_Of_An_In_Memory_Model_And_Leaves_The_Model_As_It_Was()
    {
        var model = OnnxModel.Load(SmallCnn);
        var nodesBefore = model.Graph.Nodes.Count;

        using var folded = FoldOnLoad.Open(model);

        Assert.Equal(3, folded.Fold.Folded);
        Assert.Equal(nodesBefore, model.Graph.Nodes.Count);
        Assert.Contains(model.Graph.Nodes, n => n.OpType == "BatchNormalization");
    }

    [Fact]
    public void Reads_External_Data_Next_To_A_Model_File_And_Through_The_Base_Directory_Of_A_Stream()
    {
        using var temp = new TempFolder();
        var path = temp.File("cnn.onnx");
        OnnxModel.Load(SmallCnn).Save(path, new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge });
        Assert.Contains("cnn.onnx.data", temp.FileNames());

        using (var fromFile = FoldOnLoad.Open(path))
            Assert.True(fromFile.Verification!.IsEquivalent);
        using var stream = File.OpenRead(path);
        using var fromStream = FoldOnLoad.Open(stream, new FoldOnLoadOptions { BaseDirectory = temp.Path }, "cnn stream");

        Assert.True(fromStream.Verification!.IsEquivalent);
        Assert.Equal(3, fromStream.Fold.Folded);
        Assert.Equal("cnn stream", fromStream.Source);
    }

    [Fact]
    public void A_Stream_With_External_Data_And_No_Base_Directory_Is_An_Invalid_Model()
    {
        using var temp = new TempFolder();
        var path = temp.File("cnn.onnx");
        OnnxModel.Load(SmallCnn).Save(path, new ModelSaveOptions { Layout = ExternalDataLayout.ExternalizeLarge });
        using var stream = File.OpenRead(path);

        Assert.Throws<OnnxModelException>(() => FoldOnLoad.Open(stream));
    }

    [Fact]
    public void A_Missing_Model_File_Is_An_Invalid_Model()
    {
        var error = Assert.Throws<OnnxModelException>(() => FoldOnLoad.Open(Path.Combine(RepositoryPaths.Models, "absent.onnx")));

        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void The_Callers_Session_Options_Open_The_Session()
    {
        using var options = new SessionOptions();
        options.AddSessionConfigEntry("session.load_model_format", "ORT");

        // ONNX Runtime now expects its own ORT format, so the ONNX bytes are refused: the options were used.
        Assert.ThrowsAny<OnnxRuntimeException>(() => FoldOnLoad.Open(SmallCnn, new FoldOnLoadOptions { SessionOptions = options }));
    }

    private static float[] RunOnce(InferenceSession session, TensorData input)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input.ToDoubleArray().Select(d => (float)d).ToArray(), input.DimsArray());
        using var outputs = session.Run(new RunOptions(), ["input"], [value], [session.OutputNames[0]]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
