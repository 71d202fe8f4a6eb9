using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Tests.Sessions;

/// <summary>Device names, and what CUDA requests do on a machine with the CPU natives only (this one and CI).</summary>
public sealed class DeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0)]
    [InlineData("CUDA", DeviceKind.Cuda, 0)]
    [InlineData("cuda:1", DeviceKind.Cuda, 1)]
    [InlineData("gpu:2", DeviceKind.Cuda, 2)]
    [InlineData("auto", DeviceKind.Auto, 0)]
    [InlineData(" auto:3 ", DeviceKind.Auto, 3)]
    public void Parses_Device_Names(string text, DeviceKind kind, int id)
    {
        var device = Device.Parse(text);
        Assert.Equal(kind, device.Kind);
        Assert.Equal(id, device.Id);
        Assert.Equal(device, Device.Parse(device.ToString()));
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cpu:0")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:0:1")]
    public void Rejects_Unknown_Devices(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Device.Parse(text));
        Assert.Contains("expected cpu, cuda, cuda:N, auto or auto:N", ex.Message);
    }

    [Fact]
    public void Cuda_With_Cpu_Natives_Is_One_Line_With_ONNX_Runtimes_Own_Reason()
    {
        var settings = new SessionSettings { Device = Device.Cuda(1) };
        var ex = Assert.Throws<DeviceUnavailableException>(() => ModelSession.Open(TestModels.AddRelu(), settings));
        Assert.Equal(Device.Cuda(1), ex.Device);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal("CUDA execution provider is not enabled in this build.", ex.Reason);
        Assert.DoesNotContain("[ErrorCode", ex.Reason);
        Assert.DoesNotContain("--device", ex.Message); // a library does not speak of CLI flags
    }

    [Fact]
    public void Auto_Falls_Back_To_The_Cpu_Once_And_Says_Why()
    {
        var reported = new List<string>();
        var settings = new SessionSettings { Device = Device.Auto, DeviceFallback = r => reported.Add(r) };
        using var session = ModelSession.Open(TestModels.AddRelu(), settings);
        Assert.Equal(Device.Cpu, session.Device);
        Assert.StartsWith("CUDA unavailable, running on the CPU: CUDA execution provider is not enabled", session.FallbackReason);
        Assert.Equal([session.FallbackReason!], reported);
        Assert.Equal(ModelSessionTests.Expected, ModelSessionTests.RunY(session));
    }

    [Fact]
    public void Cpu_Sessions_Report_No_Fallback()
    {
        using var session = ModelSession.Open(TestModels.AddRelu());
        Assert.Equal(Device.Cpu, session.Device);
        Assert.Null(session.FallbackReason);
    }

    [Fact]
    public void The_Cpu_Natives_Offer_The_Cpu_Provider_And_Name_Their_Version()
    {
        Assert.Contains("CPUExecutionProvider", OrtSetup.AvailableProviders);
        Assert.Matches(@"^1\.32\.\d+$", OrtSetup.Version);
    }
}
