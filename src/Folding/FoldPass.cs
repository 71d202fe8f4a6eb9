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
/// The sub-graphs of If, Loop and Scan nodes are folded the same way, each as a scope of its own (see
/// <see cref="Graph.Outer"/>): a rule edits only the graph that holds the BN, and the report gives every fate its
/// scope's path (<see cref="BnFate.Scope"/>).
/// </para>
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
        // Every scope is checked before anything is edited: a refused model is left as it was.
        foreach (var (_, scope) in graph.Scopes())
            RefuseDuplicateNames(scope);
        long irBefore = model.IrVersion;
        bool legacyIr = model.InitializerInputsAreConstants;
        var frozen = options.FreezeInitializerInputs || legacyIr ? graph.FreezeInitializerInputs() : [];
        if (frozen.Count > 0)
            model.RequireIrVersion(4);
        var before = ParameterCounter.Count(new FoldContext(model));
        int nodesBefore = NodeCount(graph);
        var fates = new List<BnFate>();

        FoldScope(new Scope(model, graph, BnFate.MainScope, null), rules, options, fates);

        var after = ParameterCounter.Count(new FoldContext(model));
        return new FoldReport(fates, before, after, nodesBefore, NodeCount(graph))
        {
            FrozenInputs = frozen,
            FreezeReason = frozen.Count == 0 ? null : options.FreezeInitializerInputs ? "asked for (freeze initializer inputs)"
                : $"IR version {irBefore} lists every initializer as an input, and ONNX Runtime treats them as constants",
        };
    }

    /// <summary>One graph to fold: the main graph, or a sub-graph with its path and the enclosing graph's shapes.</summary>
    private sealed record Scope(OnnxModel Model, Graph Graph, string Path, ShapeInference? OuterShapes);

    /// <summary>
    /// Folds one graph to a fixpoint, then the sub-graphs of its nodes (each a scope of its own: a rule edits only the
    /// graph that holds the BN), then cleans up. Sub-graphs come after their enclosing graph's rounds, so they see its
    /// final values and shapes; the clean-up comes last, so an outer weight that only a folded body read goes too.
    /// Returns whether anything changed: a sub-graph nothing changed is left as it was, byte for byte.
    /// </summary>
    private static bool FoldScope(Scope scope, IReadOnlyList<IFoldRule> rules, FoldOptions options, List<BnFate> fates)
    {
        var graph = scope.Graph;
        var book = new FateBook(scope.Path);
        var readConstants = graph.Nodes.Where(n => n.Is("Constant") && IsRead(graph, n)).ToList();

        bool changed = false;
        for (int round = 1; FoldRound(scope, rules, book, options); round++)
        {
            changed = true;
            if (round == MaxRounds)
                throw new InvalidOperationException($"the fold pass did not settle after {MaxRounds} rounds (rules keep rewriting the graph)");
        }
        if (options.LowerUnfolded)
            changed |= LowerKept(scope, book);
        fates.AddRange(book.InOrder());
        changed |= FoldSubgraphs(scope, rules, options, fates);

        // The main graph is always cleaned up (as before sub-graphs were folded); a sub-graph only when it was edited.
        if (!changed && scope.OuterShapes is not null)
            return false;
        // A Constant node that fed a folded BN (PyTorch's affine=False γ and β) is as dead as an unread
        // initializer; Constants the input already left unread are not the pass's business.
        foreach (var constant in readConstants.Where(n => !IsRead(graph, n)))
            graph.RemoveNode(constant);
        graph.RemoveDeadInitializers();
        graph.RemoveStaleValueInfo();
        graph.TopologicalSort();
        graph.CheckInvariants();
        return changed;
    }

    /// <summary>Folds the sub-graphs of every control-flow node of the scope; true when one of them changed.</summary>
    private static bool FoldSubgraphs(Scope scope, IReadOnlyList<IFoldRule> rules, FoldOptions options, List<BnFate> fates)
    {
        var holders = scope.Graph.TopologicalOrder().Where(n => n.HasSubgraphs).ToList();
        if (holders.Count == 0)
            return false;
        var shapes = new ShapeInference(scope.Graph, scope.OuterShapes);
        bool changed = false;
        foreach (var node in holders)
        {
            bool nodeChanged = false;
            foreach (var slot in Graph.SubgraphSlots(node).ToList())
            {
                var edit = new SubgraphEdit(scope.Graph, slot);
                var inner = new Scope(scope.Model, edit.Graph, Graph.ScopePath(scope.Path, node, edit.Attribute), shapes);
                if (!FoldScope(inner, rules, options, fates))
                    continue;
                edit.Commit();
                nodeChanged = true;
            }
            if (!nodeChanged)
                continue;
            // What the bodies read from outside may have shrunk (a folded BN's outer parameters).
            scope.Graph.RefreshImplicitInputs(node);
            changed = true;
        }
        return changed;
    }

    /// <summary>Nodes of <paramref name="graph"/> and of every graph nested in it.</summary>
    private static int NodeCount(Graph graph) => graph.Scopes().Sum(s => s.Graph.Nodes.Count);

    /// <summary>
    /// One round: visits the affine ops in the round's topological order and applies, to each, the first rule that
    /// matches; false when no rule matched any. Nodes a fold removed are skipped, and nodes a fold created wait for
    /// the next round, whose fresh context (ranks, order) sees them.
    /// </summary>
    private static bool FoldRound(Scope scope, IReadOnlyList<IFoldRule> rules, FateBook fates, FoldOptions options)
    {
        var context = new FoldContext(scope.Model, scope.Graph, options, scope.OuterShapes);
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
    /// The report names every BN by its node name (and scope), so two BNs (or BN-like Mul/Add ops) of one name in one
    /// graph would share one line while both fold. ONNX only asks names to be unique for values, so this is checked here, with a clear error.
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

    /// <summary>Lowers every BN of the scope no rule folded; true when it lowered one.</summary>
    private static bool LowerKept(Scope scope, FateBook fates)
    {
        var context = new FoldContext(scope.Model, scope.Graph, options: null, scope.OuterShapes);
        bool lowered = false;
        foreach (var node in context.Graph.TopologicalOrder().Where(n => n.Is("BatchNormalization")))
        {
            var (op, _) = BatchNormRecognizer.Recognize(context, node);
            if (op is null) continue;
            var lowering = BatchNormLowering.Match(context, op);
            if (!lowering.IsReady)
            {
                fates.NotLowered(op, lowering.DeclineReason!);
                continue;
            }
            fates.Lower(op, lowering.Apply!());
            lowered = true;
        }
        return lowered;
    }

    /// <summary>Why nothing could even be tried: the ops around the affine op are not linear ones.</summary>
    private static string NoNeighbour(Graph graph, AffineOp op)
    {
        string input = graph.Producer(op.Input) is { } producer ? producer.OpType
            : graph.IsDefinedHere(op.Input) ? "a graph input" : "the enclosing graph";
        var readers = graph.Consumers(op.Output).Select(c => c.OpType).Distinct().ToList();
        string output = graph.IsGraphOutput(op.Output) ? "is a graph output"
            : readers.Count == 0 ? "feeds nothing" : $"feeds {string.Join(", ", readers)}";
        return $"no linear op to fold into (input comes from {input}; output {output})";
    }

    private static bool IsRead(Graph graph, Node node) =>
        node.Outputs.Any(o => o.Length > 0 && (graph.Consumers(o).Count > 0 || graph.IsGraphOutput(o)));
}
