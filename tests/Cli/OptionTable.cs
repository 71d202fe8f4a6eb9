using System.CommandLine;
using System.CommandLine.Help;
using System.Text;

namespace OnnxBn.Cli.Tests;

/// <summary>
/// The table of every command's options as docs/cli-options.md must show it, made from the commands themselves:
/// one row per option name, meaning and default, listing every command that has it. An option whose meaning differs
/// between commands gets one row per meaning, so a divergence shows in the document.
/// </summary>
internal static class OptionTable
{
    public const string Start = "<!-- options-table:start (generated from the commands; OptionTableTests checks it) -->";
    public const string End = "<!-- options-table:end -->";

    public static string Generate()
    {
        var root = CliApp.BuildRoot(new CliConsole(TextWriter.Null, TextWriter.Null, verbose: false), CliSeams.None);
        var rows = new List<(string Option, string Default, string Meaning, List<string> Commands)>();
        foreach (var option in root.Options.Where(o => o.Recursive && o is not HelpOption))
            rows.Add((Cell(option), Default(option), Meaning(option), ["all"]));
        foreach (var command in root.Subcommands)
        {
            foreach (var option in command.Options.Where(o => o is not HelpOption))
            {
                var key = (Cell(option), Default(option), Meaning(option));
                var row = rows.FindIndex(r => (r.Option, r.Default, r.Meaning) == key);
                if (row >= 0)
                    rows[row].Commands.Add(command.Name);
                else
                    rows.Add((key.Item1, key.Item2, key.Item3, [command.Name]));
            }
        }
        var text = new StringBuilder();
        text.AppendLine("| option | commands | default | meaning |");
        text.AppendLine("|---|---|---|---|");
        foreach (var row in rows)
            text.AppendLine($"| {row.Option} | {string.Join(", ", row.Commands)} | {row.Default} | {Escape(row.Meaning)} |");
        return text.ToString();
    }

    private static string Cell(Option option)
    {
        // As --help shows it: the value's name in angle brackets.
        var value = option.ValueType == typeof(bool) ? "" : $" <{option.HelpName ?? option.Name.TrimStart('-')}>";
        var aliases = option.Aliases.Count == 0 ? "" : " (" + string.Join(", ", option.Aliases.Order().Select(a => $"`{a}`")) + ")";
        return Escape($"`{option.Name}{value}`{aliases}");
    }

    private static string Default(Option option)
    {
        if (option.ValueType == typeof(bool) || !option.HasDefaultValue)
            return "";
        return option.GetDefaultValue() switch
        {
            null => "",
            IFormattable number => $"`{number.ToString(null, System.Globalization.CultureInfo.InvariantCulture)}`",
            var other => $"`{other}`",
        };
    }

    private static string Meaning(Option option) => (option.Description ?? "").ReplaceLineEndings(" ");

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal);
}
