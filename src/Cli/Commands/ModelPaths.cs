namespace OnnxBn.Cli.Commands;

/// <summary>Output-path rules shared by commands that write a model next to their input.</summary>
internal static class ModelPaths
{
    /// <summary>"dir/model.onnx" → "dir/model.&lt;suffix&gt;.onnx" (a name without .onnx just gets the suffix appended).</summary>
    public static string Sibling(string input, string suffix)
    {
        string full = Path.GetFullPath(input);
        string directory = Path.GetDirectoryName(full)!;
        string name = Path.GetFileName(full);
        string stem = name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? name[..^".onnx".Length] : name;
        return Path.Combine(directory, $"{stem}.{suffix}.onnx");
    }

    /// <summary>Throws a usage error when <paramref name="output"/> would overwrite <paramref name="input"/>.</summary>
    public static void RefuseOverwrite(string input, string output)
    {
        if (string.Equals(Path.GetFullPath(input), Path.GetFullPath(output), StringComparison.Ordinal))
            throw new UsageException($"the output {output} is the input model; choose another path with -o (the input is never overwritten).");
    }
}
