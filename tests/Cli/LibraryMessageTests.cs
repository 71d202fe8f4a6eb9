using System.Text.RegularExpressions;
using OnnxBn.TestUtilities;

namespace OnnxBn.Cli.Tests;

/// <summary>
/// Only the CLI speaks of its flags: a library's messages reach apps that have no command line. The libraries say what
/// would help in their own terms (an <c>InputRemedy</c>, an option property), and the CLI names its flag for it.
/// </summary>
public sealed partial class LibraryMessageTests
{
    [Theory]
    [InlineData("src/Folding")]
    [InlineData("src/Runtime")]
    [InlineData("src/Training")]
    public void Library_String_Literals_Name_No_Command_Line_Flag(string folder)
    {
        var flags = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, folder), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                    continue;
                foreach (Match match in FlagInLiteral().Matches(lines[i]))
                    flags.Add($"{Path.GetRelativePath(RepositoryPaths.Root, file)}:{i + 1}: {match.Groups[1].Value}");
            }
        }
        Assert.True(flags.Count == 0, "flags in library messages:\n" + string.Join("\n", flags));
    }

    [GeneratedRegex("\"[^\"]*?(--[a-z][a-z0-9-]+)")]
    private static partial Regex FlagInLiteral();
}
