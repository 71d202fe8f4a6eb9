using System.Globalization;

namespace OnnxBn.Training;

/// <summary>The kinds of layer a head may have (the output layer is added from the number of classes).</summary>
public enum HeadLayerKind
{
    /// <summary>Keras' GlobalAveragePooling2D: [C, H, W] → [C].</summary>
    GlobalAveragePool,
    /// <summary>Keras' Flatten.</summary>
    Flatten,
    /// <summary>Keras' Dropout(rate).</summary>
    Dropout,
    /// <summary>Keras' Dense(units, activation, kernel_regularizer).</summary>
    Dense,
    /// <summary>Keras' BatchNormalization.</summary>
    BatchNorm,
}

/// <summary>One layer of a head as written: <c>dense(128, relu, l2=0.01)</c>, <c>dropout(0.7)</c>, <c>gap</c>, …</summary>
/// <param name="Kind">The layer.</param>
/// <param name="Units">Dense: output units.</param>
/// <param name="Activation">Dense: activation (identity by default).</param>
/// <param name="Rate">Dropout: fraction dropped.</param>
/// <param name="L2">Dense: l2 kernel regularizer factor.</param>
/// <param name="L1">Dense: l1 kernel regularizer factor.</param>
/// <param name="Momentum">BatchNorm: moving-average momentum (Keras' 0.99).</param>
/// <param name="Epsilon">BatchNorm: ε (Keras' 1e-3).</param>
public sealed record HeadLayer(HeadLayerKind Kind, int Units = 0, Activation Activation = default, float Rate = 0f,
    float L2 = 0f, float L1 = 0f, float Momentum = 0.99f, float Epsilon = 1e-3f)
{
    /// <summary>The spelling <see cref="HeadSpec.Parse"/> reads back.</summary>
    public override string ToString() => Kind switch
    {
        HeadLayerKind.GlobalAveragePool => "gap",
        HeadLayerKind.Flatten => "flatten",
        HeadLayerKind.Dropout => string.Create(CultureInfo.InvariantCulture, $"dropout({Rate:g})"),
        HeadLayerKind.BatchNorm => string.Create(CultureInfo.InvariantCulture, $"batchnorm(momentum={Momentum:g}, epsilon={Epsilon:g})"),
        _ => "dense(" + string.Join(", ", new[]
        {
            Units.ToString(CultureInfo.InvariantCulture),
            Activation.Kind == ActivationKind.Identity ? null : HeadSpec.ActivationName(Activation),
            L2 > 0 ? string.Create(CultureInfo.InvariantCulture, $"l2={L2:g}") : null,
            L1 > 0 ? string.Create(CultureInfo.InvariantCulture, $"l1={L1:g}") : null,
        }.Where(p => p is not null)) + ")",
    };
}

/// <summary>A head specification could not be read; the message says where and what is expected.</summary>
public sealed class HeadSpecException(string message) : FormatException(message);

/// <summary>
/// Reads a head written the way Keras code reads: <c>"gap, dropout(0.7), dense(128, relu, l2=0.01)"</c>. Layers are
/// separated by commas outside parentheses; names and keywords are case-insensitive. Layers: <c>gap</c>
/// (alias global_average_pooling), <c>flatten</c>, <c>dropout(rate)</c>, <c>dense(units[, activation][, l2=…][, l1=…])</c>
/// (also <c>activation=…</c>), <c>batchnorm[(momentum=…, epsilon=…)]</c> (alias batch_normalization). The output
/// layer is not written: it follows from the number of classes.
/// </summary>
public static class HeadSpec
{
    /// <summary>The layers of <paramref name="text"/>, first to last (empty text: no hidden layers).</summary>
    /// <exception cref="HeadSpecException">A layer or argument is unknown or malformed.</exception>
    public static IReadOnlyList<HeadLayer> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var layers = new List<HeadLayer>();
        foreach (var item in SplitTopLevel(text, text))
        {
            if (item.Length == 0)
                throw new HeadSpecException($"'{text}': empty layer (two commas in a row, or a trailing comma).");
            var open = item.IndexOf('(');
            var name = (open < 0 ? item : item[..open]).Trim().ToLowerInvariant();
            string[] args = [];
            if (open >= 0)
            {
                if (!item.EndsWith(')'))
                    throw new HeadSpecException($"'{item}': missing ')'.");
                args = SplitTopLevel(item[(open + 1)..^1], text).ToArray();
                if (args.Length == 1 && args[0].Length == 0)
                    args = [];
            }
            layers.Add(name switch
            {
                "gap" or "global_average_pooling" or "globalaveragepooling2d" or "global_average_pooling_2d" => NoArguments(HeadLayerKind.GlobalAveragePool, item, args),
                "flatten" => NoArguments(HeadLayerKind.Flatten, item, args),
                "dropout" => Dropout(item, args),
                "dense" => Dense(item, args),
                "batchnorm" or "batch_normalization" or "batchnormalization" or "bn" => BatchNorm(item, args),
                _ => throw new HeadSpecException($"'{item}': unknown layer '{name}' (gap, flatten, dropout(rate), dense(units, activation, l2=…, l1=…), batchnorm)."),
            });
        }
        return layers;
    }

    /// <summary>The shorthand <c>--hidden 100,50 --activation selu</c> as head layers.</summary>
    public static IReadOnlyList<HeadLayer> FromHidden(IReadOnlyList<int> hidden, Activation activation)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        return hidden.Select(units => new HeadLayer(HeadLayerKind.Dense, units, activation)).ToArray();
    }

    /// <summary>The name <see cref="Parse"/> reads for an activation.</summary>
    public static string ActivationName(Activation activation) => activation.Kind switch
    {
        ActivationKind.LeakyRelu => "leaky_relu",
        ActivationKind.Identity => "linear",
        var kind => kind.ToString().ToLowerInvariant(),
    };

    private static HeadLayer NoArguments(HeadLayerKind kind, string item, string[] args) =>
        args.Length == 0 ? new HeadLayer(kind) : throw new HeadSpecException($"'{item}': takes no arguments.");

    private static HeadLayer Dropout(string item, string[] args)
    {
        var value = args.Length == 1 ? Keyword(args[0], "rate") ?? args[0] : throw new HeadSpecException($"'{item}': write dropout(rate), e.g. dropout(0.5).");
        var rate = Number(item, value);
        return rate is >= 0 and < 1 ? new HeadLayer(HeadLayerKind.Dropout, Rate: (float)rate) : throw new HeadSpecException($"'{item}': the rate must be in [0, 1).");
    }

    private static HeadLayer Dense(string item, string[] args)
    {
        if (args.Length == 0)
            throw new HeadSpecException($"'{item}': write dense(units[, activation][, l2=…][, l1=…]), e.g. dense(128, relu, l2=0.01).");
        var unitsText = Keyword(args[0], "units") ?? args[0];
        if (!int.TryParse(unitsText, NumberStyles.None, CultureInfo.InvariantCulture, out var units) || units <= 0)
            throw new HeadSpecException($"'{item}': units must be a positive integer, not '{args[0]}'.");
        var layer = new HeadLayer(HeadLayerKind.Dense, units);
        foreach (var arg in args.Skip(1))
        {
            if (Keyword(arg, "l2") is { } l2)
                layer = layer with { L2 = NonNegative(item, l2, "l2") };
            else if (Keyword(arg, "l1") is { } l1)
                layer = layer with { L1 = NonNegative(item, l1, "l1") };
            else
                layer = layer with { Activation = ParseActivation(item, Keyword(arg, "activation") ?? arg) };
        }
        return layer;
    }

    private static HeadLayer BatchNorm(string item, string[] args)
    {
        var layer = new HeadLayer(HeadLayerKind.BatchNorm);
        foreach (var arg in args)
        {
            if (Keyword(arg, "momentum") is { } momentum)
                layer = layer with { Momentum = (float)Number(item, momentum) };
            else if (Keyword(arg, "epsilon") is { } epsilon)
                layer = layer with { Epsilon = (float)Number(item, epsilon) };
            else
                throw new HeadSpecException($"'{item}': batchnorm takes momentum=… and epsilon=…, not '{arg}'.");
        }
        if (layer.Momentum is < 0 or >= 1 || !(layer.Epsilon > 0))
            throw new HeadSpecException($"'{item}': momentum must be in [0, 1) and epsilon positive.");
        return layer;
    }

    private static Activation ParseActivation(string item, string name)
    {
        if (name.Trim().Equals("softmax", StringComparison.OrdinalIgnoreCase))
            throw new HeadSpecException($"'{item}': softmax belongs to the output layer, which is added from the number of classes.");
        try
        {
            return Activation.Parse(name.Trim());
        }
        catch (ArgumentException ex)
        {
            throw new HeadSpecException($"'{item}': {ex.Message}");
        }
    }

    /// <summary>The value of <c>key=value</c> when <paramref name="arg"/> has that key, else null.</summary>
    private static string? Keyword(string arg, string key)
    {
        var eq = arg.IndexOf('=');
        return eq > 0 && arg[..eq].Trim().Equals(key, StringComparison.OrdinalIgnoreCase) ? arg[(eq + 1)..].Trim() : null;
    }

    private static double Number(string item, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new HeadSpecException($"'{item}': '{text}' is not a number.");

    private static float NonNegative(string item, string text, string what) =>
        Number(item, text) is var v and >= 0 ? (float)v : throw new HeadSpecException($"'{item}': {what} must not be negative.");

    private static IEnumerable<string> SplitTopLevel(string text, string whole)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth < 0)
                        throw new HeadSpecException($"'{whole}': unbalanced ')'.");
                    break;
                case ',' when depth == 0:
                    yield return text[start..i].Trim();
                    start = i + 1;
                    break;
            }
        }
        if (depth != 0)
            throw new HeadSpecException($"'{whole}': unbalanced '('.");
        if (text.Trim().Length > 0 || start > 0)
            yield return text[start..].Trim();
    }
}
