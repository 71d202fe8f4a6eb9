using OnnxBn.Folding;

namespace OnnxBn.Runtime.Inputs;

/// <summary>Makes a tensor read from a file fit a model input: its name, element type and fixed dimensions.</summary>
internal static class InputFit
{
    /// <summary>
    /// The tensor renamed to the input, after checking rank and fixed dimensions; cast by <see cref="TensorCast"/> when
    /// the file's element type differs (a float64 .npy for a float32 input), telling <paramref name="casted"/>.
    /// </summary>
    /// <exception cref="InputMismatchException">The tensor cannot feed the input.</exception>
    public static TensorData Adapt(TensorData tensor, InputSignature input, string origin, Action<InputCast>? casted = null)
    {
        if (tensor.Rank != input.Rank)
            throw new InputMismatchException(
                $"{origin}: shape [{string.Join(",", tensor.Dims)}] does not fit input '{input.Name}' {input.ShapeText} (rank {input.Rank}).");
        for (var d = 0; d < input.Rank; d++)
        {
            if (input.Dims[d] is { } fixedDim && fixedDim != tensor.Dims[d])
                throw new InputMismatchException(
                    $"{origin}: shape [{string.Join(",", tensor.Dims)}] does not fit input '{input.Name}' {input.ShapeText} (dimension {d}).");
        }
        var renamed = tensor.Name == input.Name ? tensor : tensor.WithName(input.Name);
        if (tensor.ElementType == input.ElementType)
            return renamed;
        var (cast, how) = TensorCast.To(renamed, input.ElementType, origin);
        casted?.Invoke(how);
        return cast;
    }

    /// <summary>Reads a tensor file: a serialized TensorProto (<c>.pb</c>) or a NumPy array (<c>.npy</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a TensorProto.</exception>
    /// <exception cref="Data.NpyFormatException">The .npy file is malformed.</exception>
    public static TensorData Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Input file not found: {path}", path);
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            return Data.NpyFormat.Read(path);
        try
        {
            return TensorData.LoadTensorProto(path);
        }
        catch (OnnxModelException ex)
        {
            throw new InvalidDataException($"{path}: not a serialized ONNX TensorProto (.pb) or .npy file ({ex.Message}).", ex);
        }
    }
}
