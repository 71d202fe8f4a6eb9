using OnnxBn.Folding.Rules;

namespace OnnxBn.Folding;

/// <summary>
/// Removes every BatchNormalization (and BN-like Mul/Add affine op) that can be removed exactly. The driver runs
/// the rules to a fixpoint: each round recognizes affine ops in topological order, lets the first rule that
/// matches rewrite the graph, checks the graph's invariants, and starts over. What no rule takes is kept (or, on
/// request, lowered to Mul+Add) with the reasons every rule gave.
/// </summary>
public static class FoldPass
{
    /// <summary>Folds <paramref name="model"/> in place and returns what happened to every BN.</summary>
    public static FoldReport Run(OnnxModel model, FoldOptions? options = null)
    {
        options ??= new FoldOptions();
        var graph = model.Graph;
        var before = ParameterCounter.Count(new FoldContext(model));
        int nodesBefore = graph.Nodes.Count;
        var rules = RuleCatalog.For(options.Directions);
        var fates = new FateBook();
        var readConstants = graph.Nodes.Where(n => n.Is("Constant") && IsRead(graph, n)).ToList();

        while (TryFoldOne(model, rules, fates)) { }

        if (options.LowerUnfolded)
            LowerKept(model, fates);

        // A Constant node that fed a folded BN (PyTorch's affine=False γ and β) is as dead as an unread
        // initializer; Constants the input already left unread are not the pass's business.
        foreach (var constant in readConstants.Where(n => !IsRead(graph, n)))
            graph.RemoveNode(constant);
        graph.RemoveDeadInitializers();
        graph.RemoveStaleValueInfo();
        graph.TopologicalSort();
        graph.CheckInvariants();
        var after = ParameterCounter.Count(new FoldContext(model));
        return new FoldReport(fates.InOrder(), before, after, nodesBefore, graph.Nodes.Count);
    }

    /// <summary>One round: applies the first rule that matches any affine op; false when none does.</summary>
    private static bool TryFoldOne(OnnxModel model, IReadOnlyList<IFoldRule> rules, FateBook fates)
    {
        var context = new FoldContext(model);
        foreach (var node in context.Graph.TopologicalOrder())
        {
            var op = Recognize(context, node, fates);
            if (op is null) continue;
            var reasons = new List<string>();
            foreach (var rule in rules)
            {
                var match = rule.Match(context, op);
                if (!match.IsReady)
                {
                    reasons.Add($"{rule.Name}: {match.DeclineReason}");
                    continue;
                }
                string target = match.Apply!();
                context.Graph.CheckInvariants();
                fates.Record(op, rule.Direction, target, match.Absorbed);
                return true;
            }
            fates.Keep(op, reasons.Count == 0 ? "no rule applies" : string.Join("; ", reasons));
        }
        return false;
    }

    private static AffineOp? Recognize(FoldContext context, Node node, FateBook fates)
    {
        if (node.Is("BatchNormalization"))
        {
            var (op, kept) = BatchNormRecognizer.Recognize(context, node);
            if (kept is not null) fates.Keep(node.DisplayName, "BatchNormalization", kept);
            return op;
        }
        return ChannelAffineRecognizer.Recognize(context, node);
    }

    private static void LowerKept(OnnxModel model, FateBook fates)
    {
        var context = new FoldContext(model);
        foreach (var node in context.Graph.TopologicalOrder().Where(n => n.Is("BatchNormalization")))
        {
            var (op, _) = BatchNormRecognizer.Recognize(context, node);
            if (op is null) continue;
            var lowering = BatchNormLowering.Match(context, op);
            if (lowering.IsReady)
                fates.Lower(op, lowering.Apply!());
            else
                fates.NotLowered(op, lowering.DeclineReason!);
        }
    }

    private static bool IsRead(Graph graph, Node node) =>
        node.Outputs.Any(o => o.Length > 0 && (graph.Consumers(o).Count > 0 || graph.IsGraphOutput(o)));
}
