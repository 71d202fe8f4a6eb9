namespace OnnxBn.Folding.Rules;

/// <summary>A forward rule's per-consumer half: plans the rewrite of one linear consumer without editing anything.</summary>
internal interface IForwardFolder
{
    /// <summary>The op type this folder rewrites ("Gemm", "MatMul", "Conv").</summary>
    string OpType { get; }

    /// <summary>
    /// Checks <paramref name="site"/> and computes its new weights; returns the reason it cannot be folded, or null
    /// with <paramref name="apply"/> set to the edits (which must not touch the affine op's nodes or output).
    /// </summary>
    string? Plan(FoldContext context, AffineOp op, ForwardSite site, out Action apply);
}

/// <summary>
/// What every forward rule does around its own folder: the affine output must not be a graph output, every one of
/// its readers must be foldable (a Gemm, MatMul or Conv, directly or through Transposes and other ops that only move
/// elements, then possibly a Flatten/Reshape; <see cref="ChannelPath"/>, <see cref="FlattenMapping"/>) or read
/// only its shape (Shape, Size), and the op must provably keep its input's shape (<see cref="AffineOp.BroadcastRisk"/>);
/// then each reader gets its own new weights and the affine op is bypassed. The rule whose op type the first reader
/// has leads; the others decline, so a BN is folded once into all its readers.
/// </summary>
internal static class ForwardFold
{
    private static readonly IForwardFolder[] Folders = [new GemmForwardRule(), new MatMulForwardRule(), new ConvForwardRule()];

    public static RuleMatch Match(FoldContext context, AffineOp op, IForwardFolder lead)
    {
        if (LinearGuards.ForwardConsumers(context, op, out var readers) is { } guard)
            return RuleMatch.Decline(guard);
        // Shape and Size read only the output's dims, which are the input's: after the bypass they read the input
        // and compute the same, so they neither block the fold nor get folded into (x.view(x.size(0), -1) reads
        // the BN output twice, once through a Shape).
        var consumers = readers.Where(c => !ReadsOnlyShape(c)).ToList();
        if (consumers.Count == 0)
            return RuleMatch.NotApplicable("output is read only for its shape");

        var sites = new List<(ForwardSite Site, AffineOp Op)>(consumers.Count);
        var failures = new List<(Node Node, string Reason)>();
        foreach (var consumer in consumers)
        {
            if (Resolve(context, op, consumer, out var site, out var moved) is { } reason)
                failures.Add((consumer, reason));
            else
                sites.Add((site, moved));
        }
        if (sites.Count == 0)
            return RuleMatch.Decline(Describe(consumers.Count, failures));
        if (!sites[0].Site.Linear.Is(lead.OpType))
            return RuleMatch.NotApplicable($"feeds {sites[0].Site.Linear.OpType} {sites[0].Site.Linear.DisplayName}, not {lead.OpType}");
        // After the bypass the readers see x itself: were y broadcast up from x, they would read fewer features.
        if (op.BroadcastRisk is { } risk)
            return RuleMatch.Decline(risk);

        var edits = new List<Action>(sites.Count);
        foreach (var (site, moved) in sites)
        {
            var folder = Folders.FirstOrDefault(f => site.Linear.Is(f.OpType));
            if (folder is null)
                failures.Add((site.Linear, $"{site.Linear.OpType} is not a linear op a BN can be folded into"));
            else if (folder.Plan(context, moved, site, out var apply) is { } reason)
                failures.Add((site.Linear, reason));
            else
                edits.Add(apply);
        }
        if (failures.Count > 0)
            return RuleMatch.Decline(Describe(consumers.Count, failures));

        return RuleMatch.Ready(() =>
        {
            foreach (var edit in edits) edit();
            context.BypassAffine(op);
            return string.Join(", ", sites.Select(s => s.Site.Linear.DisplayName));
        });
    }

    /// <summary>
    /// The site behind <paramref name="consumer"/>, through any ops that only move elements (Transpose, Identity,
    /// Dropout) and then a Flatten/Reshape, with the affine op as the linear op sees it: on the axis the path moved
    /// the channels to, read from the path's end. Or the reason there is none.
    /// </summary>
    internal static string? Resolve(FoldContext context, AffineOp op, Node consumer, out ForwardSite site, out AffineOp moved)
    {
        site = null!;
        moved = op;
        if (ChannelPath.Follow(context, consumer, op.Output, op.Axis, ChannelPath.MovesElementsOnly, out var path) is { } blocked)
            return blocked;
        if (path.Nodes.Count > 0)
            moved = op with { Input = path.End, Output = path.End, Axis = path.Axis };
        return FlattenMapping.Resolve(context, moved, path.Reader, out site);
    }

    private static bool ReadsOnlyShape(Node node) => node.Is("Shape") || node.Is("Size");

    private static string Describe(int consumerCount, List<(Node Node, string Reason)> failures) =>
        consumerCount == 1 ? failures[0].Reason
            : $"{failures.Count} of {consumerCount} consumers not foldable: "
              + string.Join("; ", failures.Select(f => $"{f.Node.DisplayName}: {f.Reason}"));
}
