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
    /// <summary>The <see cref="Scope"/> of a BN in the model's main graph.</summary>
    public const string MainScope = "main";

    /// <summary>
    /// The graph the BN lives in: "main", or the path to a sub-graph through the control-flow nodes holding it, such
    /// as "main/If 'cond'/then_branch" or "main/Loop 'steps'/body/If 'gate'/else_branch".
    /// </summary>
    public string Scope { get; init; } = MainScope;

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
        batchNorms = Fates.Select(f => new { node = f.Node, scope = f.Scope, kind = f.Kind, outcome = f.Outcome, detail = f.Detail, description = f.Description }),
    }, JsonOptions);

    /// <summary>
    /// A report read back from <see cref="ToJson"/>'s form, as <c>onnxbn fold --json</c> writes it (other top-level
    /// fields, such as a verification, are ignored; counts it lacks are 0).
    /// </summary>
    /// <exception cref="FormatException">Not JSON, or no <c>batchNorms</c> list whose entries have a node, kind, outcome and detail.</exception>
    public static FoldReport FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not JSON ({ex.Message})", ex);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("batchNorms", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new FormatException("not a fold report: no \"batchNorms\" list");
            return new FoldReport(list.EnumerateArray().Select(FateOf).ToList(), CountsOf(root, "parametersBefore"),
                CountsOf(root, "parametersAfter"), (int)NumberOf(root, "nodesBefore"), (int)NumberOf(root, "nodesAfter"))
            {
                FrozenInputs = root.TryGetProperty("frozenInputs", out var frozen) && frozen.ValueKind == JsonValueKind.Array
                    ? frozen.EnumerateArray().Select(f => f.GetString() ?? "").ToList() : [],
                FreezeReason = root.TryGetProperty("freezeReason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null,
            };
        }
    }

    private static BnFate FateOf(JsonElement entry, int index)
    {
        string Text(string name) =>
            entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new FormatException($"batchNorms[{index}] has no \"{name}\" string");
        string node = Text("node"), kind = Text("kind"), outcomeText = Text("outcome"), detail = Text("detail");
        if (!Enum.TryParse<BnOutcome>(outcomeText, ignoreCase: false, out var outcome) || !Enum.IsDefined(outcome) || char.IsDigit(outcomeText[0]))
            throw new FormatException($"batchNorms[{index}]: outcome \"{outcomeText}\" is not one of {string.Join(", ", Enum.GetNames<BnOutcome>())}");
        var scope = entry.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : BnFate.MainScope;
        return new BnFate(node, kind, outcome, detail) { Scope = scope };
    }

    private static ParameterCounts CountsOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var counts) && counts.ValueKind == JsonValueKind.Object
            ? new ParameterCounts(NumberOf(counts, "total"), NumberOf(counts, "trainable"), NumberOf(counts, "nonTrainable"))
            : new ParameterCounts(0, 0, 0);

    private static long NumberOf(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;
}
