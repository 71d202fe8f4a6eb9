using System.Globalization;
using OnnxBn.Folding.Numerics;

namespace OnnxBn.Folding.Rules;

/// <summary>
/// BN → Relu → [pool, Flatten…] → Conv | Gemm | MatMul   ⇒   Add(·, t/s) → Relu → [pool, Flatten…] → Conv' | Gemm' | MatMul'
///
/// A pre-activation BN (DenseNet, pre-activation ResNets) feeds an activation, not a linear op, so neither the
/// backward nor the forward fold applies. But for every channel with s &gt; 0
///   ReLU(s·x + t) = s·ReLU(x + t/s)               (f(s·z) = s·f(z) for s &gt; 0: positive homogeneity)
///   LeakyReLU(s·x + t) = s·LeakyReLU(x + t/s)     (any alpha)
///   PRelu(s·x + t, slope) = s·PRelu(x + t/s, slope)  (any slope: it is applied element by element)
///   MaxPool(s⊙z) = s⊙MaxPool(z), GlobalMaxPool likewise   (max commutes with a positive factor)
/// and for every s, per channel,
///   AveragePool(s⊙z) = s⊙AveragePool(z)   (also with count_include_pad and padding: pad(s⊙z) = s⊙pad(z) for zero
///   padding), GlobalAveragePool, Identity, Dropout, Transpose (the channel axis moves), and a final Flatten/Reshape
///   maps channel c to its block of input features (<see cref="FlattenMapping"/>).
/// So the BN becomes one Add(x, t/s) before the path, and the scale s travels along the path into the linear op's
/// input-channel (input-feature) axis, exactly as a shift-free forward fold: W'[o, c, k…] = W[o, c, k…]·s[c] for a
/// Conv (padded allowed, since the moved map has no shift), B'[k, n] = s[k]·B[k, n] for Gemm/MatMul. The ops on the
/// path come from <see cref="OpTraits"/> (<see cref="OpTrait.PositivelyHomogeneous"/>, <see cref="OpTrait.ChannelLinear"/>,
/// <see cref="OpTrait.ElementMoving"/>). When the BN's input comes from a Conv/ConvTranspose/Gemm/MatMul that only
/// feeds it, the Add folds backward into that op's bias at once (the backward rules decide and compute); otherwise it
/// stays, a cheaper op than the BN.
///
/// A channel with s = 0 (a pruned γ) is the constant t after the BN and f(t) after the path: the linear op's weights
/// for it become 0 and its bias absorbs W·f(t), as a forward fold absorbs a shift (so a padded Conv takes it only
/// when f(t) = 0).
///
/// Declined, with the reason: a channel with s &lt; 0 when the path has an activation or max-pool (the channels are
/// named), a channel with s = 0 whose constant does not stay constant along the path (zero padding averaged in), a
/// path that branches (an intermediate value has other readers or is a graph output) other than into linear ops, a
/// path that ends anywhere but a Conv, Gemm or MatMul, and weights the element type cannot hold
/// (<see cref="NarrowFloat"/>). Float64 throughout; written back in each tensor's own type.
/// </summary>
internal sealed class ScaleThroughActivationRule : IFoldRule
{
    private static readonly IForwardFolder[] Folders = [new ConvForwardRule(), new GemmForwardRule(), new MatMulForwardRule()];

    private static readonly IFoldRule[] ShiftFolds =
        [new ConvBackwardRule(), new ConvTransposeBackwardRule(), new GemmBackwardRule(), new MatMulBackwardRule()];

    /// <summary>How many blocking channels a reason names before it says "and N more".</summary>
    private const int NamedChannels = 4;

    public string Name => "BN→Relu→Linear";

    public RuleDirection Direction => RuleDirection.Forward;

    public RuleMatch Match(FoldContext context, AffineOp op)
    {
        var readers = context.Graph.Consumers(op.Output);
        if (!readers.Any(CarriesScale))
            return RuleMatch.NotApplicable("feeds no activation or pooling op a scale passes through");
        if (context.SoleConsumer(op.Output) is not { } first)
            return RuleMatch.Decline("output is a graph output or feeds several nodes: the scale cannot move past a branch");
        if (LinearGuards.ForwardConsumers(context, op, out _) is { } guard)
            return RuleMatch.Decline(guard);
        if (op.BroadcastRisk is { } risk)
            return RuleMatch.Decline(risk);
        if (ChannelPath.Follow(context, first, op.Output, op.Axis, CarriesScale, out var path, toFork: true) is { } blocked)
            return context.Graph.IsGraphOutput(path.Reader.Output(0)) && context.Graph.Consumers(path.Reader.Output(0)).Count == 0
                ? RuleMatch.NotApplicable($"the path through {path.Reader.DisplayName} ends at a graph output, not at a linear op")
                : RuleMatch.Decline(blocked);
        if (BlockingChannels(op, path) is { } sign)
            return RuleMatch.Decline(sign);
        if (ConstantChannels(context, op, path, out var constants) is { } unconstant)
            return RuleMatch.Decline(unconstant);

        // The scale alone, as each linear op at the end of the path sees it; a channel of scale 0 is a constant there.
        var scale = op with { Nodes = [], Input = path.End, Output = path.End, Axis = path.Axis, Shift = constants };
        var sites = new List<ForwardSite>();
        var applies = new List<Action>();
        foreach (var reader in path.Readers)
        {
            if (FlattenMapping.Resolve(context, scale, reader, out var site) is { } unmapped)
                return RuleMatch.Decline(Branch(path, reader, unmapped));
            if (Folders.FirstOrDefault(f => site.Linear.Is(f.OpType)) is not { } folder)
                return path.Readers.Count > 1
                    ? RuleMatch.Decline(Branch(path, reader, $"{site.Linear.OpType} {site.Linear.DisplayName} is not a Conv, Gemm or MatMul"))
                    : RuleMatch.NotApplicable($"the path through {Names(path)} ends at {site.Linear.OpType} {site.Linear.DisplayName}, not a Conv, Gemm or MatMul");
            if (folder.Plan(context, scale, site, out var applyScale) is { } unfoldable)
                return RuleMatch.Decline(Branch(path, reader, $"{site.Linear.DisplayName}: {unfoldable}"));
            sites.Add(site);
            applies.Add(applyScale);
        }

        // A channel of scale 0 is gone from the linear op's input, so what the Add puts there does not matter.
        double[] shift = op.Shift.Select((t, c) => op.Scale[c] == 0 ? 0 : t / op.Scale[c]).ToArray();
        var residual = Residual(context, op, shift, out string? residualReason);
        if (residualReason is not null)
            return RuleMatch.Decline(residualReason);

        return RuleMatch.Ready(() =>
        {
            applies.ForEach(apply => apply());
            string where = residual.Apply();
            var via = sites.Where(s => s.Via is not null).Select(s => s.Via!.DisplayName).ToList();
            string through = via.Count == 0 ? Names(path) : $"{Names(path)} → {string.Join(", ", via)}";
            return $"{string.Join(", ", sites.Select(s => s.Linear.DisplayName))} (scale through {through}; {where})";
        });
    }

    /// <summary>The reason as it stands, or, where the path forks, naming the branch it is about.</summary>
    private static string Branch(ChannelPath path, Node reader, string reason) =>
        path.Readers.Count > 1 ? $"{path.Nodes[^1].DisplayName} output feeds {path.Readers.Count} nodes; the branch to {reader.DisplayName}: {reason}" : reason;

    /// <summary>True for an op a positive per-channel scale passes through unchanged.</summary>
    private static bool CarriesScale(Node node) =>
        node.Has(OpTrait.PositivelyHomogeneous) || node.Has(OpTrait.ChannelLinear) || ChannelPath.MovesElementsOnly(node);

    /// <summary>
    /// Why some channel's scale cannot travel the path, naming the channels, or null: s &lt; 0 through an op that
    /// only commutes with positive factors.
    /// </summary>
    private static string? BlockingChannels(AffineOp op, ChannelPath path)
    {
        if (path.Nodes.FirstOrDefault(n => n.Has(OpTrait.PositivelyHomogeneous) && !n.Has(OpTrait.ChannelLinear)) is not { } homogeneous)
            return null;
        var negative = Channels(op, s => s < 0);
        return negative.Count == 0 ? null
            : $"{Describe(op, negative)}: the scale cannot pass through {homogeneous.OpType} {homogeneous.DisplayName} ({homogeneous.OpType}(s·x) = s·{homogeneous.OpType}(x) needs s > 0)";
    }

    /// <summary>
    /// A channel with s = 0 (a pruned γ) holds the constant t after the BN, so f(t) after the path, whatever x: it
    /// becomes a shift the linear op absorbs (its weights for the channel scaled by 0, its bias gaining W·f(t), exact
    /// where the op does not pad or f(t) = 0). <paramref name="constants"/> holds those values (0 elsewhere); the
    /// reason names the channel and the op when a constant does not stay one along the path.
    /// </summary>
    private static string? ConstantChannels(FoldContext context, AffineOp op, ChannelPath path, out double[] constants)
    {
        constants = new double[op.Channels];
        foreach (int c in Channels(op, s => s == 0))
        {
            double value = op.Shift[c];
            foreach (var node in path.Nodes)
            {
                if (ConstantThrough(context, node, value, c) is not { } next)
                    return $"{Describe(op, [c])}: its constant output {Format(value)} does not stay constant through {node.OpType} {node.DisplayName}";
                value = next;
            }
            constants[c] = value;
        }
        return null;
    }

    /// <summary>What <paramref name="node"/> makes of a channel that is <paramref name="value"/> everywhere, or null when it is no constant after it.</summary>
    private static double? ConstantThrough(FoldContext context, Node node, double value, int channel) => node.OpType switch
    {
        _ when ChannelPath.MovesElementsOnly(node) => value,
        "Relu" => Math.Max(value, 0),
        "LeakyRelu" => value >= 0 ? value : node.GetFloat("alpha", 0.01f) * value,
        "PRelu" => value >= 0 ? value : SlopeOf(context, node, channel) is { } slope ? slope * value : null,
        // Max pooling ignores its padding, and the mean of a constant is itself unless zero padding is averaged in.
        "MaxPool" or "GlobalMaxPool" or "GlobalAveragePool" => value,
        "AveragePool" => node.GetInt("count_include_pad", 0) == 0 || !Pads(node) ? value : null,
        _ => null,
    };

    private static bool Pads(Node node) =>
        (node.GetInts("pads") ?? []).Any(p => p != 0) || node.GetString("auto_pad", "NOTSET") is "SAME_UPPER" or "SAME_LOWER";

    /// <summary>PRelu's slope for <paramref name="channel"/>: a constant of one value, or one that varies along axis 1 of the input only ([C,1,1] on [N,C,H,W]).</summary>
    private static double? SlopeOf(FoldContext context, Node prelu, int channel)
    {
        if (!context.TryConstant(prelu.Input(1), out var slope))
            return null;
        var values = slope.ToDoubleArray();
        if (values.Length == 1)
            return values[0];
        if (context.Shapes.RankOf(prelu.Input(0)) is not int rank || slope.Rank > rank)
            return null;
        var varying = Enumerable.Range(0, slope.Rank).Where(i => slope.Dims[i] != 1).ToList();
        return varying.Count == 1 && rank - slope.Rank + varying[0] == 1 && channel < values.Length ? values[channel] : null;
    }

    private static List<int> Channels(AffineOp op, Func<double, bool> blocks) =>
        Enumerable.Range(0, op.Channels).Where(c => blocks(op.Scale[c])).ToList();

    /// <summary>"channel 3 has scale -0.2", "channels 3, 7 have scales -0.2, -0.1", "… and 5 more".</summary>
    private static string Describe(AffineOp op, List<int> channels)
    {
        var named = channels.Take(NamedChannels).ToList();
        string Join(Func<int, string> f) => string.Join(", ", named.Select(f));
        string more = channels.Count > named.Count ? $" and {channels.Count - named.Count} more" : "";
        return channels.Count == 1
            ? $"channel {channels[0]} has scale {Format(op.Scale[channels[0]])}"
            : $"channels {Join(c => c.ToString(CultureInfo.InvariantCulture))}{more} have scales {Join(c => Format(op.Scale[c]))}{(more.Length > 0 ? ", …" : "")}";
    }

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private static string Names(ChannelPath path) => string.Join(" → ", path.Nodes.Select(n => n.DisplayName));

    /// <summary>What becomes of the shift t/s: folded backward into the op that produces x, or an Add in the BN's place.</summary>
    private static ResidualShift Residual(FoldContext context, AffineOp op, double[] shift, out string? reason)
    {
        reason = null;
        if (shift.All(v => v == 0))
            return new ResidualShift(() =>
            {
                context.BypassAffine(op);
                return "no shift";
            });
        var moved = op with { Nodes = [], Output = context.Graph.UniqueName($"{op.Input}_shifted"), Scale = Enumerable.Repeat(1.0, shift.Length).ToArray(), Shift = shift };
        // Asked for forward folds only, the shift stays where the BN was.
        foreach (var rule in context.Options.Directions == FoldDirections.ForwardOnly ? [] : ShiftFolds)
        {
            var match = rule.Match(context, moved);
            if (match.IsReady)
                return new ResidualShift(() =>
                {
                    string target = match.Apply!();
                    Bypass(context, op, moved.Output);
                    return $"shift t/s folded backward into {target}";
                });
        }
        return ShiftAdd(context, op, shift, out reason);
    }

    /// <summary>Add(x, t/s) writing the BN's output name, its constant shaped to broadcast on the channel axis.</summary>
    private static ResidualShift ShiftAdd(FoldContext context, AffineOp op, double[] shift, out string? reason)
    {
        reason = null;
        int? rank = context.Shapes.RankOf(op.Input);
        int? axis = op.Axis.Uniform ? rank - 1 : op.Axis.Absolute(rank);
        var type = AffineChainMergeRule.DataType(context, op) ?? LinearOutputType(context, op.Input);
        if (rank is not int r || axis is not int a || a < 0 || a >= r)
            reason = "the rank of the input is unknown, so the shift t/s cannot be shaped to its channel axis";
        else if (type is not { } elementType || !elementType.IsFoldableFloat())
            reason = "the element type of the input is unknown or not a float type";
        else if (NarrowFloat.WriteDamage(elementType, shift, null, "the shift t/s") is { } damage)
            reason = damage;
        if (reason is not null)
            return default;

        bool legacy = LegacyBroadcast.Applies(context);
        long[] dims = shift.Length == 1 ? [1] : legacy ? [shift.Length] : [shift.Length, .. Enumerable.Repeat(1L, rank!.Value - axis!.Value - 1)];
        return new ResidualShift(() =>
        {
            var graph = context.Graph;
            string stem = op.First.Name.Length > 0 ? op.First.Name : op.Output;
            string constant = context.AddWeight($"{stem}_shift_over_scale", TensorData.FromDoubles("", type!.Value, dims, shift));
            var anchor = graph.Producer(op.Input);
            context.RemoveAffineNodes(op);
            var add = graph.AddNode("Add", [op.Input, constant], [op.Output], graph.UniqueName($"{stem}_shift"), after: anchor);
            LegacyBroadcast.Mark(context, add, shift.Length == 1 ? null : axis);
            return $"shift t/s kept as Add {add.DisplayName}";
        });
    }

    /// <summary>The type of a Conv/ConvTranspose/Gemm/MatMul output: its constant weight's, which ONNX ties to it.</summary>
    private static OnnxDataType? LinearOutputType(FoldContext context, string value) =>
        context.Graph.Producer(value) is { } producer && (producer.Is("Conv") || producer.Is("ConvTranspose") || producer.Is("Gemm") || producer.Is("MatMul"))
            && context.TryConstant(producer.Input(1), out var weight) && weight.ElementType.IsFoldableFloat()
            ? weight.ElementType : null;

    /// <summary>Removes the affine op; its readers read <paramref name="value"/> instead.</summary>
    private static void Bypass(FoldContext context, AffineOp op, string value)
    {
        var graph = context.Graph;
        var readers = graph.Consumers(op.Output).ToList();
        context.RemoveAffineNodes(op);
        foreach (var reader in readers)
            for (int i = 0; i < reader.Inputs.Count; i++)
                if (reader.Inputs[i] == op.Output)
                    graph.SetNodeInput(reader, i, value);
        graph.RemoveValueInfo(op.Output);
    }

    /// <summary>The edit that disposes of the shift; returns how, for the report.</summary>
    private readonly record struct ResidualShift(Func<string> Apply);
}
