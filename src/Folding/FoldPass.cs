using OnnxBn.Folding.Rules;

namespace OnnxBn.Folding;

/// <summary>
/// Removes every BatchNormalization (and BN-like Mul/Add affine op) that can be removed exactly. The driver runs
/// the rules to a fixpoint: each round recognizes affine ops in topological order, lets the first rule that
/// matches rewrite the graph and checks what that rewrite can have broken (indexes, dangling reads; in time
/// proportional to the edit, so a pass stays linear in the graph's size), then checks the whole graph, cycles
/// included, at the end of the round; rounds repeat until one changes nothing (at most <see cref="MaxRounds"/>). What
/// no rule takes is kept (or, on request, lowered to Mul+Add) with the reasons every rule gave.
/// <para>
/// The input graph was checked when it was loaded, so a broken invariant after a rule's edit is a bug in that rule,
/// not a defect of the model: it surfaces as an <see cref="InvalidOperationException"/> naming the rule.
/// </para>
/// </summary>
public static class FoldPass
{
    /// <summary>
    /// Rounds before the pass gives up. Every fold removes an affine op, and a round applies every fold it can, so
    /// real graphs settle in a few rounds (a chain of k BNs merges in about log2 k); more means rules undo each other.
    /// </summary>
    internal const int MaxRounds = 64;

    /// <summary>Folds <paramref name="model"/> in place and returns what happened to every BN.</summary>
    public static FoldReport Run(OnnxModel model, FoldOptions? options = null) =>
        RunWith(model, options, RuleCatalog.For(options ?? new FoldOptions()));

    /// <summary>The pass with the given rules (tests pass a deliberately broken one).</summary>
    internal static FoldReport RunWith(OnnxModel model, FoldOptions? options, IReadOnlyList<IFoldRule> rules)
    {
        options ??= new FoldOptions();
        var graph = model.Graph;
        RefuseDuplicateNames(graph);
        // Before IR 4 every initializer had to be a graph input, and ONNX Runtime treats them as constants there.
        long irBefore = model.IrVersion;
        bool legacyIr = irBefore is > 0 and < 4;
        var frozen = options.FreezeInitializerInputs || legacyIr ? graph.FreezeInitializerInputs() : [];
        if (frozen.Count > 0)
            model.RequireIrVersion(4);
        var before = ParameterCounter.Count(new FoldContext(model));
        int nodesBefore = graph.Nodes.Count;
        var fates = new FateBook();
        var readConstants = graph.Nodes.Where(n => n.Is("Constant") && IsRead(graph, n)).ToList();

        for (int round = 1; FoldRound(model, rules, fates, options); round++)
            if (round == MaxRounds)
                throw new InvalidOperationException($"the fold pass did not settle after {MaxRounds} rounds (rules keep rewriting the graph)");

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
        var applied = new List<string>();
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
                // What Apply throws is about the model (a weight it cannot write); a broken graph afterwards is ours.
                string target = match.Apply!();
                RuleBug.Guard(rule.Name, op.Label, () =>
                {
                    context.Graph.CheckEdits();
                    return "";
                });
                fates.Record(op, rule.Direction, target, match.Absorbed);
                applied.Add(rule.Name);
                folded = true;
                break;
            }
            if (!folded)
                fates.Keep(op, reasons.Count == 0 ? NoNeighbour(context.Graph, op) : string.Join("; ", reasons));
        }
        if (applied.Count == 0)
            return false;
        RuleBug.Guard(string.Join(", ", applied.Distinct()), "the end of a round", () =>
        {
            context.Graph.CheckInvariants();
            return "";
        });
        return true;
    }

    /// <summary>
    /// The report names every BN by its node name, so two BNs (or BN-like Mul/Add ops) of one name would share one
    /// line while both fold. ONNX only asks names to be unique for values, so this is checked here, with a clear error.
    /// </summary>
    private static void RefuseDuplicateNames(Graph graph)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
            if (node.Name.Length > 0 && ReportedOps.Contains(node.OpType) && !seen.Add(node.Name))
                throw new OnnxModelException(graph.File,
                    $"node name is used by {graph.NodesNamed(node.Name)} nodes; fold reports each BatchNormalization (and BN-like Mul/Add) by its name, so those names must be unique",
                    $"node '{node.Name}'");
    }

    private static readonly HashSet<string> ReportedOps = new(StringComparer.Ordinal) { "BatchNormalization", "Mul", "Add", "Sub", "Div" };

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
