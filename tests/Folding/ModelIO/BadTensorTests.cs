using Google.Protobuf;
using OnnxBn.Folding.Onnx.Proto;
using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>Initializers whose header and payload disagree, or whose external bytes lie outside the model's folder.</summary>
public sealed class BadTensorTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Raw_Data_Shorter_Than_Dims_Need_Is_Named()
    {
        string path = WithW(w => w.RawData = ByteString.CopyFrom(new byte[10]));

        BadInputAssert.LoadFails(path, "tensor 'W'", "raw_data has 10 bytes", "need 256");
    }

    [Fact]
    public void Negative_Dim_Is_Named()
    {
        string path = WithW(w => { w.Dims.Clear(); w.Dims.Add(-64); });

        BadInputAssert.LoadFails(path, "tensor 'W'", "negative dimension (-64)");
    }

    [Fact]
    public void Claimed_Ten_To_The_Twelve_Elements_With_Small_Data_Fails_Without_Allocating_Them()
    {
        string path = WithW(w => { w.Dims.Clear(); w.Dims.Add(1_000_000); w.Dims.Add(1_000_000); });

        BadInputAssert.LoadFails(path, "tensor 'W'", "[1000000,1000000]");
    }

    [Fact]
    public void Claimed_Ten_To_The_Twelve_Elements_In_Typed_Fields_Fails_Without_Allocating_Them()
    {
        string path = WithW(w =>
        {
            w.ClearRawData();
            w.FloatData.Add(1f);
            w.Dims.Clear(); w.Dims.Add(1_000_000); w.Dims.Add(1_000_000);
        });

        BadInputAssert.LoadFails(path, "tensor 'W'", "float_data holds 1 values");
    }

    [Fact]
    public void Dims_Whose_Product_Overflows_Are_Reported_As_Absurd()
    {
        string path = WithW(w => { w.Dims.Clear(); w.Dims.Add(1L << 40); w.Dims.Add(1L << 40); });

        BadInputAssert.LoadFails(path, "tensor 'W'", "absurd");
    }

    [Fact]
    public void Typed_Field_Count_Mismatch_Is_Named()
    {
        string path = WithW(w => { w.ClearRawData(); w.FloatData.Add([1f, 2f, 3f]); });

        BadInputAssert.LoadFails(path, "tensor 'W'", "float_data holds 3 values but its dims need 64");
    }

    [Fact]
    public void External_Location_Escaping_The_Folder_Is_Refused()
    {
        string path = ExternalDataModel.Write(_temp.Path, location: "../../etc/passwd");

        BadInputAssert.LoadFails(path, "'../../etc/passwd'", "escapes the model's folder");
    }

    [Fact]
    public void Data_Outside_The_Folder_Is_A_Structured_Refusal_Naming_The_Load_Option()
    {
        string path = ExternalDataModel.Write(_temp.Path, location: "../w.bin");

        var ex = Assert.Throws<ExternalDataOutsideFolderException>(() => OnnxModel.Load(path));

        Assert.Equal("external data location '../w.bin' escapes the model's folder", ex.Where);
        Assert.EndsWith("(ModelLoadOptions.AllowExternalDataOutsideModelFolder)", ex.Message);
        Assert.Equal(path, ex.FilePath);
    }

    [Fact]
    public void Absolute_External_Location_Is_Refused()
    {
        string path = ExternalDataModel.Write(_temp.Path, location: "/etc/passwd");

        BadInputAssert.LoadFails(path, "'/etc/passwd'", "absolute path");
    }

    [Fact]
    public void External_Range_Past_The_End_Of_Its_File_Is_Refused()
    {
        string path = ExternalDataModel.Write(_temp.Path, bOffset: 68);

        BadInputAssert.LoadFails(path, "tensor 'B'", "past the end of 'weights.bin' (72 bytes)");
    }

    [Fact]
    public void External_Length_Not_Matching_Dims_Is_Refused()
    {
        string path = ExternalDataModel.Write(_temp.Path, bLength: 4);

        BadInputAssert.LoadFails(path, "tensor 'B'", "length 4 does not match");
    }

    [Fact]
    public void External_Data_File_That_Does_Not_Exist_Is_Named()
    {
        string path = ExternalDataModel.Write(_temp.Path);
        File.Delete(_temp.File("weights.bin"));

        BadInputAssert.LoadFails(path, "'weights.bin' not found");
    }

    private string WithW(Action<TensorProto> edit)
    {
        var proto = ModelProto.Parser.ParseFrom(BadInputTests.ModelWithWeights().ToBytes());
        edit(proto.Graph.Initializer.Single(t => t.Name == "W"));
        string path = _temp.File("bad.onnx");
        File.WriteAllBytes(path, proto.ToByteArray());
        return path;
    }
}
