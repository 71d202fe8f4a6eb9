namespace OnnxBn.Runtime.Verification;

/// <summary>Where a running comparison is, reported after each run of both models, for a progress display.</summary>
/// <param name="Runs">Runs of both models done so far.</param>
/// <param name="Fraction">0..1 of the input data compared so far; null when the input source cannot tell its size.</param>
/// <param name="Feed">The label of the inputs just compared, such as <c>random samples 0-31 (seed 0)</c>.</param>
/// <param name="Stage">Which pass over the inputs: <see cref="OutputsStage"/>, then with layer comparison
/// <see cref="LayersStage"/> (the inputs once more, every shared intermediate exposed), whose fraction starts again at 0.</param>
public sealed record VerificationProgress(int Runs, double? Fraction, string Feed, string Stage = VerificationProgress.OutputsStage)
{
    /// <summary>The pass that compares the models' outputs.</summary>
    public const string OutputsStage = "outputs";

    /// <summary>The layer pass of <c>--layers</c> (and of the float64 reference).</summary>
    public const string LayersStage = "layers";
}
