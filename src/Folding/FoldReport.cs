using System.Text.Json;
using System.Text.Json.Serialization;

namespace OnnxBn.Folding;

/// <summary>What happened to one BatchNormalization (or BN-like affine op).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BnOutcome>))]
public enum BnOutcome
{
    /// <summary>Folded into the linear op that produces the BN's input (its weights and bias were rescaled).</summary>
    FoldedBackward,
    /// <summary>Folded into the linear op(s) that consume the BN's output (their weights and bias absorb it).</summary>
    FoldedForward,
    /// <summary>Not foldable, but rewritten as one Mul and one Add (<see cref="FoldOptions.LowerUnfolded"/>).</summary>
    Lowered,
    /// <summary>Left in the graph unchanged; <see cref="BnFate.Detail"/> says why.</summary>
    Kept,
}

/// <summary>The fate of one BatchNormalization: folded where, lowered, or kept and why.</summary>
/// <param name="Node">The BN's node name (or its output name when unnamed).</param>
/// <param name="Kind">"BatchNormalization", or the op sequence of a BN-like affine pattern such as "Mul+Add".</param>
/// <param name="Outcome">What the pass did.</param>
/// <param name="Detail">The target node(s) of a fold, or the reason a BN was kept.</param>
public sealed record BnFate(string Node, string Kind, BnOutcome Outcome, string Detail)
{
    /// <summary>The report line: "folded backward into Conv_3", "kept: padded Conv ...".</summary>
    public string Description => Outcome switch
    {
        BnOutcome.FoldedBackward => $"folded backward into {Detail}",
        BnOutcome.FoldedForward => $"folded forward into {Detail}",
        BnOutcome.Lowered => $"lowered to Mul+Add{(Detail.Length > 0 ? $" ({Detail})" : "")}",
        _ => $"kept: {Detail}",
    };
}

/// <summary>Parameter totals as Keras' summary() counts them: BN's moving mean and variance are non-trainable.</summary>
public sealed record ParameterCounts(long Total, long Trainable, long NonTrainable);

/// <summary>The outcome of a fold pass: every BN's fate and the model's size before and after.</summary>
public sealed record FoldReport(
    IReadOnlyList<BnFate> Fates,
    ParameterCounts Before,
    ParameterCounts After,
    int NodesBefore,
    int NodesAfter)
{
    /// <summary>BNs folded into a neighbouring linear op, in either direction.</summary>
    public int Folded => Fates.Count(f => f.Outcome is BnOutcome.FoldedBackward or BnOutcome.FoldedForward);

    /// <summary>BNs rewritten as Mul+Add because no fold applied.</summary>
    public int Lowered => Fates.Count(f => f.Outcome == BnOutcome.Lowered);

    /// <summary>BNs left unchanged; each one's reason is in its <see cref="BnFate.Detail"/>.</summary>
    public int Kept => Fates.Count(f => f.Outcome == BnOutcome.Kept);

    /// <summary>Graph inputs turned into constants first (<see cref="FoldOptions.FreezeInitializerInputs"/>).</summary>
    public IReadOnlyList<string> FrozenInputs { get; init; } = [];

    /// <summary>
    /// Why <see cref="FrozenInputs"/> were frozen: asked for, or by default for a model of IR version below 4 (whose
    /// initializers are all inputs and which ONNX Runtime runs with them as constants); null when none were.
    /// </summary>
    public string? FreezeReason { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>The report as JSON (camelCase), with each fate's human description included.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        folded = Folded,
        lowered = Lowered,
        kept = Kept,
        nodesBefore = NodesBefore,
        nodesAfter = NodesAfter,
        parametersBefore = Before,
        parametersAfter = After,
        frozenInputs = FrozenInputs,
        freezeReason = FreezeReason,
        batchNorms = Fates.Select(f => new { node = f.Node, kind = f.Kind, outcome = f.Outcome, detail = f.Detail, description = f.Description }),
    }, JsonOptions);
}
