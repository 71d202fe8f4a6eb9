using Microsoft.ML.OnnxRuntime;
using OnnxBn.Folding;
using OnnxBn.Runtime.Sessions;

namespace OnnxBn.Serving.Models;

/// <summary>
/// What clients depend on: the names, element types and shapes of a model's inputs and outputs. A reload must keep
/// it unchanged, so no client breaks when the model behind the endpoint is replaced.
/// </summary>
public sealed class ModelSignature
{
    /// <summary>The signature of <paramref name="session"/>.</summary>
    public ModelSignature(InferenceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        Inputs = session.InputNames.Select(n => Port(n, session.InputMetadata[n])).ToArray();
        Outputs = session.OutputNames.Select(n => Port(n, session.OutputMetadata[n])).ToArray();
    }

    /// <summary>The model's inputs, in its order.</summary>
    public IReadOnlyList<SessionPort> Inputs { get; }

    /// <summary>The model's outputs, in its order.</summary>
    public IReadOnlyList<SessionPort> Outputs { get; }

    /// <summary>The input named <paramref name="name"/> (ordinal), or null.</summary>
    public SessionPort? FindInput(string name) => Inputs.FirstOrDefault(i => i.Name == name);

    /// <summary>Why <paramref name="candidate"/> cannot replace a model with this signature, or null when it can.</summary>
    public string? Difference(ModelSignature candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return Difference("input", Inputs, candidate.Inputs) ?? Difference("output", Outputs, candidate.Outputs);
    }

    /// <summary><c>input float32 [N,1,28,28] → output float32 [N,10]</c>.</summary>
    public override string ToString() =>
        string.Join(", ", Inputs.Select(Describe)) + " → " + string.Join(", ", Outputs.Select(Describe));

    private static SessionPort Port(string name, NodeMetadata metadata) =>
        metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR
            ? new SessionPort(name, metadata.OnnxValueType, (OnnxDataType)(int)metadata.ElementDataType,
                metadata.Dimensions.Select(d => (long)d).ToArray(), metadata.SymbolicDimensions.Select(s => s ?? "").ToArray())
            : new SessionPort(name, metadata.OnnxValueType, OnnxDataType.Undefined, [], []);

    private static string Describe(SessionPort port) => $"{port.Name} {port.ElementType.DisplayName()} {port.ShapeText}";

    private static string? Difference(string kind, IReadOnlyList<SessionPort> live, IReadOnlyList<SessionPort> candidate)
    {
        if (live.Count != candidate.Count)
            return $"the live model has {live.Count} {kind}(s), the candidate {candidate.Count}";
        for (var i = 0; i < live.Count; i++)
        {
            SessionPort a = live[i], b = candidate[i];
            if (a.Name != b.Name)
                return $"{kind} {i} is '{a.Name}' in the live model, '{b.Name}' in the candidate";
            if (a.Kind != b.Kind || a.ElementType != b.ElementType || !a.Shape.SequenceEqual(b.Shape))
                return $"{kind} '{a.Name}' is {a.ElementType.DisplayName()} {a.ShapeText} in the live model, " +
                       $"{b.ElementType.DisplayName()} {b.ShapeText} in the candidate";
        }
        return null;
    }
}
