namespace OnnxBn.Serving;

/// <summary>
/// The service's settings, bound from the "Serving" configuration section (appsettings.json, environment variables
/// <c>Serving__Model</c>, or the command line: <c>--model</c>, <c>--port</c>, <c>--watch</c>, ...).
/// </summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section these options are read from.</summary>
    public const string Section = "Serving";

    /// <summary>The ONNX model to serve (folded and verified at load); with <see cref="Watch"/> also the watched path.</summary>
    public string Model { get; set; } = "";

    /// <summary>The loopback port to listen on; 0 picks a free one (the bound URL is the first line on stdout).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Reload the model when the file at <see cref="Model"/> changes.</summary>
    public bool Watch { get; set; } = true;

    /// <summary>How often the watched file is also polled (file-system events are lost on some mounts), in ms.</summary>
    public int PollIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Quiet time after the last change before a reload starts, so a file being copied is read once, in ms.</summary>
    public int DebounceMilliseconds { get; set; } = 200;

    /// <summary>The largest request body accepted, in bytes.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The most tensor elements one request may carry, over all its inputs.</summary>
    public long MaxElements { get; set; } = 4 * 1024 * 1024;

    /// <summary>Runs on generated inputs after a load, before the model is marked ready or swapped in.</summary>
    public int WarmupRuns { get; set; } = 3;

    /// <summary>Random samples the folded model is checked on against the original before it may serve.</summary>
    public int VerificationSamples { get; set; } = 4;

    /// <summary>ONNX Runtime threads per operator (0 = one per core).</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>The one-line reason these settings cannot work, or null.</summary>
    public string? Problem() =>
        string.IsNullOrWhiteSpace(Model) ? "no model given: pass --model PATH (or set Serving:Model)"
        : Port is < 0 or > 65535 ? $"port {Port} is out of range 0-65535"
        : MaxBodyBytes < 1 ? "MaxBodyBytes must be at least 1"
        : MaxElements < 1 ? "MaxElements must be at least 1"
        : PollIntervalMilliseconds < 10 ? "PollIntervalMilliseconds must be at least 10"
        : DebounceMilliseconds < 0 ? "DebounceMilliseconds must not be negative"
        : VerificationSamples < 1 ? "VerificationSamples must be at least 1"
        : null;
}
