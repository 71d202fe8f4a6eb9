using OnnxBn.Folding;

namespace OnnxBn.Runtime.Data;

/// <summary>
/// Seeded random tensors for smoke runs and benchmarks: floats uniform in [0, 1), integers uniform in [0, 10),
/// booleans fair coin flips. The same seed, type and shape always give the same tensor.
/// </summary>
public static class RandomTensors
{
    /// <summary>Creates a random tensor of <paramref name="type"/> and <paramref name="dims"/>.</summary>
    /// <exception cref="NotSupportedException">The element type is not numeric or boolean.</exception>
    public static TensorData Create(string name, TensorElementType type, long[] dims, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var count = checked((int)dims.Aggregate(1L, (a, d) => checked(a * d)));
        return type switch
        {
            TensorElementType.Float => TensorData.Create(name, dims, Fill(count, () => random.NextSingle())),
            TensorElementType.Double => TensorData.Create(name, dims, Fill(count, random.NextDouble)),
            TensorElementType.Float16 => TensorData.Create(name, dims, Fill(count, () => (Half)random.NextSingle())),
            TensorElementType.Int64 => TensorData.Create(name, dims, Fill(count, () => (long)random.Next(10))),
            TensorElementType.Int32 => TensorData.Create(name, dims, Fill(count, () => random.Next(10))),
            TensorElementType.Int16 => TensorData.Create(name, dims, Fill(count, () => (short)random.Next(10))),
            TensorElementType.Int8 => TensorData.Create(name, dims, Fill(count, () => (sbyte)random.Next(10))),
            TensorElementType.UInt8 => TensorData.Create(name, dims, Fill(count, () => (byte)random.Next(10))),
            TensorElementType.UInt16 => TensorData.Create(name, dims, Fill(count, () => (ushort)random.Next(10))),
            TensorElementType.UInt32 => TensorData.Create(name, dims, Fill(count, () => (uint)random.Next(10))),
            TensorElementType.UInt64 => TensorData.Create(name, dims, Fill(count, () => (ulong)random.Next(10))),
            TensorElementType.Bool => TensorData.Create(name, dims, Fill(count, () => random.Next(2) == 1)),
            _ => throw new NotSupportedException($"Cannot make random values for input '{name}' of {type.DisplayName()}."),
        };
    }

    private static T[] Fill<T>(int count, Func<T> next)
    {
        var values = new T[count];
        for (var i = 0; i < count; i++)
            values[i] = next();
        return values;
    }
}
