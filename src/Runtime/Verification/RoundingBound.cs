using OnnxBn.Folding;

namespace OnnxBn.Runtime.Verification;

/// <summary>
/// How far apart a correct fold may leave the two models at the output of the node it rewrote, from the magnitudes
/// involved. For a folded linear node y = W'·x + b' (Conv, ConvTranspose, Gemm, MatMul, MatMul+Add) with n terms per
/// output, folded from a BN with scale s = γ/√(var + ε), mean μ and shift β, on inputs with max |x| = X that already
/// differ by Δx between the models:
/// <code>
/// bound = G·Δx + (2n + 8)·u·(G·X + Q)
///   G = max over output channels of Σ|W'| (the row's L1 norm: how much an input difference can grow)
///   Q = 2·max|b'| + 2·max(|s·μ| + |β|)         (backward fold: Linear → BN)
///   Q = 2·max|b'| + 2·G·max(|μ| + |β/s|)        (forward fold: BN → Linear)
///   u = unit roundoff of the element type (float32 2^-24, float16 2^-11, bfloat16 2^-8, float64 2^-53)
/// </code>
/// The first term carries the difference already present at the input; the second is Higham's worst-case bound
/// γ_n ≈ n·u for a dot product of n terms, once per model, plus a few roundings for the weight storage, the bias and
/// the BN's own subtract, multiply and add, with magnitudes written in the folded weights (|W|·|s| = |W'|). It is a
/// worst case, not an estimate: typical differences are √n times smaller. A difference beyond it is not rounding.
/// </summary>
public static class RoundingBound
{
    /// <summary>The unit roundoff (half an ulp of 1) of a floating-point element type; 2^-24 for anything else.</summary>
    public static double UnitRoundoff(OnnxDataType type) => type switch
    {
        OnnxDataType.Double => Math.ScaleB(1, -53),
        OnnxDataType.Float16 => Math.ScaleB(1, -11),
        OnnxDataType.BFloat16 => Math.ScaleB(1, -8),
        _ => Math.ScaleB(1, -24),
    };

    /// <summary>The magnitudes of a folded node: the bound on inputs with max |x| and the difference Δx there.</summary>
    /// <param name="DataInput">The candidate tensor the node reads its data from.</param>
    /// <param name="Gain">G: the largest L1 norm of a row of the folded weight.</param>
    /// <param name="Terms">n: the number of products summed per output element.</param>
    /// <param name="Offset">Q: the bias and BN magnitudes.</param>
    /// <param name="Roundoff">u of the tensor's element type.</param>
    public sealed record Magnitudes(string DataInput, double Gain, long Terms, double Offset, double Roundoff)
    {
        /// <summary>G·Δx + (2n + 8)·u·(G·X + Q).</summary>
        public double Bound(double inputMax, double inputDifference) =>
            Gain * inputDifference + (2.0 * Terms + 8) * Roundoff * (Gain * inputMax + Offset);
    }

    /// <summary>
    /// The magnitudes of <paramref name="node"/> of the <paramref name="candidate"/> graph, folded from the BNs
    /// <paramref name="folds"/> of the <paramref name="original"/>; null (with the reason) when the node is not a
    /// linear op with constant weights or a fold is not of a BatchNormalization or a Mul/Div(+Add/Sub) affine map with
    /// constant parameters.
    /// </summary>
    public static Magnitudes? Of(Graph original, Graph candidate, Node node, IReadOnlyList<BnFate> folds, OnnxDataType type, out string? reason)
    {
        var magnitudes = Predict(original, candidate, node, folds, type, out var missing);
        reason = missing?.Detail;
        return magnitudes;
    }

    /// <summary><see cref="Of"/>, with the reason in the form the layer report groups its notes by.</summary>
    internal static Magnitudes? Predict(Graph original, Graph candidate, Node node, IReadOnlyList<BnFate> folds, OnnxDataType type,
        out MissingBound? missing)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(folds);
        if (LinearView.Of(candidate, node) is not { } linear)
        {
            missing = new MissingBound("the folded node is not a linear op with constant weights",
                $"{node.OpType} {node.DisplayName} is not a linear op with constant weights");
            return null;
        }
        double offset = 2 * linear.BiasMax;
        foreach (var fate in folds)
        {
            if (FoldedChannels.Of(original, fate) is not { } channels)
            {
                missing = new MissingBound($"{fate.Kind} folds without constant parameters are not modelled",
                    $"{fate.Node} is a {fate.Kind}, not a BatchNormalization or Mul/Div(+Add/Sub) with constant parameters");
                return null;
            }
            offset += fate.Outcome == BnOutcome.FoldedForward
                ? 2 * linear.Gain * channels.Select(p => Math.Abs(p.Mean) + (p.Scale == 0 ? 0 : Math.Abs(p.Shift / p.Scale))).Max()
                : 2 * channels.Select(p => Math.Abs(p.Scale * p.Mean) + Math.Abs(p.Shift)).Max();
        }
        missing = null;
        return new Magnitudes(linear.DataInput, linear.Gain, linear.Terms, offset, UnitRoundoff(type));
    }
}
