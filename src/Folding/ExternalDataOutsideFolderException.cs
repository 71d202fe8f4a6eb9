namespace OnnxBn.Folding;

/// <summary>
/// A tensor's external data lies outside the model's folder (by its path or through a symbolic link) and loading
/// refused it, as it does unless <see cref="ModelLoadOptions.AllowExternalDataOutsideModelFolder"/> is set. A caller
/// that offers its own way to allow it names that way next to <see cref="OnnxModelException.Defect"/>.
/// </summary>
public sealed class ExternalDataOutsideFolderException : OnnxModelException
{
    /// <summary>The message names <see cref="ModelLoadOptions.AllowExternalDataOutsideModelFolder"/> as the way to allow it.</summary>
    /// <param name="filePath">The model file.</param>
    /// <param name="defect">Where the data lies, e.g. "external data location '../w.bin' escapes the model's folder".</param>
    /// <param name="element">The tensor whose data it is.</param>
    public ExternalDataOutsideFolderException(string? filePath, string defect, string? element)
        : base(filePath, $"{defect}; {AllowIt($"ModelLoadOptions.{nameof(ModelLoadOptions.AllowExternalDataOutsideModelFolder)}")}", element)
    {
        Where = defect;
    }

    /// <summary>Where the data lies, without the way to allow it.</summary>
    public string Where { get; }

    /// <summary>The advice the message ends with, for a given way of allowing it (an option, a flag).</summary>
    public static string AllowIt(string how) => $"allow it only for a layout you trust ({how})";
}
