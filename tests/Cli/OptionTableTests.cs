using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>docs/cli-options.md lists every option of every command exactly as --help describes it.</summary>
public sealed class OptionTableTests
{
    private static readonly string Document = Path.Combine(RepositoryPaths.Root, "docs", "cli-options.md");

    [Fact]
    public void The_Options_Table_In_The_Docs_Matches_Every_Commands_Options()
    {
        var text = File.ReadAllText(Document).ReplaceLineEndings("\n");
        var start = text.IndexOf(OptionTable.Start, StringComparison.Ordinal);
        var end = text.IndexOf(OptionTable.End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{Document} lacks the generated-table markers.");
        var documented = text[(start + OptionTable.Start.Length)..end].Trim();
        var expected = OptionTable.Generate().ReplaceLineEndings("\n").Trim();
        if (documented != expected)
        {
            var path = Path.Combine(Path.GetTempPath(), $"onnxbn-cli-options-{Environment.ProcessId}.md");
            File.WriteAllText(path, expected + "\n");
            Assert.Fail($"docs/cli-options.md's table differs from the commands' options; the table they define is in {path}.");
        }
    }

    [Fact]
    public void A_Shared_Option_Name_Has_One_Meaning_Across_Commands()
    {
        // Options made by CommonOptions have one description; a second row for one of them means a command redefined it.
        var rows = OptionTable.Generate().Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToArray();
        foreach (var name in new[] { "--json", "--junit", "--random", "--inputs", "--input", "--device", "--quiet", "--verbose" })
            Assert.Single(rows, r => r.StartsWith($"| `{name} ", StringComparison.Ordinal) || r.StartsWith($"| `{name}`", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fold")]
    [InlineData("verify")]
    [InlineData("inspect")]
    [InlineData("run")]
    [InlineData("bench")]
    [InlineData("transfer")]
    public void Each_Commands_Help_Shows_Every_Option_With_The_Documented_Meaning(string command)
    {
        var (code, help, _) = CliHarness.Run(command, "--help");

        Assert.Equal(0, code);
        var flattened = string.Join(" ", help.Split('\n').Select(l => l.Trim()));
        foreach (var row in OptionTable.Generate().Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = row.Split(" | ");
            var commands = cells[1].Split(", ");
            if (!commands.Contains(command) && !commands.Contains("all"))
                continue;
            var name = cells[0].TrimStart('|', ' ', '`').Split(' ', '`')[0];
            Assert.Contains(name, help);
            // The help wraps descriptions; its words in order must be the table's.
            var firstWords = string.Join(" ", cells[3].TrimEnd(" |".ToCharArray()).Replace("\\|", "|", StringComparison.Ordinal).Split(' ').Take(6));
            Assert.Contains(firstWords, flattened);
        }
    }
}
