namespace OnnxBn.Folding.Rules;

/// <summary>
/// The nodes a per-channel map travels through on its way from an affine op's output to the op that absorbs it,
/// and where the channel axis ends up. Each node on the path reads the previous value as its first input and nothing
/// else, writes one output, and that output feeds exactly the next node (a branch would see the map moved away):
///   y ─ Transpose(perm) ─ Relu ─ AveragePool ─ … ─ End ─ Reader
/// A Transpose moves the channel axis a to the output axis a' with perm[a'] = a; pooling ops keep axes 0 and 1 and
/// need the channels on axis 1; every other op that passes keeps the axis where it is.
/// </summary>
/// <param name="Nodes">The nodes passed through, in order (empty when <see cref="Reader"/> reads the start value).</param>
/// <param name="End">The value <see cref="Reader"/> reads: the start value or the last passed node's output.</param>
/// <param name="Axis">The channel axis of <see cref="End"/>.</param>
/// <param name="Reader">The first node that does not pass: the op to fold into, or a Flatten/Reshape in front of it.</param>
internal sealed record ChannelPath(IReadOnlyList<Node> Nodes, string End, ChannelAxis Axis, Node Reader)
{
    /// <summary>
    /// Every node that reads <see cref="End"/>: <see cref="Reader"/> alone, or, for a path followed to a fork, each
    /// of its branches' first nodes.
    /// </summary>
    public IReadOnlyList<Node> Readers { get; init; } = [Reader];

    // Exporters put one to four such ops between a BN and the next linear op; a longer chain bounds the walk.
    private const int MaxLength = 32;

    /// <summary>
    /// Walks from <paramref name="first"/>, a reader of <paramref name="start"/> (whose channel axis is
    /// <paramref name="axis"/>), through every node <paramref name="passes"/> accepts; returns why the path cannot
    /// be followed, or null with <paramref name="path"/> set. On failure <paramref name="path"/> is the part walked,
    /// its <see cref="Reader"/> the node that stopped the walk. With <paramref name="toFork"/>, a passed node whose
    /// output feeds several nodes ends the path there, with those nodes as its <see cref="Readers"/> (a map that
    /// needs no shift moves into every branch alike); otherwise a branch stops the walk.
    /// </summary>
    public static string? Follow(FoldContext context, Node first, string start, ChannelAxis axis, Func<Node, bool> passes, out ChannelPath path,
        bool toFork = false)
    {
        var nodes = new List<Node>();
        string value = start;
        var node = first;
        int? rank = context.Shapes.RankOf(start);
        path = new ChannelPath(nodes, value, axis, node);
        while (passes(node))
        {
            path = new ChannelPath(nodes.ToList(), value, axis, node);
            if (nodes.Count == MaxLength)
                return $"more than {MaxLength} ops between the affine op and a linear op";
            if (node.Input(0) != value || node.Inputs.Skip(1).Contains(value) || node.PresentOutputCount != 1)
                return $"{node.DisplayName} reads '{value}' as more than its data input or writes more than one output";
            if (MovedAxis(node, axis, rank) is not { } moved)
                return AxisReason(node, axis, rank);
            string output = node.Output(0);
            var readers = context.Graph.Consumers(output);
            if (toFork && readers.Count > 1 && !context.Graph.IsGraphOutput(output))
            {
                nodes.Add(node);
                path = new ChannelPath(nodes, output, moved, readers[0]) { Readers = readers.ToList() };
                return null;
            }
            if (context.SoleConsumer(output) is not { } next)
                return context.Graph.IsGraphOutput(output)
                    ? $"{node.DisplayName} output is a graph output: the path to the linear op branches"
                    : $"{node.DisplayName} output feeds {context.Graph.Consumers(output).Count} nodes: the path to the linear op branches";
            nodes.Add(node);
            (value, axis, node) = (output, moved, next);
            rank = context.Shapes.RankOf(output) ?? rank;
        }
        path = new ChannelPath(nodes, value, axis, node);
        return null;
    }

    /// <summary>
    /// The channel axis of <paramref name="node"/>'s output, or null when the node mixes channels (pooling over a
    /// channel axis other than 1) or the axis cannot be told (a Transpose with the input's rank unknown).
    /// </summary>
    private static ChannelAxis? MovedAxis(Node node, ChannelAxis axis, int? rank)
    {
        if (axis.Uniform) return axis;
        if (node.Is("Transpose"))
        {
            if (axis.Absolute(rank) is not int a) return null;
            long[]? perm = node.GetInts("perm") ?? (rank is int r ? Enumerable.Range(0, r).Reverse().Select(i => (long)i).ToArray() : null);
            int moved = perm is null ? -1 : Array.IndexOf(perm, (long)a);
            return moved < 0 ? null : new ChannelAxis(moved, FromEnd: false);
        }
        if (node.Has(OpTrait.Pooling) || node.Has(OpTrait.GlobalPooling))
            return axis.Is(1, rank) ? new ChannelAxis(1, FromEnd: false) : null;
        return axis;
    }

    private static string AxisReason(Node node, ChannelAxis axis, int? rank) => node.Is("Transpose")
        ? $"{node.DisplayName} moves {axis} of a tensor of {(rank is int r ? $"rank {r}" : "unknown rank")}, and where it goes cannot be told"
        : $"{node.DisplayName} pools axes 2.. of [N, C, ...], but the channels are on {axis}";

    /// <summary>
    /// True for an op a whole per-channel affine map, shift included, passes through: one that only moves elements
    /// (<see cref="OpTrait.ElementMoving"/>). A Dropout with a training_mode input is not one.
    /// </summary>
    public static bool MovesElementsOnly(Node node) =>
        node.Has(OpTrait.ElementMoving) && !(node.Is("Dropout") && node.Input(2).Length > 0);
}
