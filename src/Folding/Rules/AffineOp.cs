namespace OnnxBn.Folding.Rules;

/// <summary>
/// A per-channel affine map y = s·x + t found in a graph: a BatchNormalization in inference mode, or the constant
/// Mul/Add (Sub/Div) pair tf2onnx emits for Keras BatchNormalization. s and t are in float64.
/// </summary>
/// <param name="Nodes">The nodes that compute it, in order; a fold removes them all.</param>
/// <param name="Label">The name the report uses (the BatchNormalization's node name).</param>
/// <param name="Kind">"BatchNormalization" or the op sequence, e.g. "Mul+Add".</param>
/// <param name="Input">The value the map reads (x).</param>
/// <param name="Output">The value the map defines (y); it keeps its name through any fold.</param>
/// <param name="Scale">s, one entry per channel.</param>
/// <param name="Shift">t, one entry per channel.</param>
/// <param name="Axis">The channel axis of x.</param>
/// <param name="NonTrainableParameters">Statistics the op carries that are not trained (BN's mean and var).</param>
internal sealed record AffineOp(
    IReadOnlyList<Node> Nodes,
    string Label,
    string Kind,
    string Input,
    string Output,
    double[] Scale,
    double[] Shift,
    ChannelAxis Axis,
    long NonTrainableParameters)
{
    public int Channels => Scale.Length;

    /// <summary>
    /// Why the op might broadcast its input up instead of keeping its shape (a [C,1,1] constant on an x with 1
    /// channel, or one whose channel count cannot be proven), or null when y provably has x's shape. Rules that bypass
    /// the op or rewrite it from x alone (forward folds) must decline on it; backward rules prove the shape themselves
    /// by matching <see cref="Channels"/> against the producer's output channels. A BatchNormalization never
    /// broadcasts: its input must have the channels its parameters have.
    /// </summary>
    public string? BroadcastRisk { get; init; }

    public Node First => Nodes[0];

    public Node Last => Nodes[^1];
}
