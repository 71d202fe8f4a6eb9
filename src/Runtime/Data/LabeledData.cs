namespace OnnxBn.Runtime.Data;

/// <summary>
/// Examples for training or evaluation: <see cref="Count"/> rows of <see cref="FeatureSize"/> float32 features
/// (row-major in <see cref="Features"/>) and one integer class label per row.
/// </summary>
public sealed class LabeledData
{
    /// <summary>Wraps the arrays (not copied).</summary>
    /// <exception cref="ArgumentException">The feature array is not <c>labels.Length × featureSize</c> long.</exception>
    public LabeledData(float[] features, int[] labels, int featureSize)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureSize);
        if ((long)labels.Length * featureSize != features.Length)
            throw new ArgumentException(
                $"{labels.Length} labels of {featureSize} features need {(long)labels.Length * featureSize} values, not {features.Length}.",
                nameof(features));
        Features = features;
        Labels = labels;
        FeatureSize = featureSize;
    }

    /// <summary>The features, row after row.</summary>
    public float[] Features { get; }

    /// <summary>The class label of each row.</summary>
    public int[] Labels { get; }

    /// <summary>Values per row.</summary>
    public int FeatureSize { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Labels.Length;

    /// <summary>Row <paramref name="index"/>'s features.</summary>
    public ReadOnlySpan<float> Row(int index) => Features.AsSpan(index * FeatureSize, FeatureSize);

    /// <summary>The rows at <paramref name="indices"/>, in that order, copied into new arrays.</summary>
    public LabeledData Select(ReadOnlySpan<int> indices)
    {
        var features = new float[indices.Length * FeatureSize];
        var labels = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            Row(indices[i]).CopyTo(features.AsSpan(i * FeatureSize, FeatureSize));
            labels[i] = Labels[indices[i]];
        }
        return new LabeledData(features, labels, FeatureSize);
    }

    /// <summary>The same labels with other features (for example the frozen base's outputs for these rows).</summary>
    public LabeledData WithFeatures(float[] features, int featureSize) => new(features, Labels, featureSize);

    /// <summary>The largest label plus one (0 when empty).</summary>
    public int ClassCount => Labels.Length == 0 ? 0 : Labels.Max() + 1;
}

/// <summary>A training set and a validation set (possibly empty) drawn from the same pool.</summary>
public sealed record TrainValidationSplit(LabeledData Train, LabeledData Validation)
{
    /// <summary>
    /// Shuffles <paramref name="pool"/> with <paramref name="seed"/>, holds out the first
    /// <c>round(validationFraction × count)</c> rows for validation, and trains on the next rows, at most
    /// <paramref name="trainLimit"/> of them. The validation set is taken before the limit, as in Hands-On ML where
    /// task B trains on 200 images but validates on the whole held-out set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1) or the limit is not positive.</exception>
    public static TrainValidationSplit Create(LabeledData pool, double validationFraction, int? trainLimit, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (validationFraction is < 0 or >= 1 || double.IsNaN(validationFraction))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1).");
        if (trainLimit is <= 0)
            throw new ArgumentOutOfRangeException(nameof(trainLimit), trainLimit, "The training limit must be positive.");
        var order = new SeededRandom(seed).Permutation(pool.Count);
        var validationCount = (int)Math.Round(validationFraction * pool.Count, MidpointRounding.AwayFromZero);
        var trainCount = Math.Min(pool.Count - validationCount, trainLimit ?? int.MaxValue);
        return new TrainValidationSplit(
            pool.Select(order.AsSpan(validationCount, trainCount)),
            pool.Select(order.AsSpan(0, validationCount)));
    }
}
