using Microsoft.ML.OnnxRuntime;
using OnnxBn.Runtime.Inputs;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Runtime.Benchmarking;

/// <summary>How <see cref="InferenceBenchmark"/> measures: batch sizes, run counts, threads and ORT settings.</summary>
public sealed record InferenceBenchmarkOptions
{
    /// <summary>Batch sizes, each measured separately (the first input dimension, when the model leaves it symbolic).</summary>
    public IReadOnlyList<int> Batches { get; init; } = [1];

    /// <summary>Untimed runs per model and batch size before timing starts.</summary>
    public int Warmup { get; init; } = 10;

    /// <summary>Timed runs per model and batch size; ignored when <see cref="Duration"/> is set.</summary>
    public int Iterations { get; init; } = 100;

    /// <summary>Time budget per batch size instead of a run count (at least <see cref="MinimumPairs"/> pairs).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Fewest timed runs per model in duration mode, so percentiles mean something.</summary>
    public int MinimumPairs { get; init; } = 5;

    /// <summary>Times each session is created for the creation-time statistics.</summary>
    public int SessionCreations { get; init; } = 5;

    /// <summary>Intra-op threads (0 = ONNX Runtime's default).</summary>
    public int Threads { get; init; }

    /// <summary>ONNX Runtime's graph optimization level.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Where to run.</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Seed of the random inputs.</summary>
    public int Seed { get; init; }

    /// <summary>Explicit input shapes by input name (symbolic dimensions); the first dimension is the batch.</summary>
    public IReadOnlyDictionary<string, long[]> Shapes { get; init; } = new Dictionary<string, long[]>();

    /// <summary>
    /// Where the inputs of each batch size come from (the first feed of the source is bound and reused for every
    /// run; its first dimension must be the batch size); null for seeded random values shaped by metadata.
    /// </summary>
    public Func<int, IInputSource>? InputSource { get; init; }

    /// <summary>Told when <see cref="DeviceKind.Auto"/> falls back to the CPU.</summary>
    public Action<string>? DeviceFallback { get; init; }

    /// <summary>The native session options these settings mean.</summary>
    public SessionSettings ToSessionSettings() => new()
    {
        IntraOpThreads = Threads,
        OptimizationLevel = OptimizationLevel,
        Device = Device,
        DeviceFallback = DeviceFallback,
    };

    /// <summary>Checks the settings; throws <see cref="BenchmarkSetupException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Batches.Count == 0)
            throw new BenchmarkSetupException("No batch sizes.");
        if (Batches.Any(b => b < 1))
            throw new BenchmarkSetupException("Batch sizes must be at least 1.");
        if (Warmup < 0)
            throw new BenchmarkSetupException("Warmup must be 0 or more runs.");
        if (Duration is null && Iterations < 1)
            throw new BenchmarkSetupException("Iterations must be at least 1.");
        if (Duration is { } d && d <= TimeSpan.Zero)
            throw new BenchmarkSetupException("Duration must be positive.");
        if (SessionCreations < 1)
            throw new BenchmarkSetupException("Session creations must be at least 1.");
        if (Threads < 0)
            throw new BenchmarkSetupException("Threads must be 0 (default) or more.");
    }
}

/// <summary>Where a running benchmark is, for a progress display.</summary>
/// <param name="Fraction">0..1 of the whole run (estimated from counts, or elapsed time in duration mode).</param>
/// <param name="Stage">What is running now, for example "batch 32: 40/100 pairs".</param>
public sealed record BenchmarkProgress(double Fraction, string Stage);
