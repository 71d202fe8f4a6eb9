using System.Globalization;

namespace OnnxBn.Cli;

/// <summary>
/// Token rewrites made before parsing (docs/cli-options.md lists both): <c>--json</c> never takes a model file as its
/// FILE, and spellings that changed keep working for now, each with a one-line deprecation warning on stderr.
/// </summary>
internal static class CommandLineRewrites
{
    /// <summary>Old spelling → new one, per command (null = every command).</summary>
    private static readonly (string? Command, string Old, string New)[] Renamed =
    [
        ("verify", "--batch-size", "--batch"),
        ("fold", "--batch-size", "--batch"),
    ];

    public static string[] Apply(string[] args, TextWriter stderr)
    {
        // Global options (--verbose, --quiet) may come before the command.
        var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "";
        var result = new List<string>(args.Length + 1);
        for (var i = 0; i < args.Length; i++)
        {
            var token = args[i];
            var next = i + 1 < args.Length ? args[i + 1] : null;
            if (Renamed.FirstOrDefault(r => (r.Command ?? command) == command && r.Old == token) is { Old: not null } renamed)
            {
                stderr.WriteLine($"warning: {token} is deprecated; write {renamed.New} (same meaning).");
                result.Add(renamed.New);
                continue;
            }
            result.Add(token);
            // "--json model.onnx" means JSON on stdout for that model, not a report written over the model.
            if (token == "--json" && next is not null && next.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                result.Add("-");
            // run's --random was a flag; now it is a count, as in verify.
            if (command == "run" && token == "--random" && !IsCount(next))
            {
                stderr.WriteLine("warning: --random without a count is deprecated; write --random 1 (N seeded random samples, as in verify).");
                result.Add("1");
            }
        }
        return [.. result];
    }

    private static bool IsCount(string? token) =>
        token is not null && int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
}
