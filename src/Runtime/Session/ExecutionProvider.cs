namespace OnnxBn.Runtime.Session;

/// <summary>What an <see cref="ExecutionProvider"/> asks for.</summary>
public enum ExecutionProviderKind
{
    /// <summary>ONNX Runtime's CPU provider.</summary>
    Cpu,
    /// <summary>The CUDA provider; failing to set it up is an error.</summary>
    Cuda,
    /// <summary>CUDA when it can be set up, otherwise CPU, with the reason recorded on the session.</summary>
    Auto,
}

/// <summary>
/// The device a session should run on: <c>cpu</c>, <c>cuda</c> / <c>cuda:N</c> or <c>auto</c> / <c>auto:N</c>
/// (see <see cref="Parse"/>).
/// </summary>
public sealed record ExecutionProvider(ExecutionProviderKind Kind, int DeviceId = 0)
{
    /// <summary>The CPU provider.</summary>
    public static ExecutionProvider Cpu { get; } = new(ExecutionProviderKind.Cpu);

    /// <summary>CUDA on device 0 when available, else CPU.</summary>
    public static ExecutionProvider Auto { get; } = new(ExecutionProviderKind.Auto);

    /// <summary>The CUDA provider on <paramref name="deviceId"/>.</summary>
    public static ExecutionProvider Cuda(int deviceId = 0) => new(ExecutionProviderKind.Cuda, deviceId);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, <c>auto</c> or <c>auto:N</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static ExecutionProvider Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var device = 0;
        if (parts.Length > 2 || (parts.Length == 2 && (!int.TryParse(parts[1], out device) || device < 0)))
            throw new FormatException($"'{text}' is not a device: expected cpu, cuda, cuda:N, auto or auto:N.");
        return parts[0] switch
        {
            "cpu" when parts.Length == 1 => Cpu,
            "cuda" or "gpu" => Cuda(device),
            "auto" => new ExecutionProvider(ExecutionProviderKind.Auto, device),
            _ => throw new FormatException($"'{text}' is not a device: expected cpu, cuda, cuda:N, auto or auto:N."),
        };
    }

    /// <summary>The text <see cref="Parse"/> accepts: <c>cpu</c>, <c>cuda:0</c>, <c>auto:0</c>.</summary>
    public override string ToString() => Kind == ExecutionProviderKind.Cpu ? "cpu" : $"{Kind.ToString().ToLowerInvariant()}:{DeviceId}";
}

/// <summary>
/// A requested execution provider cannot be used on this machine. The message is one line: ONNX Runtime's own
/// reason (for CUDA it names the missing library, such as libonnxruntime_providers_cuda.so or libcublasLt.so.13) and
/// how to get the provider.
/// </summary>
public sealed class ExecutionProviderUnavailableException(ExecutionProvider provider, string reason, string remedy)
    : Exception($"{provider} execution provider is unavailable: {reason} {remedy}")
{
    /// <summary>The provider that was asked for.</summary>
    public ExecutionProvider Provider { get; } = provider;

    /// <summary>Why it is unavailable, usually ONNX Runtime's message.</summary>
    public string Reason { get; } = reason;

    /// <summary>What to install or copy to make it available.</summary>
    public string Remedy { get; } = remedy;
}
