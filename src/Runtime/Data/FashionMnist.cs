namespace OnnxBn.Runtime.Data;

/// <summary>The two tasks Hands-On ML (chapter 11) carves out of Fashion-MNIST for transfer learning.</summary>
public enum FashionTask
{
    /// <summary>Eight classes: every image except sandals (5) and shirts (6); labels 7, 8, 9 become 5, 6, 7.</summary>
    A,
    /// <summary>Sandal (target 0) versus shirt (target 1).</summary>
    B,
}

/// <summary>The Fashion-MNIST training and test sets as raw bytes (images 28×28, labels 0–9).</summary>
public sealed record FashionMnist(IdxImages TrainImages, byte[] TrainLabels, IdxImages TestImages, byte[] TestLabels)
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// Loads <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and
    /// <c>t10k-labels-idx1-ubyte</c> from <paramref name="directory"/>, each with or without a <c>.gz</c> suffix.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the four files is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or images and labels disagree in count.</exception>
    public static FashionMnist Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST directory not found: {directory} (install Debian's dataset-fashion-mnist, or give another folder of IDX files).");
        var (trainImages, trainLabels) = LoadPair(directory, "train");
        var (testImages, testLabels) = LoadPair(directory, "t10k");
        return new FashionMnist(trainImages, trainLabels, testImages, testLabels);
    }

    /// <summary>The task's training pool (pixels / 255, targets per <see cref="FashionTask"/>).</summary>
    public LabeledData Train(FashionTask task) => Select(TrainImages, TrainLabels, task);

    /// <summary>The task's test set (B: the 2,000 sandal and shirt test images).</summary>
    public LabeledData Test(FashionTask task) => Select(TestImages, TestLabels, task);

    /// <summary>Number of classes of a task.</summary>
    public static int ClassCount(FashionTask task) => task == FashionTask.A ? 8 : 2;

    /// <summary>
    /// The images of <paramref name="task"/> as float32 pixels scaled to [0, 1], with the book's targets: task A keeps
    /// labels other than 5 and 6 and maps 7, 8, 9 to 5, 6, 7; task B keeps 5 and 6 with target 1 for shirts (6).
    /// </summary>
    public static LabeledData Select(IdxImages images, byte[] labels, FashionTask task)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Count != labels.Length)
            throw new InvalidDataException($"{images.Count} images but {labels.Length} labels.");
        var kept = new List<int>();
        for (var i = 0; i < labels.Length; i++)
            if (IsInTask(labels[i], task))
                kept.Add(i);
        var size = images.ImageSize;
        var features = new float[kept.Count * size];
        var targets = new int[kept.Count];
        for (var k = 0; k < kept.Count; k++)
        {
            var source = images.Pixels.AsSpan(kept[k] * size, size);
            var destination = features.AsSpan(k * size, size);
            for (var p = 0; p < size; p++)
                destination[p] = source[p] / 255f;
            targets[k] = Target(labels[kept[k]], task);
        }
        return new LabeledData(features, targets, size);
    }

    private static bool IsInTask(byte label, FashionTask task) =>
        task == FashionTask.B ? label is 5 or 6 : label is not (5 or 6);

    private static int Target(byte label, FashionTask task) =>
        task == FashionTask.B ? (label == 6 ? 1 : 0) : (label > 6 ? label - 2 : label);

    private static (IdxImages, byte[]) LoadPair(string directory, string prefix)
    {
        var images = IdxFile.ReadImages(Find(directory, $"{prefix}-images-idx3-ubyte"));
        var labels = IdxFile.ReadLabels(Find(directory, $"{prefix}-labels-idx1-ubyte"));
        if (images.Count != labels.Length)
            throw new InvalidDataException(
                $"{directory}: {prefix} has {images.Count} images but {labels.Length} labels.");
        return (images, labels);
    }

    private static string Find(string directory, string stem)
    {
        foreach (var candidate in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx", StringComparison.Ordinal) })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException($"{directory}: missing {stem}(.gz).", Path.Combine(directory, stem + ".gz"));
    }
}
