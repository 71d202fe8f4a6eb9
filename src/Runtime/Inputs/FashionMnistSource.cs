using OnnxBn.Folding;

namespace OnnxBn.Runtime.Inputs;

/// <summary>Which half of Fashion-MNIST to read.</summary>
public enum FashionMnistSplit
{
    /// <summary>The 10,000 test images (<c>t10k-images-idx3-ubyte</c>).</summary>
    Test,
    /// <summary>The 60,000 training images (<c>train-images-idx3-ubyte</c>).</summary>
    Train,
}

/// <summary>
/// Real images from Fashion-MNIST (Debian's <c>dataset-fashion-mnist</c> in <see cref="DefaultDirectory"/>, or any
/// folder of IDX files, gzip-compressed or not), pixels multiplied by <see cref="Scale"/> (default 1/255, the [0, 1]
/// range the models in models/ were trained on). The model must have one floating-point input whose non-batch
/// dimensions hold 28×28 pixels: <c>[N,1,28,28]</c>, <c>[N,28,28]</c> or <c>[N,784]</c>.
/// </summary>
public sealed class FashionMnistSource : IInputSource
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs the IDX files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Creates a source.</summary>
    /// <param name="directory">Folder holding the IDX files (null = <see cref="DefaultDirectory"/>).</param>
    /// <param name="split">Test (default) or train images.</param>
    /// <param name="scale">Factor applied to each 0–255 pixel.</param>
    /// <param name="limit">Use only the first this many images (null = all).</param>
    /// <param name="batchSize">Images per run when the model's batch dimension is symbolic.</param>
    public FashionMnistSource(string? directory = null, FashionMnistSplit split = FashionMnistSplit.Test,
        double scale = 1.0 / 255, int? limit = null, int batchSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (limit is < 1)
            throw new ArgumentOutOfRangeException(nameof(limit), "The limit must be at least 1.");
        Directory = directory ?? DefaultDirectory;
        Split = split;
        Scale = scale;
        Limit = limit;
        BatchSize = batchSize;
    }

    /// <summary>The folder holding the IDX files.</summary>
    public string Directory { get; }

    /// <summary>Test or train images.</summary>
    public FashionMnistSplit Split { get; }

    /// <summary>Factor applied to each 0–255 pixel.</summary>
    public double Scale { get; }

    /// <summary>Only the first this many images, or null for all.</summary>
    public int? Limit { get; }

    /// <summary>Images per run along a symbolic batch dimension.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// Parses <c>fashion-mnist</c>, <c>fashion-mnist:test</c>, <c>fashion-mnist:train</c>, <c>DIR</c> or
    /// <c>DIR:train</c> (a folder of IDX files).
    /// </summary>
    public static FashionMnistSource Parse(string spec, double scale = 1.0 / 255, int? limit = null, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var split = FashionMnistSplit.Test;
        var location = spec;
        var colon = spec.LastIndexOf(':');
        if (colon >= 0)
        {
            var suffix = spec[(colon + 1)..].ToLowerInvariant();
            split = suffix switch
            {
                "test" or "t10k" => FashionMnistSplit.Test,
                "train" => FashionMnistSplit.Train,
                _ => throw new FormatException($"'{spec}': the split after ':' must be test or train."),
            };
            location = spec[..colon];
        }
        var directory = location.Equals("fashion-mnist", StringComparison.OrdinalIgnoreCase) ? null : location;
        return new FashionMnistSource(directory, split, scale, limit, batchSize);
    }

    /// <inheritdoc />
    public string Description =>
        $"fashion-mnist:{Split.ToString().ToLowerInvariant()} ({Directory}{(Limit is { } l ? $", first {l} images" : "")}, pixels x {Scale:G6})";

    /// <summary>The path of the split's image file (with or without .gz).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">Neither form of the file exists.</exception>
    public string ImageFile()
    {
        if (!System.IO.Directory.Exists(Directory))
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST folder not found: {Directory} (install Debian's dataset-fashion-mnist, or give another folder of IDX files).");
        var stem = Path.Combine(Directory, Split == FashionMnistSplit.Test ? "t10k-images-idx3-ubyte" : "train-images-idx3-ubyte");
        foreach (var candidate in new[] { stem, stem + ".gz" })
        {
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"Fashion-MNIST images not found: {stem}[.gz]", stem);
    }

    /// <inheritdoc />
    public IEnumerable<InputFeed> Feeds(IReadOnlyList<InputSignature> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != 1)
            throw new InputMismatchException(
                $"Fashion-MNIST feeds one image input, but the model has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}).");
        var input = inputs[0];
        if (!input.ElementType.IsFoldableFloat())
            throw new InputMismatchException($"Fashion-MNIST images need a floating-point input; '{input.Name}' is {input.ElementType.DisplayName()}.");
        var images = Data.IdxFile.ReadImages(ImageFile());
        var (pixels, count, rows, columns) = (images.Pixels, images.Count, images.Rows, images.Columns);
        var sampleShape = SampleShape(input, rows, columns);
        return Batches(input, pixels, Math.Min(count, Limit ?? count), rows * columns, sampleShape);
    }

    private IEnumerable<InputFeed> Batches(InputSignature input, byte[] pixels, int count, int imageSize, long[] sampleShape)
    {
        var fixedBatch = input.Rank > 0 ? input.Dims[0] : null;
        var split = Split.ToString().ToLowerInvariant();
        for (var start = 0; start < count;)
        {
            var batch = (int)(fixedBatch ?? Math.Min(BatchSize, count - start));
            if (start + batch > count)
                yield break; // a fixed batch larger than what is left: the model cannot take a partial batch
            long[] shape = [batch, .. sampleShape];
            var tensor = Scaled(input, shape, pixels.AsSpan(start * imageSize, batch * imageSize));
            yield return new InputFeed($"fashion-mnist:{split} images {start}-{start + batch - 1}", [tensor])
            {
                Completed = (start + batch) / (double)count,
            };
            start += batch;
        }
    }

    private TensorData Scaled(InputSignature input, long[] shape, ReadOnlySpan<byte> pixels)
    {
        if (input.ElementType != OnnxDataType.Float)
        {
            var values = new double[pixels.Length];
            for (var i = 0; i < values.Length; i++)
                values[i] = pixels[i] * Scale;
            return TensorData.FromDoubles(input.Name, input.ElementType, shape, values);
        }
        // The common case, written straight into the tensor's bytes: the same float32 pixel * scale products as above.
        var bytes = new byte[pixels.Length * sizeof(float)];
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        for (var i = 0; i < floats.Length; i++)
            floats[i] = (float)(pixels[i] * Scale);
        return new TensorData(input.Name, OnnxDataType.Float, shape, bytes, null, null);
    }

    private static long[] SampleShape(InputSignature input, int rows, int columns)
    {
        long[] fill = input.Rank switch
        {
            4 => [1, rows, columns],
            3 => [rows, columns],
            2 => [(long)rows * columns],
            _ => throw new InputMismatchException(
                $"Input '{input.Name}' {input.ShapeText} cannot hold {rows}x{columns} images: expected [N,1,{rows},{columns}], [N,{rows},{columns}] or [N,{rows * columns}]."),
        };
        var shape = new long[input.Rank - 1];
        for (var d = 1; d < input.Rank; d++)
            shape[d - 1] = input.Dims[d] ?? fill[d - 1];
        if (shape.Aggregate(1L, (a, b) => a * b) != (long)rows * columns)
            throw new InputMismatchException(
                $"Input '{input.Name}' {input.ShapeText} cannot hold {rows}x{columns} images (per-sample shape [{string.Join(",", shape)}]).");
        return shape;
    }
}
