using System.Globalization;
using System.Text;

namespace OnnxBn.Training;

/// <summary>
/// Hands-On ML's history plot as a self-contained SVG: two panels (loss, accuracy) over the epochs of every phase,
/// training as solid lines and validation as dashed ones, with labelled axes, ticks, a legend, a dotted line where
/// fine-tuning starts, and a marked epoch wherever weights were restored (early stopping, restore-best-weights,
/// interruption).
/// </summary>
public static class HistoryPlot
{
    private const int PanelWidth = 420, PanelHeight = 300, Left = 60, Top = 40, Right = 20, Bottom = 50;
    private const string TrainColor = "#1f77b4", ValidationColor = "#d62728", RestoredColor = "#2ca02c";

    /// <summary>The SVG document for <paramref name="history"/>.</summary>
    public static string ToSvg(TrainingHistory history, string title = "Training history")
    {
        ArgumentNullException.ThrowIfNull(history);
        var epochs = history.Epochs;
        var width = 2 * (Left + PanelWidth + Right);
        var height = Top + PanelHeight + Bottom + 30;
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Inv($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(Inv($"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));
        var fineTuneStart = epochs.ToList().FindIndex(e => e.Phase != epochs[0].Phase);
        var restored = history.RestoredEpochs
            .Select(r => (Index: epochs.ToList().FindIndex(e => e.Phase == r.Key && e.Epoch == r.Value), Label: $"restored: {r.Key} epoch {r.Value}"))
            .Where(r => r.Index >= 0).ToArray();
        var xLabel = fineTuneStart > 0 ? "epoch (all phases, in order)" : "epoch";
        Panel(svg, 0, "loss", epochs.Select(e => e.Loss).ToArray(), epochs.Select(e => e.ValidationLoss).ToArray(), fineTuneStart, restored, xLabel, zeroToOne: false);
        Panel(svg, Left + PanelWidth + Right, "accuracy", epochs.Select(e => e.Accuracy).ToArray(), epochs.Select(e => e.ValidationAccuracy).ToArray(), fineTuneStart, restored, xLabel, zeroToOne: true);
        if (history.Interruption is { } interruption)
            svg.Append(Inv($"<text x=\"{width / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" fill=\"#a00\">{Escape(interruption.Describe())}</text>\n"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, int offsetX, string name, double[] train, double[] validation, int fineTuneStart,
        (int Index, string Label)[] restored, string xLabel, bool zeroToOne)
    {
        var x0 = offsetX + Left;
        var y0 = Top;
        var values = train.Concat(validation).Where(double.IsFinite).ToArray();
        var (low, high) = values.Length == 0 ? (0.0, 1.0) : (values.Min(), values.Max());
        if (zeroToOne)
            (low, high) = (Math.Min(low, Math.Floor(low * 10) / 10), Math.Max(high, Math.Min(1.0, Math.Ceiling(high * 10) / 10)));
        else
            low = Math.Min(0, low);
        if (high - low < 1e-9)
            high = low + 1;
        var count = Math.Max(train.Length, 1);
        double X(int i) => x0 + (count == 1 ? PanelWidth / 2.0 : i * (double)PanelWidth / (count - 1));
        double Y(double v) => y0 + PanelHeight - (v - low) / (high - low) * PanelHeight;

        svg.Append(Inv($"<g><rect x=\"{x0}\" y=\"{y0}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#333\"/>\n"));
        foreach (var tick in Ticks(low, high))
        {
            var y = Y(tick);
            svg.Append(Inv($"<line x1=\"{x0}\" y1=\"{y:0.##}\" x2=\"{x0 + PanelWidth}\" y2=\"{y:0.##}\" stroke=\"#ddd\"/>"));
            svg.Append(Inv($"<line x1=\"{x0 - 5}\" y1=\"{y:0.##}\" x2=\"{x0}\" y2=\"{y:0.##}\" stroke=\"#333\"/>"));
            svg.Append(Inv($"<text x=\"{x0 - 8}\" y=\"{y + 4:0.##}\" text-anchor=\"end\">{tick:0.###}</text>\n"));
        }
        var step = Math.Max(1, (int)Math.Ceiling(count / 10.0));
        for (var i = 0; i < count; i += step)
        {
            var x = X(i);
            svg.Append(Inv($"<line x1=\"{x:0.##}\" y1=\"{y0 + PanelHeight}\" x2=\"{x:0.##}\" y2=\"{y0 + PanelHeight + 5}\" stroke=\"#333\"/>"));
            svg.Append(Inv($"<text x=\"{x:0.##}\" y=\"{y0 + PanelHeight + 18}\" text-anchor=\"middle\">{i + 1}</text>\n"));
        }
        svg.Append(Inv($"<text x=\"{x0 + PanelWidth / 2}\" y=\"{y0 + PanelHeight + 36}\" text-anchor=\"middle\" class=\"x-label\">{xLabel}</text>\n"));
        svg.Append(Inv($"<text transform=\"translate({offsetX + 16},{y0 + PanelHeight / 2}) rotate(-90)\" text-anchor=\"middle\" class=\"y-label\">{name}</text>\n"));
        if (fineTuneStart > 0)
        {
            var x = (X(fineTuneStart - 1) + X(fineTuneStart)) / 2;
            svg.Append(Inv($"<line x1=\"{x:0.##}\" y1=\"{y0}\" x2=\"{x:0.##}\" y2=\"{y0 + PanelHeight}\" stroke=\"#888\" stroke-dasharray=\"2,3\"/>"));
            svg.Append(Inv($"<text x=\"{x + 4:0.##}\" y=\"{y0 + PanelHeight / 2}\" fill=\"#666\">fine-tuning</text>\n"));
        }
        foreach (var (index, label) in restored)
        {
            var x = X(index);
            svg.Append(Inv($"<g class=\"restored\"><line x1=\"{x:0.##}\" y1=\"{y0}\" x2=\"{x:0.##}\" y2=\"{y0 + PanelHeight}\" stroke=\"{RestoredColor}\" stroke-width=\"1.5\" stroke-dasharray=\"4,2\"/>"));
            var marked = double.IsFinite(validation.ElementAtOrDefault(index)) ? validation[index] : train[index];
            if (double.IsFinite(marked))
                svg.Append(Inv($"<circle cx=\"{x:0.##}\" cy=\"{Y(marked):0.##}\" r=\"6\" fill=\"none\" stroke=\"{RestoredColor}\" stroke-width=\"2\"/>"));
            svg.Append(Inv($"<text x=\"{x + 4:0.##}\" y=\"{y0 + 14}\" fill=\"{RestoredColor}\">{Escape(label)}</text></g>\n"));
        }
        Line(svg, train, X, Y, TrainColor, dashed: false);
        Line(svg, validation, X, Y, ValidationColor, dashed: true);
        var legendX = x0 + PanelWidth - 150;
        var legendY = zeroToOne ? y0 + PanelHeight - 50 : y0 + 10;
        svg.Append(Inv($"<rect x=\"{legendX}\" y=\"{legendY}\" width=\"140\" height=\"40\" fill=\"white\" stroke=\"#aaa\"/>"));
        svg.Append(Inv($"<line x1=\"{legendX + 8}\" y1=\"{legendY + 13}\" x2=\"{legendX + 32}\" y2=\"{legendY + 13}\" stroke=\"{TrainColor}\" stroke-width=\"2\"/>"));
        svg.Append(Inv($"<text x=\"{legendX + 38}\" y=\"{legendY + 17}\">train {name}</text>"));
        svg.Append(Inv($"<line x1=\"{legendX + 8}\" y1=\"{legendY + 29}\" x2=\"{legendX + 32}\" y2=\"{legendY + 29}\" stroke=\"{ValidationColor}\" stroke-width=\"2\" stroke-dasharray=\"6,3\"/>"));
        svg.Append(Inv($"<text x=\"{legendX + 38}\" y=\"{legendY + 33}\">val {name}</text></g>\n"));
    }

    private static void Line(StringBuilder svg, double[] values, Func<int, double> x, Func<double, double> y, string color, bool dashed)
    {
        var points = Enumerable.Range(0, values.Length).Where(i => double.IsFinite(values[i]))
            .Select(i => Inv($"{x(i):0.##},{y(values[i]):0.##}")).ToArray();
        if (points.Length == 0)
            return;
        var dash = dashed ? " stroke-dasharray=\"6,3\"" : "";
        svg.Append(Inv($"<polyline points=\"{string.Join(" ", points)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>\n"));
        foreach (var point in points)
        {
            var parts = point.Split(',');
            svg.Append(Inv($"<circle cx=\"{parts[0]}\" cy=\"{parts[1]}\" r=\"2.5\" fill=\"{color}\"/>"));
        }
        svg.Append('\n');
    }

    /// <summary>About five round tick values between <paramref name="low"/> and <paramref name="high"/>.</summary>
    internal static IEnumerable<double> Ticks(double low, double high)
    {
        var raw = (high - low) / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        for (var t = Math.Ceiling(low / step) * step; t <= high + step * 1e-9; t += step)
            yield return Math.Round(t, 12);
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? "";
}
