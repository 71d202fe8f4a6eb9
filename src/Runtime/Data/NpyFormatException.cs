namespace OnnxBn.Runtime.Data;

/// <summary>A .npy file that is malformed or uses a feature onnxbn does not read; the message names the file.</summary>
public sealed class NpyFormatException(string source, string problem)
    : FormatException($"{source}: not a readable .npy file: {problem}")
{
    /// <summary>The file path, or <c>&lt;memory&gt;</c> for bytes parsed in memory.</summary>
    public string File { get; } = source;

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; } = problem;
}
