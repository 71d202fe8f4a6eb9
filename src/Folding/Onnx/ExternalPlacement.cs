namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Where a tensor's bytes sit in an external data file: a location relative to the model's folder, a byte offset
/// (-1 when the tensor is new and has no place yet) and a length.
/// </summary>
internal sealed record ExternalPlacement(string Location, long Offset, long Length);
