using System.Diagnostics;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Benchmarking;

public static partial class InferenceBenchmark
{
    /// <summary>
    /// Folds <paramref name="modelPath"/> in memory (<see cref="FoldPass.Run"/> on a clone of the loaded model), writes
    /// the folded model into <paramref name="workDirectory"/>, and benchmarks original (A) against folded (B).
    /// </summary>
    /// <exception cref="OnnxModelException">The model cannot be read.</exception>
    public static BenchmarkReport RunFolded(string modelPath, string workDirectory, InferenceBenchmarkOptions options,
        IProgress<BenchmarkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        ArgumentNullException.ThrowIfNull(workDirectory);
        progress?.Report(new BenchmarkProgress(0, "folding"));
        var (foldedPath, fold) = FoldInto(modelPath, workDirectory);
        return Run(new BenchmarkTarget("original", Path.GetFullPath(modelPath)), new BenchmarkTarget("folded", foldedPath),
            options, progress, fold, cancellationToken);
    }

    /// <summary>Folds a clone of the model and saves it as <c>&lt;name&gt;.folded.onnx</c> in <paramref name="workDirectory"/>.</summary>
    public static (string FoldedPath, FoldSummary Summary) FoldInto(string modelPath, string workDirectory)
    {
        var original = OnnxModel.Load(modelPath);
        var clone = original.Clone();
        var start = Stopwatch.GetTimestamp();
        var report = FoldPass.Run(clone);
        var foldMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Directory.CreateDirectory(workDirectory);
        var foldedPath = Path.Combine(Path.GetFullPath(workDirectory),
            Path.GetFileNameWithoutExtension(modelPath) + ".folded.onnx");
        clone.Save(foldedPath);
        return (foldedPath, new FoldSummary(report.Fates.Count, report.Folded, report.Lowered, report.Kept,
            report.NodesBefore, report.NodesAfter, foldMs));
    }
}
