namespace OnnxBn.Folding;

/// <summary>Where tensor bytes go when a model is saved.</summary>
public enum ExternalDataLayout
{
    /// <summary>Tensors read from external files go back to files of the same names; everything else stays inline.</summary>
    Keep,
    /// <summary>Every tensor is stored inside the model file (fails past protobuf's 2 GiB limit).</summary>
    Inline,
    /// <summary>Tensors of at least <see cref="ModelSaveOptions.ExternalThresholdBytes"/> go to one external file.</summary>
    ExternalizeLarge,
}

/// <summary>How <see cref="OnnxModel.Save(string, ModelSaveOptions?)"/> writes a model.</summary>
public sealed record ModelSaveOptions
{
    /// <summary>Which tensors go to external files; <see cref="ExternalDataLayout.Keep"/> by default.</summary>
    public ExternalDataLayout Layout { get; init; } = ExternalDataLayout.Keep;

    /// <summary>Size from which a tensor is externalized under <see cref="ExternalDataLayout.ExternalizeLarge"/>.</summary>
    public long ExternalThresholdBytes { get; init; } = 1024;

    /// <summary>File name (relative to the model) for externalized tensors; default "&lt;model file&gt;.data".</summary>
    public string? ExternalFileName { get; init; }

    /// <summary>Allows saving over the file the model was loaded from (refused by default).</summary>
    public bool OverwriteSource { get; init; }
}
