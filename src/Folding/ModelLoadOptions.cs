namespace OnnxBn.Folding;

/// <summary>How <see cref="OnnxModel.Load(string, ModelLoadOptions?)"/> treats what a model file points at.</summary>
public sealed record ModelLoadOptions
{
    /// <summary>
    /// Reads external data files that lie outside the model's folder: a location with <c>..</c> segments that leave
    /// it, or a file (or folder on the way to it) that is a symbolic link to somewhere else. Off by default, because a
    /// model is untrusted input and would otherwise make the loader read, and a save copy, any file the user can read
    /// (a key, a dotfile). Turn it on only for a layout you made yourself, such as weights on another disk linked in.
    /// </summary>
    public bool AllowExternalDataOutsideModelFolder { get; init; }
}
