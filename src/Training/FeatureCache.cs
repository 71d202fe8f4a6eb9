using System.Security.Cryptography;
using OnnxBn.Folding;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>
/// Features kept on disk as a float32 .npy matrix [rows, size], with a sidecar <c>FILE.key</c> holding a SHA-256 of
/// the base model and of the input rows, so a cache made from another model or other data is never reused.
/// </summary>
public static class FeatureCache
{
    /// <summary>The fingerprint of a base model and its input rows.</summary>
    public static string Key(OnnxModel frozenBase, LabeledData inputs)
    {
        ArgumentNullException.ThrowIfNull(frozenBase);
        ArgumentNullException.ThrowIfNull(inputs);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(frozenBase.ToBytes());
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(inputs.Features.AsSpan()));
        hash.AppendData(BitConverter.GetBytes(inputs.FeatureSize));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>The cached features when <paramref name="path"/> exists with a matching key, else null.</summary>
    public static (float[] Values, int Size)? TryLoad(string path, string key)
    {
        ArgumentNullException.ThrowIfNull(path);
        var keyPath = path + ".key";
        if (!File.Exists(path) || !File.Exists(keyPath) || File.ReadAllText(keyPath).Trim() != key)
            return null;
        var tensor = NpyFormat.Read(path);
        if (tensor.ElementType != OnnxDataType.Float || tensor.Rank != 2)
            return null;
        return (tensor.ToArray<float>(), (int)tensor.Dims[1]);
    }

    /// <summary>Writes the features and their key.</summary>
    public static void Save(string path, string key, float[] values, int size)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(values);
        var rows = size == 0 ? 0 : values.Length / size;
        NpyFormat.Write(path, TensorData.Create(Path.GetFileNameWithoutExtension(path), [rows, size], values.AsSpan()));
        File.WriteAllText(path + ".key", key + "\n");
    }
}
