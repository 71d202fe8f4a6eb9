namespace OnnxBn.Folding.Rules;

/// <summary>
/// The Transposes an affine op's input comes through, walked backward from the op toward the linear op that
/// produced them, and the one permutation they amount to:
///   z ─ Transpose(p1) ─ Transpose(p2) ─ … ─ Transpose(pk) ─ affine op
/// Output axis a of a Transpose holds input axis p[a], so axis a at the end holds axis p1[p2[…pk[a]]] of z: that is
/// <see cref="Perm"/>. tf2onnx writes such pairs (NHWC→NCHW→NHWC) before its transpose optimizer cancels them.
/// Every Transpose but the last must feed only the next one and not be a graph output: the map moves past all of them.
/// </summary>
/// <param name="Nodes">The Transposes in graph order (the first reads <see cref="Input"/>, the last feeds the op).</param>
/// <param name="Input">The value the first Transpose reads.</param>
/// <param name="Perm">The composed permutation: axis a of the op's input is axis Perm[a] of <see cref="Input"/>.</param>
/// <param name="StopReason">Why the walk stopped at a Transpose it could not pass (it branches), or null.</param>
internal sealed record TransposeChain(IReadOnlyList<Node> Nodes, string Input, long[] Perm, string? StopReason)
{
    // Converters write one or two Transposes in a row; a longer chain bounds the walk.
    private const int MaxLength = 32;

    /// <summary>
    /// The chain ending in <paramref name="last"/> (a Transpose whose output feeds only the affine op); returns why
    /// its permutation cannot be told, or null with <paramref name="chain"/> set.
    /// </summary>
    public static string? Walk(FoldContext context, Node last, out TransposeChain chain)
    {
        chain = null!;
        var nodes = new List<Node> { last };
        string? stop = null;
        while (nodes.Count < MaxLength && context.Graph.Producer(nodes[0].Input(0)) is { } before && before.Is("Transpose"))
        {
            string value = nodes[0].Input(0);
            if (before.Output(0) != value) break;
            if (context.SoleConsumer(value) is null)
            {
                stop = context.Graph.IsGraphOutput(value)
                    ? $"{before.DisplayName} output is also a graph output"
                    : $"{before.DisplayName} output has {context.Graph.Consumers(value).Count} consumers";
                break;
            }
            nodes.Insert(0, before);
        }

        int? rank = nodes.Select(n => context.Shapes.RankOf(n.Output(0))).FirstOrDefault(r => r is not null)
            ?? context.Shapes.RankOf(nodes[0].Input(0));
        long[]? perm = null;
        foreach (var node in Enumerable.Reverse(nodes))
        {
            long[]? p = node.GetInts("perm") ?? (rank is int r ? Enumerable.Range(0, r).Reverse().Select(i => (long)i).ToArray() : null);
            if (p is null)
                return $"{node.DisplayName} has no perm and its input's rank is unknown";
            if (!IsPermutation(p))
                return $"{node.DisplayName}'s perm {ShapeMath.Format(p)} is not a permutation";
            if (perm is not null && p.Length != perm.Length)
                return $"{node.DisplayName}'s perm {ShapeMath.Format(p)} has another rank than the Transposes after it";
            perm = perm is null ? p : [.. perm.Select(a => p[a])];
            rank ??= p.Length;
        }
        chain = new TransposeChain(nodes, nodes[0].Input(0), perm!, stop);
        return null;
    }

    /// <summary>How the report names the chain: its one Transpose, or its Transposes and what they compose to.</summary>
    public string Describe(ChannelAxis from, ChannelAxis to) => Nodes.Count == 1
        ? $"{to} of the Transpose input"
        : $"the Transposes {string.Join(" → ", Nodes.Select(n => n.DisplayName))} compose to perm {ShapeMath.Format(Perm)}, "
          + $"which takes the BN's {from} to {to} of their input";

    private static bool IsPermutation(long[] perm) =>
        perm.Order().Select((p, i) => p == i).All(same => same);
}
