using Spectre.Console;

namespace OnnxBn.Cli.Rendering;

/// <summary>
/// A table of text cells written either as a Spectre.Console table (on an interactive terminal) or as plain,
/// space-aligned columns (when stdout is redirected or a test captures it), so output stays greppable and stable.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public string[] Headers { get; } = headers;

    public IReadOnlyList<string[]> Rows => _rows;

    /// <summary>Indexes of right-aligned (numeric) columns.</summary>
    public HashSet<int> RightAligned { get; } = [];

    public TextTable Add(params string[] cells)
    {
        if (cells.Length != Headers.Length)
            throw new ArgumentException($"a row needs {Headers.Length} cells, got {cells.Length}");
        _rows.Add(cells);
        return this;
    }

    public void WriteTo(TextWriter writer)
    {
        if (IsInteractive(writer))
            WriteSpectre(writer);
        else
            WritePlain(writer);
    }

    /// <summary>Only the process's own, unredirected stdout gets colours and box drawing.</summary>
    private static bool IsInteractive(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    private void WriteSpectre(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        var table = new Table().Border(TableBorder.Simple);
        for (int c = 0; c < Headers.Length; c++)
        {
            var column = new TableColumn(Markup.Escape(Headers[c]));
            if (RightAligned.Contains(c)) column.RightAligned();
            table.AddColumn(column);
        }
        foreach (var row in _rows)
            table.AddRow(row.Select(cell => new Text(cell)).ToArray<Spectre.Console.Rendering.IRenderable>());
        console.Write(table);
    }

    private void WritePlain(TextWriter writer)
    {
        var widths = Headers.Select((h, c) => _rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        WriteLine(writer, Headers, widths);
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
            WriteLine(writer, row, widths);
    }

    private void WriteLine(TextWriter writer, string[] cells, int[] widths)
    {
        var padded = cells.Select((cell, c) => RightAligned.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
        writer.WriteLine(string.Join("  ", padded).TrimEnd());
    }
}
