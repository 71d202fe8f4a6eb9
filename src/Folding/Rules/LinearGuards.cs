namespace OnnxBn.Folding.Rules;

/// <summary>The guard clauses every backward and forward rule starts with, each returning the reason it fails.</summary>
internal static class LinearGuards
{
    /// <summary>
    /// The node of type <paramref name="opType"/> that produces the affine op's input, when its output feeds only the
    /// affine op and is not a graph output; otherwise the reason it cannot be folded into.
    /// </summary>
    public static RuleMatch? BackwardProducer(FoldContext context, AffineOp op, string opType, out Node producer)
    {
        producer = context.Graph.Producer(op.Input)!;
        if (producer is null)
            return RuleMatch.NotApplicable("input is not produced by a node");
        if (!producer.Is(opType))
            return RuleMatch.NotApplicable($"input comes from {producer.OpType}, not {opType}");
        if (producer.Output(0) != op.Input)
            return RuleMatch.NotApplicable($"input is not {opType}'s first output");
        if (context.Graph.IsGraphOutput(op.Input))
            return RuleMatch.Decline($"{opType} output is also a graph output");
        if (context.Graph.Consumers(op.Input).Count != 1)
            return RuleMatch.Decline($"{opType} output has {context.Graph.Consumers(op.Input).Count} consumers");
        return null;
    }

    /// <summary>
    /// The nodes that read the affine op's output, when it is not a graph output and every reader reads it as a
    /// plain input (not from inside a sub-graph).
    /// </summary>
    public static string? ForwardConsumers(FoldContext context, AffineOp op, out IReadOnlyList<Node> consumers)
    {
        consumers = context.Graph.Consumers(op.Output);
        if (context.Graph.IsGraphOutput(op.Output))
            return "output is a graph output";
        if (consumers.Count == 0)
            return "output has no consumers";
        if (consumers.Any(c => c.ImplicitInputs.Contains(op.Output)))
            return "output is read inside a sub-graph";
        return null;
    }
}
