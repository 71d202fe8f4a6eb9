using System.Text.Json;
using System.Text.Json.Serialization;
using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Benchmarks;

/// <summary>Everything one suite run measured (written as results.json next to table.md).</summary>
internal sealed class SuiteResults
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string CreatedUtc { get; init; } = "";
    public bool Quick { get; init; }
    public string OrtVersion { get; set; } = "";
    public double? LoadAverageStart { get; init; }
    public double? LoadAverageEnd { get; set; }
    public double Minutes { get; set; }
    public string? ResNet50Path { get; set; }
    public FoldBenchmarkResult? FoldCost { get; set; }
    public ProcessFoldResult? FoldProcess { get; set; }
    public BenchmarkReport? ResNet50Sessions { get; set; }
    public List<InferenceRow> Inference { get; } = [];
    public List<PreactivationRow> Preactivation { get; } = [];
    public RunOverheadResult? Overhead { get; set; }
    public BenchmarkReport? BatchCurve { get; set; }
    public List<FoldScalingPoint> FoldScaling { get; } = [];
    public Dictionary<string, LinearFit> FoldFits { get; } = [];
    public FoldNodesResult? FoldNodes { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>One inference row: a model folded vs original at one ORT optimization level.</summary>
internal sealed record InferenceRow(string Model, string OrtOptimization, BenchmarkReport Report);

/// <summary>How many of a model's BNs a fold removed.</summary>
internal sealed record FoldCount(int BatchNorms, int Folded);

/// <summary>One pre-activation row: a model folded without (A) vs with (B) the scale-through rule at one ORT level.</summary>
internal sealed record PreactivationRow(string Model, string OrtOptimization, FoldCount Without, FoldCount With, BenchmarkReport Report);

/// <summary>
/// <c>onnxbn fold</c> and ONNX Runtime's offline optimizer as fresh processes, interleaved: median wall times, the
/// per-pair ratio fold / optimizer, which onnxbn ran (the apphost of the ReadyToRun tool, or onnxbn.dll on JIT) and
/// onnxbn's peak resident set.
/// </summary>
internal sealed record ProcessFoldResult(int Runs, double MedianSeconds, double OrtMedianSeconds, RatioStatistics VsOrtOptimizer,
    string Onnxbn, long MinPeakRssBytes, long MaxPeakRssBytes, long FileBytes);

/// <summary>One generated model of the fold-scaling family.</summary>
internal sealed record FoldScalingPoint(string Family, string Model, long Parameters, long FileBytes, double LoadFoldSaveMs, double FoldMs, double LoadFoldSerializeMs);

/// <summary>
/// Fold time of a small and a large Conv→BN chain (in process, model parsed untimed), the GC pauses within those
/// folds, and the per-pair ratio large / small: 4 for a fold linear in the graph's size, 16 for one that walks every
/// node per rewrite.
/// </summary>
internal sealed record FoldNodesResult(int SmallNodes, int LargeNodes, LatencyStatistics SmallMs, LatencyStatistics LargeMs,
    LatencyStatistics SmallGcPauseMs, LatencyStatistics LargeGcPauseMs, RatioStatistics LargeVsSmall);

/// <summary>A least-squares line y = Intercept + Slope·x and its coefficient of determination.</summary>
internal sealed record LinearFit(double Intercept, double Slope, double RSquared, int Points)
{
    public static LinearFit Of(IEnumerable<double> xs, IEnumerable<double> ys)
    {
        var x = xs.ToArray();
        var y = ys.ToArray();
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        var slope = sxx == 0 ? 0 : sxy / sxx;
        var r2 = sxx == 0 || syy == 0 ? 1 : sxy * sxy / (sxx * syy);
        return new LinearFit(my - slope * mx, slope, r2, x.Length);
    }
}
