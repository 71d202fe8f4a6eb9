using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>The two ways of setting validation data aside.</summary>
public static class ValidationSplit
{
    /// <summary>
    /// Keras' <c>validation_split</c>: of the examples given (the first <paramref name="limit"/> of
    /// <paramref name="pool"/>, in order), the last fraction is validation and the rest trains, split at
    /// ⌊n·(1 − fraction)⌋ as Keras does. 200 examples with 0.2 → 160 train / 40 validation. Nothing is shuffled.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1) or the limit is not positive.</exception>
    public static TrainValidationSplit Keras(LabeledData pool, double fraction, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (fraction is < 0 or >= 1 || double.IsNaN(fraction))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must be in [0, 1).");
        if (limit is <= 0)
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "The limit must be positive.");
        var given = Math.Min(pool.Count, limit ?? int.MaxValue);
        var splitAt = (int)Math.Floor(given * (1.0 - fraction));
        return new TrainValidationSplit(
            pool.Select(Enumerable.Range(0, splitAt).ToArray()),
            pool.Select(Enumerable.Range(splitAt, given - splitAt).ToArray()));
    }

    /// <summary>
    /// The hold-out split: shuffle the pool with <paramref name="seed"/>, keep round(fraction × pool) examples for
    /// validation, and train on at most <paramref name="limit"/> of the rest (Hands-On ML's task B: 200 training images,
    /// validated on a large held-out set).
    /// </summary>
    public static TrainValidationSplit Holdout(LabeledData pool, double fraction, int? limit, ulong seed) =>
        TrainValidationSplit.Create(pool, fraction, limit, seed);
}
