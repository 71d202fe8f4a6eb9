using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Tests.Sessions;

public sealed class OrtErrorsTests
{
    [Theory]
    [InlineData("[ErrorCode:InvalidGraph] bad graph", OrtErrorCode.InvalidGraph)]
    [InlineData("[ErrorCode:NotImplemented] Could not find an implementation for X", OrtErrorCode.NotImplemented)]
    [InlineData("no code here", OrtErrorCode.Unknown)]
    [InlineData("[ErrorCode:SomethingNew] later versions", OrtErrorCode.Unknown)]
    public void Reads_The_Code_From_The_Message(string message, OrtErrorCode code) =>
        Assert.Equal(code, OrtErrors.CodeOf(message));

    [Theory]
    [InlineData("[ErrorCode:Fail] CUDA execution provider is not enabled in this build.", "CUDA execution provider is not enabled in this build.")]
    [InlineData("[ErrorCode:Fail] /onnxruntime_src/x.cc:12 F() [ONNXRuntimeError] : 1 : FAIL : libcublasLt.so.13: cannot open\nshared object file", "libcublasLt.so.13: cannot open shared object file.")]
    public void One_Line_Keeps_Only_The_Reason(string message, string expected) =>
        Assert.Equal(expected, OrtErrors.OneLine(message));
}
