using OnnxBn.Folding.Rules;

namespace OnnxBn.Folding;

/// <summary>
/// Removes every BatchNormalization (and BN-like Mul/Add affine op) that can be removed exactly. The driver runs
/// the rules to a fixpoint: each round recognizes affine ops in topological order, lets the first rule that
/// matches rewrite the graph and checks what that rewrite can have broken (indexes, dangling reads; in time
/// proportional to the edit, so a pass stays linear in the graph's size), then checks the whole graph, cycles
/// included, at the end of the round; rounds repeat until one changes nothing. What no rule takes is kept (or, on
/// request, lowered to Mul+Add) with the reasons every rule gave.
/// </summary>
public static class FoldPass
{
    /// <summary>Folds <paramref name="model"/> in place and returns what happened to every BN.</summary>
    public static FoldReport Run(OnnxModel model, FoldOptions? options = null)
    {
        options ??= new FoldOptions();
        var graph = model.Graph;
        // Before IR 4 every initializer had to be a graph input, and ONNX Runtime treats them as constants there.
        long irBefore = model.IrVersion;
        bool legacyIr = irBefore is > 0 and < 4;
        var frozen = options.FreezeInitializerInputs || legacyIr ? graph.FreezeInitializerInputs() : [];
        if (frozen.Count > 0)
            model.RequireIrVersion(4);
        var before = ParameterCounter.Count(new FoldContext(model));
        int nodesBefore = graph.Nodes.Count;
        var rules = RuleCatalog.For(options.Directions);
        var fates = new FateBook();
        var readConstants = graph.Nodes.Where(n => n.Is("Constant") && IsRead(graph, n)).ToList();

        while (FoldRound(model, rules, fates, options)) { }

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
        return new FoldReport(fates.InOrder(), before, after, nodesBefore, graph.Nodes.Count)
        {
            FrozenInputs = frozen,
            FreezeReason = frozen.Count == 0 ? null : options.FreezeInitializerInputs ? "asked for (freeze initializer inputs)"
                : $"IR version {irBefore} lists every initializer as an input, and ONNX Runtime treats them as constants",
        };
    }

    /// <summary>
    /// One round: visits the affine ops in the round's topological order and applies, to each, the first rule that
    /// matches; false when no rule matched any. Nodes a fold removed are skipped, and nodes a fold created wait for
    /// the next round, whose fresh context (ranks, order) sees them.
    /// </summary>
    private static bool FoldRound(OnnxModel model, IReadOnlyList<IFoldRule> rules, FateBook fates, FoldOptions options)
    {
        var context = new FoldContext(model, options);
        bool changed = false;
        foreach (var node in context.Graph.TopologicalOrder())
        {
            if (!context.Graph.Contains(node)) continue;
            var op = Recognize(context, node, fates);
            if (op is null) continue;
            var reasons = new List<string>();
            bool folded = false;
            foreach (var rule in rules)
            {
                var match = rule.Match(context, op);
                if (!match.IsReady)
                {
                    if (!match.PatternAbsent)
                        reasons.Add($"{rule.Name}: {match.DeclineReason}");
                    continue;
                }
                string target = match.Apply!();
                context.Graph.CheckEdits();
                fates.Record(op, rule.Direction, target, match.Absorbed);
                folded = changed = true;
                break;
            }
            if (!folded)
                fates.Keep(op, reasons.Count == 0 ? NoNeighbour(context.Graph, op) : string.Join("; ", reasons));
        }
        if (changed)
            context.Graph.CheckInvariants();
        return changed;
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

    /// <summary>Why nothing could even be tried: the ops around the affine op are not linear ones.</summary>
    private static string NoNeighbour(Graph graph, AffineOp op)
    {
        string input = graph.Producer(op.Input) is { } producer ? producer.OpType : "a graph input";
        var readers = graph.Consumers(op.Output).Select(c => c.OpType).Distinct().ToList();
        string output = graph.IsGraphOutput(op.Output) ? "is a graph output"
            : readers.Count == 0 ? "feeds nothing" : $"feeds {string.Join(", ", readers)}";
        return $"no linear op to fold into (input comes from {input}; output {output})";
    }

    private static bool IsRead(Graph graph, Node node) =>
        node.Outputs.Any(o => o.Length > 0 && (graph.Consumers(o).Count > 0 || graph.IsGraphOutput(o)));
}
