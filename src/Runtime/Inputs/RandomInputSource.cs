using System.Runtime.InteropServices;
using OnnxBn.Folding;

namespace OnnxBn.Runtime.Inputs;

/// <summary>
/// Seeded random inputs shaped by the model's metadata (<see cref="InputShapes"/>): floating-point inputs uniform in
/// [0, 1) (the range of scaled image pixels), integer inputs uniform in [0, <see cref="IntegerRange"/>), booleans
/// fair coins. <see cref="Samples"/> samples are spread over runs of at most <see cref="BatchSize"/> along a symbolic
/// batch dimension, or of the model's fixed batch. The same seed gives the same tensors on every machine.
/// </summary>
public sealed class RandomInputSource : IInputSource
{
    /// <summary>Samples used when no input option is given: one run of this many samples.</summary>
    public const int DefaultSamples = 4;

    /// <summary>Integer inputs are drawn from [0, IntegerRange) so they stay valid as small indices.</summary>
    public const int IntegerRange = 10;

    private readonly IReadOnlyDictionary<string, long[]> _shapes;

    /// <summary>Creates a source of <paramref name="samples"/> samples from <paramref name="seed"/>.</summary>
    /// <param name="samples">Samples in total (at least 1).</param>
    /// <param name="seed">Seed of the generator.</param>
    /// <param name="shapes">Per-input shape overrides (<c>--shape</c>); the whole shape of one run.</param>
    /// <param name="batchSize">Most samples per run along a symbolic batch dimension.</param>
    public RandomInputSource(int samples = DefaultSamples, int seed = 0, IReadOnlyDictionary<string, long[]>? shapes = null,
        int batchSize = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Samples = samples;
        Seed = seed;
        BatchSize = batchSize;
        _shapes = shapes ?? new Dictionary<string, long[]>();
    }

    /// <summary>Samples in total.</summary>
    public int Samples { get; }

    /// <summary>The generator's seed.</summary>
    public int Seed { get; }

    /// <summary>Most samples per run along a symbolic batch dimension.</summary>
    public int BatchSize { get; }

    /// <inheritdoc />
    public string Description => $"random: {Samples} sample{(Samples == 1 ? "" : "s")} (seed {Seed}, uniform [0,1))";

    /// <inheritdoc />
    public IEnumerable<InputFeed> Feeds(IReadOnlyList<InputSignature> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        InputShapes.Validate(inputs, _shapes);
        return Generate(inputs);
    }

    private IEnumerable<InputFeed> Generate(IReadOnlyList<InputSignature> inputs)
    {
        var random = new SeededRandom(Seed);
        long done = 0;
        while (done < Samples)
        {
            var batch = InputShapes.NextBatch(inputs, _shapes, Samples - done, BatchSize);
            var tensors = inputs.Select(i => Create(i.Name, i.ElementType, InputShapes.Resolve(i, _shapes, batch), random)).ToArray();
            var last = Math.Min(done + batch, Samples) - 1;
            yield return new InputFeed($"random samples {done}-{last} (seed {Seed})", tensors) { Completed = (last + 1.0) / Samples };
            done += batch;
        }
    }

    /// <summary>A tensor of random values of <paramref name="type"/>, drawn as the class summary describes.</summary>
    /// <exception cref="InputMismatchException">The type is not numeric (strings, complex).</exception>
    public static TensorData Create(string name, OnnxDataType type, long[] shape, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var count = checked((int)shape.Aggregate(1L, (a, b) => a * b));
        var size = type.SizeInBytes();
        if (size == 0 || type is OnnxDataType.Complex64 or OnnxDataType.Complex128 || (int)type > (int)OnnxDataType.BFloat16)
            throw new InputMismatchException(
                $"Input '{name}' is {type.DisplayName()}: random values can only be made for numeric inputs; give its values from a file.",
                InputRemedy.TensorFile);
        var bytes = new byte[checked(count * size)];
        switch (type)
        {
            case OnnxDataType.Float: random.FillUniform(MemoryMarshal.Cast<byte, float>(bytes.AsSpan())); break;
            case OnnxDataType.Double: random.FillUniform(MemoryMarshal.Cast<byte, double>(bytes.AsSpan())); break;
            case OnnxDataType.Float16: Fill(MemoryMarshal.Cast<byte, Half>(bytes.AsSpan()), () => (Half)random.NextSingle()); break;
            case OnnxDataType.BFloat16:
                Fill(MemoryMarshal.Cast<byte, BFloat16Bits>(bytes.AsSpan()), () => BFloat16Bits.FromSingle(random.NextSingle()));
                break;
            case OnnxDataType.Int64: Fill(MemoryMarshal.Cast<byte, long>(bytes.AsSpan()), () => random.NextInt(IntegerRange)); break;
            case OnnxDataType.Int32: Fill(MemoryMarshal.Cast<byte, int>(bytes.AsSpan()), () => random.NextInt(IntegerRange)); break;
            case OnnxDataType.Int16: Fill(MemoryMarshal.Cast<byte, short>(bytes.AsSpan()), () => (short)random.NextInt(IntegerRange)); break;
            case OnnxDataType.UInt64: Fill(MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan()), () => (ulong)random.NextInt(IntegerRange)); break;
            case OnnxDataType.UInt32: Fill(MemoryMarshal.Cast<byte, uint>(bytes.AsSpan()), () => (uint)random.NextInt(IntegerRange)); break;
            case OnnxDataType.UInt16: Fill(MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan()), () => (ushort)random.NextInt(IntegerRange)); break;
            case OnnxDataType.Int8 or OnnxDataType.UInt8: Fill(bytes.AsSpan(), () => (byte)random.NextInt(IntegerRange)); break;
            default: Fill(bytes.AsSpan(), () => (byte)random.NextInt(2)); break; // bool
        }
        return new TensorData(name, type, shape, bytes, null, null);
    }

    private static void Fill<T>(Span<T> values, Func<T> next) where T : unmanaged
    {
        for (var i = 0; i < values.Length; i++)
            values[i] = next();
    }
}
