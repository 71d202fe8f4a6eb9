using System.Diagnostics;
using System.Globalization;
using OnnxBn.Folding;

namespace OnnxBn.Benchmarks;

internal sealed partial class Suite
{
    /// <summary>A fold of the largest model takes seconds; a run this long is hung, not slow.</summary>
    private static readonly TimeSpan FreshFoldTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Runs <c>onnxbn fold</c> as its own process under /usr/bin/time: the peak resident set of a fresh process is
    /// the memory a user sees (an in-process measurement carries the suite's own heap along).
    /// </summary>
    private ProcessFoldResult? FoldInFreshProcess(string model, int runs)
    {
        if (settings.OnnxbnDll is not { } dll || !File.Exists(dll) || !File.Exists("/usr/bin/time"))
        {
            log.WriteLine("fold: fresh-process measurement skipped (needs --onnxbn onnxbn.dll and /usr/bin/time)");
            return null;
        }
        var seconds = new List<double>();
        var rss = new List<long>();
        for (var i = 0; i < runs; i++)
        {
            var output = Path.Combine(_work, "fresh.folded.onnx");
            var start = new ProcessStartInfo("/usr/bin/time")
            {
                ArgumentList = { "-f", "rss_kb=%M", "dotnet", dll, "fold", model, "-o", output },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(FreshFoldTimeout))
            {
                process.Kill(entireProcessTree: true);
                log.WriteLine($"fold: onnxbn fold did not exit within {FreshFoldTimeout.TotalMinutes} minutes; killed");
                return null;
            }
            process.WaitForExit();
            seconds.Add(clock.Elapsed.TotalSeconds);
            stdout.Wait();
            var error = stderr.Result;
            var line = error.Split('\n').LastOrDefault(l => l.StartsWith("rss_kb=", StringComparison.Ordinal));
            if (process.ExitCode != 0 || line is null)
            {
                log.WriteLine($"fold: onnxbn fold failed (exit {process.ExitCode}): {error.Trim()}");
                return null;
            }
            rss.Add(long.Parse(line["rss_kb=".Length..], CultureInfo.InvariantCulture) * 1024);
        }
        seconds.Sort();
        return new ProcessFoldResult(runs, seconds[seconds.Count / 2], rss.Min(), rss.Max(), new FileInfo(model).Length);
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
