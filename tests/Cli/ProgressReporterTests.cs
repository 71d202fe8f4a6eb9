using OnnxBn.Cli.Rendering;

namespace OnnxBn.Cli.Tests;

/// <summary>The one progress display of the long commands: a bar on a terminal, a line per 10 % in logs, or nothing.</summary>
public sealed class ProgressReporterTests
{
    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void In_A_Log_It_Writes_One_Plain_Line_Per_10_Percent_However_Often_It_Is_Told()
    {
        var log = new StringWriter();
        var progress = new ProgressReporter(log, ProgressStyle.Lines, "verify");

        for (var done = 1; done <= 1000; done++)
            progress.Report(done / 1000.0, $"{done} runs");
        progress.Finish();

        var lines = Lines(log.ToString());
        Assert.Equal(Enumerable.Range(1, 10).Select(d => $"verify: {d * 10}% {d * 100} runs"), lines);
        Assert.DoesNotContain('\r', log.ToString());
        Assert.DoesNotContain('\u001b', log.ToString());
    }

    [Fact]
    public void In_A_Log_A_Jump_Past_Several_Marks_Writes_One_Line()
    {
        var log = new StringWriter();
        var progress = new ProgressReporter(log, ProgressStyle.Lines, "run");

        progress.Report(0.05, "a");
        progress.Report(0.35, "b");
        progress.Report(1.0, "c");

        Assert.Equal(["run: 35% b", "run: 100% c"], Lines(log.ToString()));
    }

    [Fact]
    public void In_A_Log_Work_Done_In_One_Step_Or_Of_Unknown_Size_Writes_Nothing()
    {
        var oneStep = new StringWriter();
        new ProgressReporter(oneStep, ProgressStyle.Lines, "verify").Report(1.0, "1 run");
        var unknown = new StringWriter();
        var progress = new ProgressReporter(unknown, ProgressStyle.Lines, "verify");
        progress.Report(null, "1 run");
        progress.Report(null, "2 runs");

        Assert.Equal("", oneStep.ToString());
        Assert.Equal("", unknown.ToString());
    }

    [Fact]
    public void On_A_Terminal_It_Redraws_One_Line_And_Erases_It_When_Done()
    {
        var terminal = new StringWriter();
        var progress = new ProgressReporter(terminal, ProgressStyle.Redraw, "bench");

        progress.Report(0.5, "batch 32: a long stage name");
        progress.Report(1.0, "done");
        progress.Finish();

        var text = terminal.ToString();
        Assert.DoesNotContain('\n', text);
        Assert.Equal(4, text.Count(c => c == '\r'));
        Assert.Contains("bench [###############...............]  50% batch 32: a long stage name", text);
        // The shorter second frame is padded over the first one's tail, and the last frame is blanked out.
        var frames = text.Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(frames[0].Length, frames[1].Length);
        Assert.True(string.IsNullOrWhiteSpace(frames[^1]));
    }

    [Fact]
    public void Quiet_Writes_Nothing()
    {
        var error = new StringWriter();
        var progress = new ProgressReporter(error, ProgressStyle.Silent, "verify");

        progress.Report(0.5, "half");
        progress.Report(1.0, "all");
        progress.Finish();

        Assert.Equal("", error.ToString());
    }
}
