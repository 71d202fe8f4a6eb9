using System.Text.RegularExpressions;
using OnnxBn.TestUtilities;

namespace OnnxBn.Runtime.Tests.Documentation;

/// <summary>
/// Every C# block of README.md and docs/*.md is compiled by a test: its body appears verbatim (at some indentation)
/// in a source file under tests/, and that file has the block's using directives.
/// </summary>
public sealed partial class DocExampleTests
{
    public static TheoryData<string, int> CSharpBlocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var doc in DocumentationFiles())
            for (var i = 0; i < BlocksOf(doc).Count; i++)
                data.Add(Path.GetRelativePath(RepositoryPaths.Root, doc), i);
        return data;
    }

    [Theory]
    [MemberData(nameof(CSharpBlocks))]
    public void Every_CSharp_Block_Of_The_Docs_Is_Compiled_By_A_Test(string doc, int index)
    {
        var block = BlocksOf(Path.Combine(RepositoryPaths.Root, doc))[index];
        var usings = block.TakeWhile(l => UsingDirective().IsMatch(l) || l.Length == 0).Where(l => l.Length > 0).ToList();
        var body = block.Skip(block.TakeWhile(l => UsingDirective().IsMatch(l) || l.Length == 0).Count()).ToList();

        var compiledIn = TestSources().Where(source => ContainsIndented(source.Text, body)
                                                       && usings.All(u => source.Lines.Contains(u))).ToList();

        Assert.True(compiledIn.Count > 0,
            $"{doc}, C# block {index + 1} ({body.FirstOrDefault()}…) is in no test source under tests/ with its usings");
    }

    [Fact]
    public void The_Docs_Have_CSharp_Blocks_To_Check() =>
        Assert.Contains(CSharpBlocks(), row => (string)row[0] == "README.md");

    private static IEnumerable<string> DocumentationFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md")
            .Prepend(Path.Combine(RepositoryPaths.Root, "README.md"))
            .Order(StringComparer.Ordinal);

    private static List<List<string>> BlocksOf(string markdown)
    {
        var blocks = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in File.ReadAllText(markdown).ReplaceLineEndings("\n").Split('\n'))
        {
            if (current is null && line.Trim() == "```csharp")
                current = [];
            else if (current is not null && line.Trim() == "```")
            {
                blocks.Add(current);
                current = null;
            }
            else
                current?.Add(line);
        }
        return blocks;
    }

    private static bool ContainsIndented(string source, List<string> body)
    {
        for (var indent = 0; indent <= 12; indent += 4)
        {
            var pad = new string(' ', indent);
            var indented = string.Join("\n", body.Select(l => l.Length == 0 ? l : pad + l));
            if (source.Contains(indented, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static List<(string Text, HashSet<string> Lines)> TestSources() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => File.ReadAllText(f).ReplaceLineEndings("\n"))
            .Select(text => (text, text.Split('\n').ToHashSet(StringComparer.Ordinal)))
            .ToList();

    [GeneratedRegex(@"^using [A-Za-z0-9_.]+;$")]
    private static partial Regex UsingDirective();
}
