using System.Globalization;
using OnnxBn.Runtime.Benchmarking;
using OnnxBn.Runtime.Verification;

namespace OnnxBn.Cli.Rendering;

/// <summary>How a long command shows its progress on stderr.</summary>
internal enum ProgressStyle
{
    /// <summary>Nothing (<c>--quiet</c>).</summary>
    Silent,

    /// <summary>One bar redrawn in place with carriage returns: stderr is a terminal.</summary>
    Redraw,

    /// <summary>
    /// One plain line each time the work crosses a 10 % mark, giving the exact percentage: stderr is a file or a CI
    /// log, where carriage-return redraws would pile up as thousands of fragments and ANSI codes would show as garbage.
    /// </summary>
    Lines,
}

/// <summary>
/// The progress display of every long command (verify, fold --verify, bench, transfer, run over many inputs). The
/// libraries report through <see cref="IProgress{T}"/>; this turns their reports into a bar or into log lines.
/// </summary>
internal sealed class ProgressReporter(TextWriter error, ProgressStyle style, string label)
    : IProgress<BenchmarkProgress>, IProgress<VerificationProgress>, IProgress<(int Done, int Total)>
{
    private const int Width = 30;
    private int _lastDecile;
    private int _drawnLength;
    private bool _reported;
    private string? _stage;

    public void Report(BenchmarkProgress value) => Report(value.Fraction, value.Stage);

    public void Report(VerificationProgress value)
    {
        // A new pass over the inputs (verify --layers runs them again) counts from 0 % again.
        if (_stage is not null && value.Stage != _stage)
        {
            _lastDecile = 0;
            _reported = false;
        }
        _stage = value.Stage;
        var stage = value.Stage == VerificationProgress.OutputsStage ? "" : value.Stage + ", ";
        Report(value.Fraction, $"{stage}{value.Runs} run{(value.Runs == 1 ? "" : "s")}: {value.Feed}");
    }

    public void Report((int Done, int Total) value) =>
        Report(value.Total == 0 ? 1 : value.Done / (double)value.Total, $"{value.Done}/{value.Total}");

    /// <summary>Shows <paramref name="fraction"/> (0..1, or null when the total is unknown) and what is running.</summary>
    public void Report(double? fraction, string detail)
    {
        var first = !_reported;
        _reported = true;
        // Work done in one step (one run of four samples) has no progress worth a line in a log.
        if (first && fraction >= 1 && style == ProgressStyle.Lines)
            return;
        switch (style)
        {
            case ProgressStyle.Redraw:
                Redraw(fraction, detail);
                break;
            case ProgressStyle.Lines when fraction is { } known:
                // Only crossing a 10 % mark writes: a log gets at most ten lines however often the library reports.
                var decile = (int)Math.Floor(Math.Clamp(known, 0, 1) * 10 + 1e-9);
                if (decile <= _lastDecile)
                    return;
                _lastDecile = decile;
                var percent = (int)Math.Floor(Math.Clamp(known, 0, 1) * 100 + 1e-9);
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {percent}% {detail}"));
                break;
        }
    }

    /// <summary>Erases a redrawn bar, so the report and the next messages start on a clean line.</summary>
    public void Finish()
    {
        if (_drawnLength > 0)
        {
            error.Write("\r" + new string(' ', _drawnLength) + "\r");
            error.Flush();
        }
        _drawnLength = 0;
    }

    private void Redraw(double? fraction, string detail)
    {
        var text = fraction is { } known
            ? string.Create(CultureInfo.InvariantCulture,
                $"{label} [{Bar(known)}] {known * 100,3:F0}% {detail}")
            : $"{label} {detail}";
        // Pad over the previous line's tail: a shorter redraw would otherwise leave its end on screen.
        error.Write("\r" + text.PadRight(_drawnLength));
        error.Flush();
        _drawnLength = text.Length;
    }

    private static string Bar(double fraction)
    {
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * Width);
        return new string('#', filled) + new string('.', Width - filled);
    }
}
