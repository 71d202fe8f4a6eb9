using System.Diagnostics;
using System.Globalization;
using OnnxBn.Folding;
using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Benchmarks;

internal sealed partial class Suite
{
    /// <summary>
    /// <c>onnxbn fold</c> and ONNX Runtime's offline optimizer (this program's <c>--ort-optimize</c>: a session at
    /// ENABLE_BASIC writing <c>optimized_model_filepath</c>, 1 thread) as fresh processes, as a user runs either: the
    /// wall time includes process and .NET start-up, loading the assemblies, JIT and ONNX Runtime's library. Rounds
    /// alternate which runs first; dirty pages are flushed before each (untimed). <c>onnxbn</c> runs under
    /// /usr/bin/time for its peak resident set.
    /// </summary>
    private ProcessFoldResult? FoldInFreshProcess(string model, int rounds)
    {
        if (settings.Onnxbn is not { } onnxbn || !File.Exists(onnxbn) || !File.Exists("/usr/bin/time"))
        {
            log.WriteLine("fold: fresh-process measurement skipped (needs --onnxbn PATH and /usr/bin/time)");
            return null;
        }
        var folded = Path.Combine(_work, "fresh.folded.onnx");
        var optimized = Path.Combine(_work, "fresh.ort-basic.onnx");
        string[] fold = ["/usr/bin/time", "-f", "rss_kb=%M", .. Launch(onnxbn), "fold", model, "-o", folded];
        string[] ort = [.. Launch(Environment.ProcessPath!, typeof(Suite).Assembly.Location), "--ort-optimize", model, optimized];
        var foldSeconds = new List<double>();
        var ortSeconds = new List<double>();
        var rss = new List<long>();
        TimedProcess(fold); // untimed: page cache
        TimedProcess(ort);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var first in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                var (seconds, error, code) = TimedProcess(first ? fold : ort);
                if (code != 0)
                {
                    log.WriteLine($"fold: {(first ? "onnxbn fold" : "--ort-optimize")} failed (exit {code}): {error.Trim()}");
                    return null;
                }
                (first ? foldSeconds : ortSeconds).Add(seconds);
                if (first && error.Split('\n').LastOrDefault(l => l.StartsWith("rss_kb=", StringComparison.Ordinal)) is { } line)
                    rss.Add(long.Parse(line["rss_kb=".Length..], CultureInfo.InvariantCulture) * 1024);
            }
        }
        var foldMedian = foldSeconds.Order().ElementAt(foldSeconds.Count / 2);
        var ortMedian = ortSeconds.Order().ElementAt(ortSeconds.Count / 2);
        return new ProcessFoldResult(rounds, foldMedian, ortMedian,
            RatioStatistics.OfPairs(ortSeconds.ToArray(), foldSeconds.ToArray()),
            Path.GetFileName(onnxbn), rss.Min(), rss.Max(), new FileInfo(model).Length);
    }

    /// <summary>A fold of the largest model takes seconds; a run this long is hung, not slow.</summary>
    private static readonly TimeSpan FreshFoldTimeout = TimeSpan.FromMinutes(10);

    /// <summary>A .dll runs on the dotnet host (framework-dependent, JIT); anything else is an executable (the tool's apphost).</summary>
    private static string[] Launch(string program, string? dll = null) =>
        dll is not null ? [program, dll]
        : program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ["dotnet", program] : [program];

    private static (double Seconds, string Error, int Code) TimedProcess(string[] command)
    {
        using (var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!)
            if (!sync.WaitForExit(FreshFoldTimeout))
                sync.Kill();
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in command.Skip(1))
            start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var errorRead = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(FreshFoldTimeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (clock.Elapsed.TotalSeconds, $"{command[0]} did not exit within {FreshFoldTimeout.TotalMinutes} minutes; killed", -1);
        }
        var error = errorRead.Result;
        var seconds = clock.Elapsed.TotalSeconds;
        _ = stdout.Result;
        return (seconds, error, process.ExitCode);
    }

    /// <summary>Fold time against parameter count over generated MLP and CNN families, with a least-squares line each.</summary>
    private void RunFoldScaling(SuiteResults results)
    {
        var directory = Path.Combine(_work, "family");
        foreach (var millions in settings.FamilyMillions)
        {
            var parameters = millions * 1_000_000.0;
            var mlpWidth = (int)Math.Round(Math.Sqrt(parameters / 4));
            var cnnChannels = (int)Math.Round(Math.Sqrt(parameters / (9 * 8)));
            foreach (var (family, make) in new (string, Func<string>)[]
                     {
                         ("mlp", () => ModelFamily.Mlp(directory, mlpWidth, 4)),
                         ("cnn", () => ModelFamily.Cnn(directory, cnnChannels, 8)),
                     })
            {
                Section($"fold scaling: {family} ~{millions} M parameters");
                var path = make();
                results.FoldScaling.Add(MeasureFold(family, path, settings.Quick ? 1 : FamilyRepetitions));
                File.Delete(path);
                foreach (var leftover in Directory.EnumerateFiles(directory))
                    File.Delete(leftover);
            }
        }
        foreach (var family in new[] { "mlp", "cnn" })
        {
            var points = results.FoldScaling.Where(p => p.Family == family).ToList();
            if (points.Count >= 2)
            {
                results.FoldFits[family + " load+fold+save"] = LinearFit.Of(points.Select(p => (double)p.Parameters), points.Select(p => p.LoadFoldSaveMs));
                results.FoldFits[family + " load+fold+serialize"] = LinearFit.Of(points.Select(p => (double)p.Parameters), points.Select(p => p.LoadFoldSerializeMs));
            }
        }
        Charts.FoldTimeVsParameters(results.FoldScaling, results.FoldFits, Path.Combine(settings.OutputDirectory, "fold_time_vs_parameters.svg"));
    }

    private const int FamilyRepetitions = 3;

    /// <summary>
    /// The fastest of <paramref name="repetitions"/> load+fold+save runs (and its fold phase), and the fastest of as
    /// many load+fold+serialize runs: the same work with the output written to a null stream. A folded weight is
    /// computed while it is written, so serializing does all the fold's arithmetic; leaving out the disk leaves out
    /// the page-cache writeback of earlier 100-400 MB outputs, which made the disk series jump between sizes.
    /// </summary>
    private static FoldScalingPoint MeasureFold(string family, string path, int repetitions)
    {
        var best = double.MaxValue;
        var bestFold = double.MaxValue;
        var bestSerialize = double.MaxValue;
        long parameters = 0;
        var output = Path.ChangeExtension(path, ".folded.onnx");
        for (var i = 0; i < repetitions; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var start = Stopwatch.GetTimestamp();
            var model = OnnxModel.Load(path);
            var foldStart = Stopwatch.GetTimestamp();
            var report = FoldPass.Run(model);
            var foldMs = Stopwatch.GetElapsedTime(foldStart).TotalMilliseconds;
            model.Save(output);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            bestFold = Math.Min(bestFold, foldMs);
            parameters = report.Before.Total;

            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            start = Stopwatch.GetTimestamp();
            var inMemory = OnnxModel.Load(path);
            FoldPass.Run(inMemory);
            inMemory.Save(Stream.Null);
            bestSerialize = Math.Min(bestSerialize, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return new FoldScalingPoint(family, Path.GetFileName(path), parameters, new FileInfo(path).Length, best, bestFold, bestSerialize);
    }
}
