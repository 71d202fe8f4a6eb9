using System.Globalization;
using System.Text;
using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Benchmarks;

/// <summary>The README's performance tables in Markdown: each row a ratio against its anchor, with its target.</summary>
internal static class SuiteTable
{
    public static string Markdown(SuiteResults r)
    {
        var md = new StringBuilder();
        md.AppendLine($"Measured {r.CreatedUtc[..16]}Z, ONNX Runtime {r.OrtVersion}, {Environment.ProcessorCount} cores, " +
                      $"load average {F(r.LoadAverageStart, 1)} at start / {F(r.LoadAverageEnd, 1)} at end, suite {F(r.Minutes, 1)} min" +
                      (r.Quick ? " (--quick: smoke numbers, not for the README)" : "") + ".");
        md.AppendLine("Ratios are medians of per-pair ratios from interleaved runs (A B, B A, ...); [a, b] is the 95 % bootstrap interval of that median.");
        md.AppendLine();
        FoldCost(md, r);
        Inference(md, r);
        Preactivation(md, r);
        Sessions(md, r);
        Overhead(md, r);
        BatchCurve(md, r);
        FoldScaling(md, r);
        FoldNodes(md, r);
        return md.ToString();
    }

    private static void FoldCost(StringBuilder md, SuiteResults r)
    {
        if (r.FoldCost is not { } f)
            return;
        md.AppendLine($"### Fold cost: ResNet-50 ({F(f.ModelFileBytes / 1048576.0, 1)} MiB, {f.BatchNorms} BN, {f.Folded} folded; {f.LoadFoldSave.Milliseconds.Count} interleaved rounds)");
        md.AppendLine();
        md.AppendLine("| measurement | anchor | ratio | target | met |");
        md.AppendLine("|---|---|---|---|---|");
        md.AppendLine($"| load+fold+save (p50 {Ms(f.LoadFoldSave.Milliseconds.P50)}) | ORT offline optimizer, ENABLE_BASIC + optimized_model_filepath (p50 {Ms(f.OrtOptimizer.Milliseconds.P50)}) | {Ratio(f.FoldVsOrtOptimizer)} | ≤ 0.5 | {Met(f.FoldVsOrtOptimizer.Median <= 0.5)} |");
        md.AppendLine($"| load+fold+save | plain load+save (p50 {Ms(f.LoadSave.Milliseconds.P50)}) | {Ratio(f.FoldVsLoadSave)} | ≤ 1.5 | {Met(f.FoldVsLoadSave.Median <= 1.5)} |");
        md.AppendLine($"| load+fold+save, in process (load {Ms(f.LoadMs.P50)} + fold {Ms(f.FoldMs.P50)} + save {Ms(f.SaveMs.P50)}) | 1 s | {F(f.LoadFoldSave.Milliseconds.P50 / 1000, 2)} (min {F(f.LoadFoldSave.Milliseconds.Min / 1000, 2)}) | < 1 | {Met(f.LoadFoldSave.Milliseconds.P50 < 1000)} |");
        if (r.FoldProcess is { } p)
        {
            md.AppendLine($"| `onnxbn fold` as a fresh process (`{p.Onnxbn}`; wall time incl. start-up, p50 {F(p.MedianSeconds, 2)} s; {p.Runs} interleaved rounds) | ORT offline optimizer as a fresh process (the same session as above in a new .NET process, p50 {F(p.OrtMedianSeconds, 2)} s) | {Ratio(p.VsOrtOptimizer)} | ≤ 0.35 | {Met(p.VsOrtOptimizer.Median <= 0.35)} |");
            md.AppendLine($"| `onnxbn fold` peak resident set ({F(p.MinPeakRssBytes / 1048576.0, 0)} MiB) | model file size | {F(p.MinPeakRssBytes / (double)p.FileBytes, 2)} | < 3 | {Met(p.MinPeakRssBytes < 3 * p.FileBytes)} |");
        }
        md.AppendLine($"| load+fold+save resident growth in process ({F(f.LoadFoldSave.GrowthBytes / 1048576.0, 0)} MiB; ORT optimizer {F(f.OrtOptimizer.GrowthBytes / 1048576.0, 0)} MiB) | model file size | {F(f.LoadFoldSave.GrowthBytes / (double)f.ModelFileBytes, 2)} | — | |");
        md.AppendLine();
    }

    private static void Inference(StringBuilder md, SuiteResults r)
    {
        if (r.Inference.Count == 0)
            return;
        md.AppendLine($"### Inference latency, folded / original ({r.Inference[0].Report.Settings.ThreadPool}, pre-bound I/O)");
        md.AppendLine();
        md.AppendLine("| model | ORT optimization | batch | folded / original | p50 original → folded | target | met |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in r.Inference)
        {
            for (var i = 0; i < row.Report.Comparisons.Count; i++)
            {
                var c = row.Report.Comparisons[i];
                var (target, met) = Target(row.Model, row.OrtOptimization, c.Batch, c.LatencyRatio);
                md.AppendLine($"| {row.Model} | {row.OrtOptimization} | {c.Batch} | {Ratio(c.LatencyRatio)} | " +
                              $"{Ms(row.Report.Models[0].Batches[i].LatencyMs.P50)} → {Ms(row.Report.Models[1].Batches[i].LatencyMs.P50)} | {target} | {met} |");
            }
        }
        md.AppendLine();
    }

    private static void Preactivation(StringBuilder md, SuiteResults r)
    {
        if (r.Preactivation.Count == 0)
            return;
        md.AppendLine("### Pre-activation BNs: folded with the scale-through rule / folded without it");
        md.AppendLine();
        md.AppendLine("Both sides are folded by OnnxBn; without the rule the BNs before an activation stay (as in every other tool), with it each becomes an Add(t/s) and its scale moves into the next Conv/Gemm.");
        md.AppendLine();
        md.AppendLine("| model | BNs folded without → with | ORT optimization | batch | with / without | p50 without → with |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in r.Preactivation)
            for (var i = 0; i < row.Report.Comparisons.Count; i++)
            {
                var c = row.Report.Comparisons[i];
                md.AppendLine($"| {row.Model} | {row.Without.Folded} → {row.With.Folded} of {row.With.BatchNorms} | {row.OrtOptimization} | {c.Batch} | {Ratio(c.LatencyRatio)} | " +
                              $"{Ms(row.Report.Models[0].Batches[i].LatencyMs.P50)} → {Ms(row.Report.Models[1].Batches[i].LatencyMs.P50)} |");
            }
        md.AppendLine();
    }

    private static (string Target, string Met) Target(string model, string level, int batch, RatioStatistics ratio)
    {
        if (model == "fashion_mlp_bn_after_act" && level == "all" && batch == 256)
            return ("≤ 0.5", Met(ratio.Median <= 0.5));
        if (model == "fashion_mlp_bn_after_act" && level == "all" && batch == 1)
            return ("≤ 0.9", Met(ratio.Median <= 0.9));
        return ("≤ 1.02", ratio.Median <= 1.02 ? "yes" : ratio.CiLow <= 1.02 ? "within noise" : "**no**");
    }

    private static void Sessions(StringBuilder md, SuiteResults r)
    {
        var rows = r.Inference.Where(i => i.OrtOptimization == "all").Select(i => (i.Model, i.Report)).ToList();
        if (r.ResNet50Sessions is { } resnet)
            rows.Add(("resnet50 (torchvision)", resnet));
        if (rows.Count == 0)
            return;
        md.AppendLine("### Session creation, folded / original (ENABLE_ALL)");
        md.AppendLine();
        md.AppendLine("| model | folded / original | p50 original → folded | nodes original → folded |");
        md.AppendLine("|---|---|---|---|");
        foreach (var (model, report) in rows)
            md.AppendLine($"| {model} | {Ratio(report.SessionCreationRatio!)} | {Ms(report.Models[0].SessionCreationMs.P50)} → " +
                          $"{Ms(report.Models[1].SessionCreationMs.P50)} | {report.Fold!.NodesBefore} → {report.Fold.NodesAfter} |");
        if (r.ResNet50Sessions is { } rn)
            md.AppendLine($"\nResNet-50 batch 1 latency at ENABLE_ALL, folded / original: {Ratio(rn.Comparisons[0].LatencyRatio)} " +
                          "(ORT fuses Conv+BN itself at this level, so about 1 is expected).");
        md.AppendLine();
    }

    private static void Overhead(StringBuilder md, SuiteResults r)
    {
        if (r.Overhead is not { } o)
            return;
        md.AppendLine($"### Per-run overhead of a steady-state run (1-layer 4-wide Gemm+BN+Relu, batch 1; blocks of {o.RunsPerBlock} runs)");
        md.AppendLine();
        md.AppendLine("| method | µs per run (p50 of blocks) | ratio to official RunWithBinding | managed bytes allocated per run |");
        md.AppendLine("|---|---|---|---|");
        foreach (var m in o.Methods)
            md.AppendLine($"| {m.Method} | {F(m.MicrosecondsPerRun.P50, 2)} | {Ratio(m.RatioToNative)} | {F(m.BytesAllocatedPerRun, 1)} |");
        md.AppendLine();
    }

    private static void BatchCurve(StringBuilder md, SuiteResults r)
    {
        if (r.BatchCurve is not { } c)
            return;
        md.AppendLine("### Latency vs batch size: book MLP (BN after activations), ENABLE_ALL ([chart](latency_vs_batch.svg))");
        md.AppendLine();
        md.AppendLine("| batch | original p50 | folded p50 | folded / original | folded throughput (samples/s) |");
        md.AppendLine("|---|---|---|---|---|");
        for (var i = 0; i < c.Comparisons.Count; i++)
            md.AppendLine($"| {c.Comparisons[i].Batch} | {Ms(c.Models[0].Batches[i].LatencyMs.P50)} | {Ms(c.Models[1].Batches[i].LatencyMs.P50)} | " +
                          $"{Ratio(c.Comparisons[i].LatencyRatio)} | {F(c.Models[1].Batches[i].ThroughputSamplesPerSecond, 0)} |");
        md.AppendLine();
    }

    private static void FoldScaling(StringBuilder md, SuiteResults r)
    {
        if (r.FoldScaling.Count == 0)
            return;
        md.AppendLine("### Fold time vs model size (generated families, best of 3; [chart](fold_time_vs_parameters.svg))");
        md.AppendLine();
        md.AppendLine("load+fold+serialize is the same work written to a null stream (every folded weight is computed while it is");
        md.AppendLine("written): the fold's own cost without the disk. fold only is the graph rewrite, before any weight is computed.");
        md.AppendLine();
        md.AppendLine("| family | model | parameters | file | load+fold+save (disk, fsync) | load+fold+serialize | fold only |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var p in r.FoldScaling)
            md.AppendLine($"| {p.Family} | {p.Model} | {F(p.Parameters / 1e6, 1)} M | {F(p.FileBytes / 1048576.0, 0)} MiB | {Ms(p.LoadFoldSaveMs)} | {Ms(p.LoadFoldSerializeMs)} | {Ms(p.FoldMs)} |");
        md.AppendLine();
        foreach (var (name, fit) in r.FoldFits)
            md.AppendLine($"- {name}: {F(fit.Slope * 1e6, 2)} ms per million parameters {(fit.Intercept < -0.5 ? "−" : "+")} {F(Math.Abs(fit.Intercept), 0)} ms, R² = {F(fit.RSquared, 4)} ({fit.Points} points)");
        md.AppendLine();
    }

    private static void FoldNodes(StringBuilder md, SuiteResults r)
    {
        if (r.FoldNodes is not { } n)
            return;
        // Linear work makes 4x the nodes cost 4x the time, quadratic 16x; 8 leaves room for caches and GC, not for O(n²).
        const double target = 8;
        md.AppendLine($"### Fold time vs graph size: Conv→BN chains, FoldPass.Run in process ({n.LargeVsSmall.Pairs} interleaved pairs)");
        md.AppendLine();
        md.AppendLine("| measurement | anchor | ratio | target | met |");
        md.AppendLine("|---|---|---|---|---|");
        md.AppendLine($"| fold of a {N(n.LargeNodes)}-node chain (p50 {Ms(n.LargeMs.P50)}, GC pauses {Ms(n.LargeGcPauseMs.P50)}) | " +
                      $"fold of a {N(n.SmallNodes)}-node chain (p50 {Ms(n.SmallMs.P50)}, GC pauses {Ms(n.SmallGcPauseMs.P50)}) | " +
                      $"{Ratio(n.LargeVsSmall)} | ≤ {F(target, 0)} (linear: 4; quadratic: 16) | {Met(n.LargeVsSmall.Median <= target)} |");
        md.AppendLine();
    }

    private static string N(int count) => count.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ratio(RatioStatistics r) => $"{F(r.Median, 3)} [{F(r.CiLow, 3)}, {F(r.CiHigh, 3)}]";

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string Ms(double ms) => ms >= 100 ? $"{F(ms, 0)} ms" : ms >= 1 ? $"{F(ms, 2)} ms" : $"{F(ms * 1000, 0)} µs";

    private static string F(double? value, int digits) =>
        value is { } v ? v.ToString("F" + digits, CultureInfo.InvariantCulture) : "?";
}
