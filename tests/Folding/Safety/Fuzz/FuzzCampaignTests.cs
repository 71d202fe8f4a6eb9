using System.Diagnostics;
using System.Globalization;
using OnnxBn.TestUtilities;
using Xunit.Abstractions;

namespace OnnxBn.Folding.Tests.Safety.Fuzz;

/// <summary>
/// A fixed budget of mutated models (seeded: the same cases on every run) through load, summary, fold and save.
/// Every case must end saved or refused with a typed error, within 5 s, with its input unchanged, nothing written
/// outside its output folder and no temporary left. <c>scripts/fuzz.sh N SEED</c> runs longer campaigns through the
/// same test (ONNXBN_FUZZ_CASES, ONNXBN_FUZZ_SEED) and keeps each failure under ONNXBN_FUZZ_SAVE_FAILURES, to be
/// pinned in Regressions/.
/// </summary>
public sealed class FuzzCampaignTests(ITestOutputHelper output)
{
    /// <summary>Cases CI runs: about 2 minutes on the 2-core CI machine (measured; see scripts/fuzz.sh).</summary>
    private const int DefaultCases = 2000;

    private const int DefaultSeed = 13;

    [Fact]
    public void Mutated_Models_End_Saved_Or_Refused_Without_Hangs_Stray_Writes_Or_Leftovers()
    {
        int cases = Setting("ONNXBN_FUZZ_CASES", DefaultCases), seed = Setting("ONNXBN_FUZZ_SEED", DefaultSeed);
        string? keep = Environment.GetEnvironmentVariable("ONNXBN_FUZZ_SAVE_FAILURES");
        var corpus = new FuzzCorpus();
        var counts = new Dictionary<FuzzOutcome, int>();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        using var temp = new TempFolder();
        string? progress = Environment.GetEnvironmentVariable("ONNXBN_FUZZ_PROGRESS");
        for (int i = 0; i < cases; i++)
        {
            if (progress is not null && i % 100 == 0) File.WriteAllText(progress, $"case {i} at {clock.Elapsed.TotalSeconds:F0} s");
            var fuzz = corpus.Make(seed, i);
            string folder = temp.File($"case{i}");
            var (outcome, detail) = FuzzRunner.Run(fuzz, folder);
            counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            if (outcome == FuzzOutcome.Failed)
            {
                failures.Add($"{fuzz.Recipe}: {detail}");
                if (keep is not null) Keep(fuzz, seed, Path.Combine(keep, $"seed{seed}_case{i}"));
            }
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { } // a hung case may still hold it; the TempFolder goes at the end
        }
        string summary = $"fuzz: {cases} cases, seed {seed}, {clock.Elapsed.TotalSeconds:F0} s: " +
            string.Join(", ", Enum.GetValues<FuzzOutcome>().Select(o => $"{counts.GetValueOrDefault(o)} {o.ToString().ToLowerInvariant()}"));
        output.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("ONNXBN_FUZZ_REPORT") is { } report)
            File.WriteAllLines(report, [summary, .. failures]);

        Assert.True(failures.Count == 0, $"{summary}\n{string.Join("\n", failures.Take(20))}");
    }

    /// <summary>Writes the case's files (the model as m.onnx, its data files) into <paramref name="folder"/>.</summary>
    private static void Keep(FuzzCase fuzz, int seed, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in fuzz.Files)
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
        File.WriteAllText(Path.Combine(folder, "recipe.txt"), fuzz.Recipe + Environment.NewLine);
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
