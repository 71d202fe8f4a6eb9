namespace OnnxBn.Folding;

/// <summary>What the fold rules, shape inference and graph surgery need to know about an op type.</summary>
[Flags]
public enum OpTrait
{
    /// <summary>Nothing known: the op gets no special treatment, and rules that need a trait decline it.</summary>
    None = 0,

    /// <summary>Output 0 has exactly input 0's shape (element-wise unary ops, activations, normalizations, Softmax, Cast...).</summary>
    SameShape = 1 << 0,

    /// <summary>Output 0 is the multidirectional (numpy) broadcast of all inputs' shapes (Add, Mul, Where, Equal...).</summary>
    Broadcasting = 1 << 1,

    /// <summary>A window over the spatial axes 2.. of [N, C, d...]: axes 0 and 1 are kept, each sample and channel alone.</summary>
    Pooling = 1 << 2,

    /// <summary>Reduces every spatial axis of [N, C, d...] to 1: output [N, C, 1, ...].</summary>
    GlobalPooling = 1 << 3,

    /// <summary>An element-wise non-linearity a dense layer is followed by (what transfer learning can re-implement).</summary>
    Activation = 1 << 4,

    /// <summary>f(s·x) = s·f(x) for every s &gt; 0, element by element (ReLU, LeakyReLU, PRelu; MaxPool per window).</summary>
    PositivelyHomogeneous = 1 << 5,

    /// <summary>Linear in its input and per channel: a per-channel scale passes through it unchanged (AveragePool, GlobalAveragePool, Identity).</summary>
    ChannelLinear = 1 << 6,

    /// <summary>
    /// Only moves elements (Identity, inference Dropout, Transpose): a whole per-channel affine map, shift included,
    /// passes through it, on the axis the op moves the channel axis to.
    /// </summary>
    ElementMoving = 1 << 7,

    /// <summary>Keeps every element in row-major order and only changes the shape (Flatten, Reshape, Squeeze, Unsqueeze).</summary>
    Reshaping = 1 << 8,

    /// <summary>Turns a classifier's logits into class scores (Softmax, LogSoftmax, Sigmoid, Hardmax): what follows its output layer.</summary>
    ClassScores = 1 << 9,
}

/// <summary>
/// The one table of op traits that every rule, the shape inference and the CLI consult, so that adding an op means
/// adding one row here. Only ops of the default ONNX domain have traits: a custom-domain op of the same name may do
/// anything.
/// </summary>
public static class OpTraits
{
    private const OpTrait Same = OpTrait.SameShape;
    private const OpTrait Act = OpTrait.SameShape | OpTrait.Activation;

    private static readonly Dictionary<string, OpTrait> Table = new(StringComparer.Ordinal)
    {
        // Activations (element-wise, same shape).
        ["Relu"] = Act | OpTrait.PositivelyHomogeneous,
        ["LeakyRelu"] = Act | OpTrait.PositivelyHomogeneous,
        ["PRelu"] = Act | OpTrait.PositivelyHomogeneous,
        ["Elu"] = Act, ["Selu"] = Act, ["Celu"] = Act, ["Sigmoid"] = Act | OpTrait.ClassScores, ["HardSigmoid"] = Act, ["HardSwish"] = Act,
        ["Tanh"] = Act, ["Softplus"] = Act, ["Softsign"] = Act, ["Gelu"] = Act, ["Mish"] = Act, ["ThresholdedRelu"] = Act,
        ["Clip"] = Act,
        // Other element-wise and same-shape ops.
        ["Identity"] = Same | OpTrait.ChannelLinear | OpTrait.ElementMoving,
        ["Dropout"] = Same | OpTrait.ChannelLinear | OpTrait.ElementMoving,
        ["Transpose"] = OpTrait.ElementMoving,
        ["Cast"] = Same, ["Neg"] = Same, ["Abs"] = Same, ["Exp"] = Same, ["Log"] = Same, ["Sqrt"] = Same,
        ["Reciprocal"] = Same, ["Erf"] = Same, ["Floor"] = Same, ["Ceil"] = Same, ["Round"] = Same, ["Sign"] = Same,
        ["Sin"] = Same, ["Cos"] = Same, ["Not"] = Same, ["IsNaN"] = Same, ["IsInf"] = Same,
        ["Softmax"] = Same | OpTrait.ClassScores, ["LogSoftmax"] = Same | OpTrait.ClassScores,
        ["Hardmax"] = Same | OpTrait.ClassScores, ["LRN"] = Same,
        ["BatchNormalization"] = Same, ["InstanceNormalization"] = Same, ["LayerNormalization"] = Same,
        ["MeanVarianceNormalization"] = Same, ["CumSum"] = Same,
        // Reshapes.
        ["Flatten"] = OpTrait.Reshaping, ["Reshape"] = OpTrait.Reshaping, ["Squeeze"] = OpTrait.Reshaping,
        ["Unsqueeze"] = OpTrait.Reshaping,
        // Broadcasting element-wise ops.
        ["Add"] = OpTrait.Broadcasting, ["Sub"] = OpTrait.Broadcasting, ["Mul"] = OpTrait.Broadcasting,
        ["Div"] = OpTrait.Broadcasting, ["Pow"] = OpTrait.Broadcasting, ["Max"] = OpTrait.Broadcasting,
        ["Min"] = OpTrait.Broadcasting, ["Sum"] = OpTrait.Broadcasting, ["Mean"] = OpTrait.Broadcasting,
        ["Where"] = OpTrait.Broadcasting, ["Mod"] = OpTrait.Broadcasting, ["Equal"] = OpTrait.Broadcasting,
        ["Less"] = OpTrait.Broadcasting, ["LessOrEqual"] = OpTrait.Broadcasting, ["Greater"] = OpTrait.Broadcasting,
        ["GreaterOrEqual"] = OpTrait.Broadcasting, ["And"] = OpTrait.Broadcasting, ["Or"] = OpTrait.Broadcasting,
        ["Xor"] = OpTrait.Broadcasting, ["BitShift"] = OpTrait.Broadcasting,
        // Pooling.
        ["MaxPool"] = OpTrait.Pooling | OpTrait.PositivelyHomogeneous,
        ["AveragePool"] = OpTrait.Pooling | OpTrait.ChannelLinear,
        ["LpPool"] = OpTrait.Pooling,
        ["GlobalAveragePool"] = OpTrait.GlobalPooling | OpTrait.ChannelLinear,
        ["GlobalMaxPool"] = OpTrait.GlobalPooling | OpTrait.PositivelyHomogeneous,
        ["GlobalLpPool"] = OpTrait.GlobalPooling,
    };

    /// <summary>The traits of <paramref name="node"/>'s op (none for an op of another domain or one not in the table).</summary>
    public static OpTrait Of(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Domain is "" or "ai.onnx" ? Table.GetValueOrDefault(node.OpType) : OpTrait.None;
    }

    /// <summary>True when <paramref name="node"/>'s op has every trait in <paramref name="trait"/>.</summary>
    public static bool Has(this Node node, OpTrait trait) => trait != OpTrait.None && (Of(node) & trait) == trait;
}
