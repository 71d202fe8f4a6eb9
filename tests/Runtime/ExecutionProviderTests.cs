using OnnxBn.Runtime.Session;

namespace OnnxBn.Runtime.Tests;

/// <summary>CPU-only behaviour of the provider choice: this machine has no GPU and no CUDA provider library.</summary>
public sealed class ExecutionProviderTests
{
    [Theory]
    [InlineData("cpu", ExecutionProviderKind.Cpu, 0)]
    [InlineData("CUDA", ExecutionProviderKind.Cuda, 0)]
    [InlineData("cuda:2", ExecutionProviderKind.Cuda, 2)]
    [InlineData("auto", ExecutionProviderKind.Auto, 0)]
    [InlineData("auto:1", ExecutionProviderKind.Auto, 1)]
    public void Parses_Device_Names(string text, ExecutionProviderKind kind, int device)
    {
        var provider = ExecutionProvider.Parse(text);
        Assert.Equal(kind, provider.Kind);
        Assert.Equal(device, provider.DeviceId);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    [InlineData("cpu:0")]
    [InlineData("cuda:1:2")]
    public void Rejects_Unknown_Devices(string text)
    {
        var ex = Assert.Throws<FormatException>(() => ExecutionProvider.Parse(text));
        Assert.Contains("expected cpu, cuda, cuda:N, auto or auto:N", ex.Message);
    }

    [Fact]
    public void Cuda_Without_The_Provider_Is_One_Clear_Line_Naming_What_Is_Missing_And_Where_To_Get_It()
    {
        var options = new SessionOptions { ExecutionProvider = ExecutionProvider.Cuda() };
        var ex = Assert.Throws<ExecutionProviderUnavailableException>(() => new InferenceSession(TestModels.AddRelu(), options));
        Assert.Equal(ExecutionProvider.Cuda(0), ex.Provider);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Matches("libonnxruntime_providers_(shared|cuda)\\.so|libcu", ex.Reason);
        Assert.DoesNotContain("[ONNXRuntimeError]", ex.Reason);
        Assert.Contains("com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9", ex.Message);
        Assert.Contains("libonnxruntime_providers_shared.so", ex.Message);
    }

    [Fact]
    public void Auto_Falls_Back_To_Cpu_And_Says_Why()
    {
        string? reported = null;
        var options = new SessionOptions { ExecutionProvider = ExecutionProvider.Auto, ProviderFallback = r => reported = r };
        using var session = new InferenceSession(TestModels.AddRelu(), options);
        Assert.Equal(ExecutionProvider.Cpu, session.ActiveProvider);
        Assert.NotNull(session.ProviderFallbackReason);
        Assert.StartsWith("CUDA unavailable, running on CPU:", session.ProviderFallbackReason);
        Assert.Equal(session.ProviderFallbackReason, reported);
        Assert.Equal([0f, 0.5f, 0.5f, 3f, 1f, 0f, 1f, 0f], InferenceSessionTests.RunY(session));
    }

    [Fact]
    public void Cpu_Sessions_Report_No_Fallback()
    {
        using var session = new InferenceSession(TestModels.AddRelu());
        Assert.Equal(ExecutionProvider.Cpu, session.ActiveProvider);
        Assert.Null(session.ProviderFallbackReason);
    }
}
