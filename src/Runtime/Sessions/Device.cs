namespace OnnxBn.Runtime.Sessions;

/// <summary>What a <see cref="Device"/> asks for.</summary>
public enum DeviceKind
{
    /// <summary>ONNX Runtime's CPU execution provider.</summary>
    Cpu,
    /// <summary>The CUDA execution provider; failing to set it up is an error.</summary>
    Cuda,
    /// <summary>CUDA when it can be set up, otherwise the CPU, with the reason recorded on the session.</summary>
    Auto,
}

/// <summary>
/// Where a session should run: <c>cpu</c>, <c>cuda</c> / <c>cuda:N</c> or <c>auto</c> / <c>auto:N</c> (see
/// <see cref="Parse"/>). CUDA needs the GPU natives (the app references Microsoft.ML.OnnxRuntime.Gpu instead of
/// Microsoft.ML.OnnxRuntime) plus the CUDA and cuDNN libraries ONNX Runtime was built against.
/// </summary>
/// <param name="Kind">CPU, CUDA or automatic choice.</param>
/// <param name="Id">The CUDA device ordinal (ignored for the CPU).</param>
public sealed record Device(DeviceKind Kind, int Id = 0)
{
    /// <summary>The CPU.</summary>
    public static Device Cpu { get; } = new(DeviceKind.Cpu);

    /// <summary>CUDA device 0 when available, else the CPU.</summary>
    public static Device Auto { get; } = new(DeviceKind.Auto);

    /// <summary>CUDA device <paramref name="id"/>.</summary>
    public static Device Cuda(int id = 0) => new(DeviceKind.Cuda, id);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, <c>auto</c> or <c>auto:N</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var id = 0;
        if (parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], out id) || id < 0)))
            throw NotADevice(text);
        return parts[0] switch
        {
            "cpu" when parts.Length == 1 => Cpu,
            "cuda" or "gpu" => Cuda(id),
            "auto" => new Device(DeviceKind.Auto, id),
            _ => throw NotADevice(text),
        };
    }

    /// <summary>The text <see cref="Parse"/> accepts: <c>cpu</c>, <c>cuda:0</c>, <c>auto:0</c>.</summary>
    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : $"{Kind.ToString().ToLowerInvariant()}:{Id}";

    private static FormatException NotADevice(string text) =>
        new($"'{text}' is not a device: expected cpu, cuda, cuda:N, auto or auto:N.");
}

/// <summary>
/// A requested device cannot be used on this machine. <see cref="Reason"/> is ONNX Runtime's own reason on one line
/// (for CUDA with the CPU natives: "CUDA execution provider is not enabled in this build"; with the GPU natives but
/// no CUDA installation it names the missing library, such as libcublasLt.so.13).
/// </summary>
public sealed class DeviceUnavailableException(Device device, string reason, Exception? inner = null)
    : Exception($"{device} execution provider is unavailable: {reason}", inner)
{
    /// <summary>The device that was asked for.</summary>
    public Device Device { get; } = device;

    /// <summary>Why it is unavailable, ONNX Runtime's message on one line.</summary>
    public string Reason { get; } = reason;
}
