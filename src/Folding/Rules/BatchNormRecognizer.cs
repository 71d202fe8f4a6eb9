namespace OnnxBn.Folding.Rules;

/// <summary>
/// Reads a BatchNormalization node as y = s·x + t with s = γ/√(var+ε), t = β − mean·s (float64), or says why it
/// cannot: training mode (read per opset: is_test in 1–6, extra outputs in 7–13, training_mode from 14),
/// per-element statistics (spatial=0 on inputs of rank above 2), non-constant parameters, inconsistent lengths.
/// </summary>
internal static class BatchNormRecognizer
{
    private const double DefaultEpsilon = 1e-5;

    public static (AffineOp? Op, string? KeptReason) Recognize(FoldContext context, Node bn)
    {
        if (TrainingModeReason(context.Opset, bn) is { } training)
            return (null, training);
        if (bn.GetInt("spatial", 1) == 0 && PerElementReason(context, bn) is { } perElement)
            return (null, perElement);
        if (bn.Inputs.Count < 5)
            return (null, $"has {bn.Inputs.Count} inputs, expected 5");

        string[] roles = ["scale", "B", "mean", "var"];
        var parameters = new TensorData[4];
        for (int i = 0; i < 4; i++)
            if (!context.TryConstant(bn.Input(i + 1), out parameters[i]))
                return (null, context.NotConstant($"{roles[i]} '{bn.Input(i + 1)}'", bn.Input(i + 1)));
        if (!parameters.All(p => p.ElementType.IsFoldableFloat()))
            return (null, "parameters are not of a float type");

        long channels = parameters[0].ElementCount;
        for (int i = 1; i < 4; i++)
            if (parameters[i].ElementCount != channels)
                return (null, $"{roles[i]} has {parameters[i].ElementCount} values but scale has {channels}");
        if (parameters.Any(p => p.Rank > 1))
            return (null, "parameters are not 1-D");

        double epsilon = bn.HasAttribute("epsilon") ? bn.GetFloat("epsilon", 0) : DefaultEpsilon;
        double[] gamma = parameters[0].ToDoubleArray(), beta = parameters[1].ToDoubleArray();
        double[] mean = parameters[2].ToDoubleArray(), variance = parameters[3].ToDoubleArray();
        var s = new double[channels];
        var t = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double denominator = variance[c] + epsilon;
            if (!(denominator > 0))
                return (null, $"var + epsilon is not positive at channel {c}");
            s[c] = gamma[c] / Math.Sqrt(denominator);
            t[c] = beta[c] - mean[c] * s[c];
        }
        if (s.Any(v => !double.IsFinite(v)) || t.Any(v => !double.IsFinite(v)))
            return (null, "statistics give a non-finite scale or shift");

        var op = new AffineOp([bn], bn.DisplayName, "BatchNormalization", bn.Input(0), bn.Output(0), s, t,
            ChannelAxis.BatchNormChannel, NonTrainableParameters: 2 * channels);
        return (op, null);
    }

    /// <summary>
    /// Why a spatial=0 BN (opsets 7–8: statistics per element of [C, D1, …, Dn] instead of per channel) cannot be
    /// read as a per-channel op, or null when it can: on an [N, C] input there are no D dims, and per element is per
    /// channel.
    /// </summary>
    private static string? PerElementReason(FoldContext context, Node bn) => context.Shapes.RankOf(bn.Input(0)) switch
    {
        2 => null,
        int rank => $"spatial=0 (per-element statistics) on a rank-{rank} input is not folded",
        null => "spatial=0 (per-element statistics) and the input's rank is unknown",
    };

    /// <summary>
    /// Why the node runs in training mode under its opset (or, in opsets 1–6, still declares statistics outputs that
    /// a fold would orphan), or null when it can be read as y = s·x + t alone.
    /// </summary>
    public static string? TrainingModeReason(long opset, Node bn)
    {
        if (opset is > 0 and <= 6)
        {
            if (bn.GetInt("is_test", 0) != 1)
                return $"training mode (is_test is not 1 in opset {opset})";
            // is_test=1 with statistics outputs still declared: removing the node would leave them without a producer.
            return bn.PresentOutputCount > 1 ? $"{bn.PresentOutputCount} outputs: its statistics outputs would lose their producer" : null;
        }
        if (opset >= 14 && bn.GetInt("training_mode", 0) != 0)
            return "training mode (training_mode=1)";
        if (bn.PresentOutputCount > 1)
            return $"training mode ({bn.PresentOutputCount} outputs: running statistics are updated)";
        return null;
    }
}
