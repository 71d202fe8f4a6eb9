using System.CommandLine;
using System.Globalization;
using OnnxBn.Runtime.Inputs;

namespace OnnxBn.Cli.Commands;

/// <summary>Parsing of the bench command's text options, each failure a <see cref="UsageException"/> naming the option.</summary>
internal sealed partial class BenchCommand
{
    internal static int[] ParseBatches(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var batches = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out batches[i]) || batches[i] < 1)
                throw new UsageException($"--batch {text}: batch sizes must be positive integers like 1,32,256.");
        }
        if (batches.Distinct().Count() != batches.Length)
            throw new UsageException($"--batch {text}: a batch size is listed twice.");
        return batches;
    }

    /// <summary>10s, 1.5s, 500ms, 2m, or a plain number of seconds.</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new UsageException($"--duration {text}: give a positive time like 10s, 500ms or 2m.");
        return TimeSpan.FromSeconds(value * unit);
    }

    /// <summary>The input source of verify's options, per batch size; null for random inputs.</summary>
    private static Func<int, IInputSource>? ParseInputSource(ParseResult parsed, Action<InputCast> casted)
    {
        var dir = parsed.GetValue(InputsDirOption);
        var files = parsed.GetValue(InputFileOption) ?? [];
        var data = parsed.GetValue(DataOption);
        var given = new[] { dir is not null, files.Length > 0, data is not null }.Count(g => g);
        if (given == 0)
            return null;
        if (given > 1)
            throw new UsageException("Give one input source: --inputs, --input or --data.");
        if ((parsed.GetValue(ShapeOption) ?? []).Length > 0)
            throw new UsageException("--shape applies to random inputs only.");
        if (dir is not null)
        {
            if (!Directory.Exists(dir))
                throw new UsageException($"--inputs {dir}: no such folder.");
            return _ => new BackendTestDataSource(dir) { Casted = casted };
        }
        if (files.Length > 0)
        {
            var pairs = files.Select(f =>
            {
                try
                {
                    return TensorFileSource.Parse(f);
                }
                catch (FormatException ex)
                {
                    throw new UsageException($"--input: {ex.Message}");
                }
            }).ToArray();
            return _ => new TensorFileSource(pairs) { Casted = casted };
        }
        try
        {
            FashionMnistSource.Parse(data!); // fail on a bad spec before any session is created
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new UsageException($"--data: {ex.Message}");
        }
        return batch => FashionMnistSource.Parse(data!, batchSize: batch, limit: batch);
    }
}
