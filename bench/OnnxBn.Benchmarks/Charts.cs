using System.Globalization;
using System.Text;
using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Benchmarks;

/// <summary>The two scaling charts as small hand-written SVG line plots (no plotting dependency).</summary>
internal static class Charts
{
    private const int Width = 640, Height = 400, Left = 70, Right = 150, Top = 40, Bottom = 50;

    /// <summary>p50 latency per sample (µs) against batch size, log-log, original and folded.</summary>
    public static void LatencyVsBatch(BenchmarkReport report, string path)
    {
        var series = report.Models.Select(m => (m.Label, m.Batches.Select(b => (Math.Log2(b.Batch), Math.Log10(b.LatencyMs.P50 * 1000 / b.Batch))).ToArray())).ToArray();
        var svg = Plot($"Book MLP (BN after activations), ORT ENABLE_ALL, {report.Settings.ThreadPool}",
            "batch size (log2)", "p50 latency per sample, µs (log10)", series,
            x => Math.Pow(2, x).ToString("F0", CultureInfo.InvariantCulture), y => Math.Pow(10, y).ToString("G3", CultureInfo.InvariantCulture),
            []);
        File.WriteAllText(path, svg);
    }

    /// <summary>Load+fold+save and load+fold+serialize time (ms) against parameters (millions) per family, with the fitted lines.</summary>
    public static void FoldTimeVsParameters(IReadOnlyList<FoldScalingPoint> points, IReadOnlyDictionary<string, LinearFit> fits, string path)
    {
        var families = points.Select(p => p.Family).Distinct().ToArray();
        var series = families.Select(f => ($"{f} load+fold+save", points.Where(p => p.Family == f).Select(p => (p.Parameters / 1e6, p.LoadFoldSaveMs)).ToArray()))
            .Concat(families.Select(f => ($"{f} load+fold+serialize", points.Where(p => p.Family == f).Select(p => (p.Parameters / 1e6, p.LoadFoldSerializeMs)).ToArray())))
            .ToArray();
        var lines = fits.Select(kv => (kv.Key, kv.Value.Intercept, kv.Value.Slope * 1e6)).ToArray();
        var svg = Plot("Fold time vs model size (generated MLP/CNN families)", "parameters (millions)", "time (ms)", series,
            x => x.ToString("F0", CultureInfo.InvariantCulture), y => y.ToString("F0", CultureInfo.InvariantCulture), lines);
        File.WriteAllText(path, svg);
    }

    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    private static string Plot(string title, string xLabel, string yLabel, (string Label, (double X, double Y)[] Points)[] series,
        Func<double, string> xText, Func<double, string> yText, (string Label, double Intercept, double Slope)[] fitLines)
    {
        var all = series.SelectMany(s => s.Points).ToArray();
        double x0 = all.Min(p => p.X), x1 = all.Max(p => p.X), y0 = Math.Min(0, all.Min(p => p.Y)), y1 = all.Max(p => p.Y);
        if (all.Min(p => p.Y) < 0 || title.StartsWith("Book", StringComparison.Ordinal))
            y0 = all.Min(p => p.Y);
        if (x1 == x0) x1 = x0 + 1;
        if (y1 == y0) y1 = y0 + 1;
        y1 += (y1 - y0) * 0.05;
        double Px(double x) => Left + (x - x0) / (x1 - x0) * (Width - Left - Right);
        double Py(double y) => Height - Bottom - (y - y0) / (y1 - y0) * (Height - Top - Bottom);
        static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        svg.AppendLine($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.AppendLine($"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">{title}</text>");
        svg.AppendLine($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>");
        svg.AppendLine($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>");
        for (var i = 0; i <= 5; i++)
        {
            double xv = x0 + (x1 - x0) * i / 5, yv = y0 + (y1 - y0) * i / 5;
            svg.AppendLine($"<text x=\"{F(Px(xv))}\" y=\"{Height - Bottom + 15}\" text-anchor=\"middle\">{xText(xv)}</text>");
            svg.AppendLine($"<text x=\"{Left - 5}\" y=\"{F(Py(yv) + 4)}\" text-anchor=\"end\">{yText(yv)}</text>");
            svg.AppendLine($"<line x1=\"{Left}\" y1=\"{F(Py(yv))}\" x2=\"{Width - Right}\" y2=\"{F(Py(yv))}\" stroke=\"#eee\"/>");
        }
        svg.AppendLine($"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 12}\" text-anchor=\"middle\">{xLabel}</text>");
        svg.AppendLine($"<text x=\"15\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 15 {(Top + Height - Bottom) / 2})\">{yLabel}</text>");
        for (var s = 0; s < series.Length; s++)
        {
            var color = Colors[s % Colors.Length];
            var dash = series[s].Label.Contains("fold only", StringComparison.Ordinal) ? " stroke-dasharray=\"4 3\"" : "";
            var pts = string.Join(" ", series[s].Points.OrderBy(p => p.X).Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"));
            svg.AppendLine($"<polyline points=\"{pts}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>");
            foreach (var p in series[s].Points)
                svg.AppendLine($"<circle cx=\"{F(Px(p.X))}\" cy=\"{F(Py(p.Y))}\" r=\"3\" fill=\"{color}\"/>");
            svg.AppendLine($"<text x=\"{Width - Right + 10}\" y=\"{Top + 15 * s}\" fill=\"{color}\">{series[s].Label}</text>");
        }
        for (var f = 0; f < fitLines.Length; f++)
        {
            var (label, intercept, slope) = fitLines[f];
            if (label.EndsWith(" fold", StringComparison.Ordinal))
                continue;
            svg.AppendLine($"<line x1=\"{F(Px(x0))}\" y1=\"{F(Py(intercept + slope * x0))}\" x2=\"{F(Px(x1))}\" y2=\"{F(Py(intercept + slope * x1))}\" stroke=\"#999\" stroke-dasharray=\"2 2\"/>");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
