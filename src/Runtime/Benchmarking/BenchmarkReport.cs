using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>
/// Everything one <c>onnxbn bench</c> run measured, serialized by <see cref="ToJson"/> for CI trend tracking.
/// Times are milliseconds, memory bytes; ratios are B/A (folded/original, or compared/model), below 1 = B faster.
/// The shape of the JSON is versioned by <see cref="Schema"/>; fields are only ever added within a version.
/// </summary>
public sealed record BenchmarkReport(
    string Schema,
    string CreatedUtc,
    BenchmarkEnvironment Environment,
    BenchmarkSettings Settings,
    IReadOnlyList<ModelResult> Models,
    IReadOnlyList<BatchComparison> Comparisons,
    RatioStatistics? SessionCreationRatio,
    FoldSummary? Fold,
    long PeakWorkingSetBytes)
{
    /// <summary>The current schema identifier.</summary>
    public const string CurrentSchema = "onnxbn.bench/1";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The report as indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a report written by <see cref="ToJson"/>.</summary>
    public static BenchmarkReport FromJson(string json) =>
        JsonSerializer.Deserialize<BenchmarkReport>(json, JsonOptions)
        ?? throw new JsonException("The JSON holds no benchmark report.");
}

/// <summary>Where the numbers were measured.</summary>
public sealed record BenchmarkEnvironment(string OrtVersion, string Provider, int ProcessorCount, string Os,
    string DotnetVersion, double? LoadAverage1Min)
{
    /// <summary>The current process's environment (load average read from /proc/loadavg when present).</summary>
    public static BenchmarkEnvironment Current(string ortVersion, string provider) =>
        new(ortVersion, provider, System.Environment.ProcessorCount,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Environment.Version.ToString(), LoadAverage());

    /// <summary>The one-minute load average, or null where the platform does not expose it.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// The settings a run used; <paramref name="ThreadPool"/> says where the sessions got their threads
/// (<see cref="BenchmarkThreading"/>), <paramref name="Inputs"/> where the input values came from.
/// </summary>
public sealed record BenchmarkSettings(IReadOnlyList<int> Batches, int Warmup, int? Iterations, double? DurationSeconds,
    int Threads, string ThreadPool, string OrtOptimization, string Device, int Seed, int SessionCreations, string Inputs);

/// <summary>One model's measurements.</summary>
/// <param name="Label">"original", "folded", "model" or "compare".</param>
/// <param name="Path">The model file's full path.</param>
/// <param name="SessionCreationMs">Session creation times (each creation timed separately).</param>
/// <param name="SessionMemoryBytes">Resident memory the session added (creation plus first run of every batch size).</param>
/// <param name="Batches">Latency and throughput per batch size, in the order asked.</param>
public sealed record ModelResult(string Label, string Path, LatencyStatistics SessionCreationMs, long SessionMemoryBytes,
    IReadOnlyList<BatchResult> Batches);

/// <summary>Latency and throughput at one batch size.</summary>
public sealed record BatchResult(int Batch, LatencyStatistics LatencyMs, double ThroughputSamplesPerSecond);

/// <summary>B/A at one batch size: the spread of per-pair ratios, and the ratio of the p50s and of throughputs.</summary>
public sealed record BatchComparison(int Batch, RatioStatistics LatencyRatio, double P50Ratio, double ThroughputRatio);

/// <summary>What the in-memory fold of <c>--folded</c> did.</summary>
public sealed record FoldSummary(int BatchNorms, int Folded, int Lowered, int Kept, int NodesBefore, int NodesAfter,
    double FoldMilliseconds);
