using OnnxBn.Runtime.Benchmarking;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// Progress of <c>onnxbn bench</c> on stderr: on a terminal, one bar redrawn in place; otherwise (a CI log, a file)
/// one line per stage, since carriage-return redraws would pile up there as thousands of fragments.
/// </summary>
internal sealed class ProgressBar(TextWriter error, bool redraw) : IProgress<BenchmarkProgress>
{
    private const int Width = 30;
    private bool _drawn;
    private string? _lastStage;

    public void Report(BenchmarkProgress value)
    {
        if (!redraw)
        {
            // "batch 256: 1200 runs" → "batch 256": the counts change on every report, the stage does not.
            var stage = value.Stage.Split(':')[0];
            if (stage != _lastStage)
                error.WriteLine($"bench: {stage}");
            _lastStage = stage;
            return;
        }
        var filled = (int)Math.Round(Math.Clamp(value.Fraction, 0, 1) * Width);
        error.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {value.Fraction * 100,3:F0}% {value.Stage,-40}");
        error.Flush();
        _drawn = true;
    }

    public void Finish()
    {
        if (_drawn)
            error.WriteLine();
        _drawn = false;
    }
}
