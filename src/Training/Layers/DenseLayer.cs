using System.Globalization;
using System.Numerics.Tensors;
using OnnxBn.Runtime;

namespace OnnxBn.Training;

/// <summary>
/// A fully connected layer y = f(x·Wᵀ + b) with W stored as <see cref="Layer.Outputs"/> rows of
/// <see cref="Layer.Inputs"/> (the layout of ONNX Gemm with transB = 1 and of PyTorch's Linear), so that one output is
/// one SIMD dot product of contiguous rows and the weight gradient is one SIMD multiply-add per (example, output).
/// Keras' kernel regularizers: <see cref="L2"/>·Σw² + <see cref="L1"/>·Σ|w| is added to the loss (biases are not
/// regularized, as with <c>kernel_regularizer</c>).
/// </summary>
public sealed class DenseLayer : Layer
{
    private float[] _z = [];
    private Parameter[]? _parameters;

    /// <summary>A layer with zero weights and biases (fill them with <see cref="Initialize"/> or set them).</summary>
    public DenseLayer(int inputs, int outputs, Activation activation, bool hasBias = true, string? name = null)
        : base(name ?? $"dense_{outputs}", inputs, outputs)
    {
        Activation = activation;
        HasBias = hasBias;
        Weights = new float[outputs * inputs];
        Bias = new float[outputs];
        WeightGradient = new float[Weights.Length];
        BiasGradient = new float[outputs];
    }

    /// <summary>The activation applied after the affine map.</summary>
    public Activation Activation { get; }

    /// <summary>False for a MatMul without Add: the bias stays zero and is not trained.</summary>
    public bool HasBias { get; }

    /// <summary>The weights, <see cref="Layer.Outputs"/> rows of <see cref="Layer.Inputs"/>.</summary>
    public float[] Weights { get; }

    /// <summary>The biases (zero when <see cref="HasBias"/> is false).</summary>
    public float[] Bias { get; }

    /// <summary>Keras' l2 kernel regularizer factor (0 = none): adds L2·Σw² to the loss.</summary>
    public float L2 { get; init; }

    /// <summary>Keras' l1 kernel regularizer factor (0 = none): adds L1·Σ|w| to the loss.</summary>
    public float L1 { get; init; }

    internal float[] WeightGradient { get; }

    internal float[] BiasGradient { get; }

    /// <summary>Number of weights plus biases.</summary>
    public int ParameterCount => Weights.Length + (HasBias ? Bias.Length : 0);

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters ??= HasBias
        ? [new Parameter(Name + ".weight", Weights, WeightGradient), new Parameter(Name + ".bias", Bias, BiasGradient)]
        : [new Parameter(Name + ".weight", Weights, WeightGradient)];

    /// <inheritdoc />
    public override IReadOnlyList<float[]> State => [Weights, Bias];

    /// <summary>Draws the weights from <paramref name="initializer"/> and zeroes the biases.</summary>
    public void Initialize(WeightInitializer initializer, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        initializer.Fill(Weights, Inputs, Outputs, random);
        Array.Clear(Bias);
    }

    /// <inheritdoc />
    public override string Describe()
    {
        var parts = new List<string> { Outputs.ToString(CultureInfo.InvariantCulture) };
        if (Activation.Kind != ActivationKind.Identity)
            parts.Add(Activation.ToString().ToLowerInvariant());
        if (L2 > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"l2={L2:g}"));
        if (L1 > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"l1={L1:g}"));
        return $"Dense({string.Join(", ", parts)})";
    }

    /// <inheritdoc />
    public override double Penalty()
    {
        double penalty = 0;
        if (L2 > 0)
            penalty += L2 * (double)TensorPrimitives.SumOfSquares<float>(Weights);
        if (L1 > 0)
            penalty += L1 * (double)TensorPrimitives.SumOfMagnitudes<float>(Weights);
        return penalty;
    }

    /// <inheritdoc />
    internal override void AddPenaltyGradient()
    {
        // d/dw (l2·w²) = 2·l2·w; d/dw (l1·|w|) = l1·sign(w) (0 at 0, as TensorFlow's sign).
        if (L2 > 0)
            TensorPrimitives.MultiplyAdd(Weights, 2f * L2, WeightGradient, WeightGradient);
        if (L1 > 0)
            for (var i = 0; i < Weights.Length; i++)
                WeightGradient[i] += L1 * MathF.Sign(Weights[i]);
    }

    /// <summary>z = x·Wᵀ + b and a = f(z) for <paramref name="batch"/> rows.</summary>
    internal override void Forward(ReadOnlySpan<float> input, int batch, Span<float> output, bool training)
    {
        var n = batch * Outputs;
        // Without an activation z is the output; otherwise z is kept for the backward pass.
        var identity = Activation.Kind == ActivationKind.Identity;
        if (!identity && _z.Length < n)
            _z = new float[n];
        var z = identity ? output[..n] : _z.AsSpan(0, n);
        // Output-major: one weight row stays in L1 while the batch's inputs stream past it, instead of the whole
        // weight matrix passing through the cache once per example (each dot product is the same either way).
        for (var o = 0; o < Outputs; o++)
        {
            var weights = Weights.AsSpan(o * Inputs, Inputs);
            for (var b = 0; b < batch; b++)
                z[b * Outputs + o] = TensorPrimitives.Dot(input.Slice(b * Inputs, Inputs), weights);
        }
        if (HasBias)
            for (var b = 0; b < batch; b++)
                TensorPrimitives.Add(z.Slice(b * Outputs, Outputs), Bias, z.Slice(b * Outputs, Outputs));
        if (!identity)
            Activation.Forward(z, output[..n]);
    }

    /// <inheritdoc />
    internal override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, Span<float> outputGradient, int batch,
        Span<float> inputGradient)
    {
        var n = batch * Outputs;
        var delta = outputGradient[..n];
        if (Activation.Kind != ActivationKind.Identity)
            Activation.Backward(_z.AsSpan(0, n), output[..n], delta);
        if (Trainable)
            AccumulateGradients(input, delta, batch);
        if (!inputGradient.IsEmpty)
            InputGradient(delta, batch, inputGradient);
    }

    /// <summary>Adds dL/dW = δᵀ·x and dL/db = Σ δ for <paramref name="batch"/> rows of the pre-activation gradient δ.</summary>
    private void AccumulateGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> delta, int batch)
    {
        // Output-major, examples in order inside: every gradient element sums the same terms in the same order as
        // example-major would, but each gradient row is loaded once per batch instead of once per example.
        for (var o = 0; o < Outputs; o++)
        {
            var gradientRow = WeightGradient.AsSpan(o * Inputs, Inputs);
            for (var b = 0; b < batch; b++)
            {
                var d = delta[b * Outputs + o];
                if (d != 0f)
                    TensorPrimitives.MultiplyAdd(input.Slice(b * Inputs, Inputs), d, gradientRow, gradientRow);
            }
        }
        if (HasBias)
            for (var b = 0; b < batch; b++)
                TensorPrimitives.Add(BiasGradient, delta.Slice(b * Outputs, Outputs), BiasGradient);
    }

    /// <summary>dL/dx = δ·W for <paramref name="batch"/> rows (the gradient with respect to this layer's input).</summary>
    private void InputGradient(ReadOnlySpan<float> delta, int batch, Span<float> inputGradient)
    {
        inputGradient[..(batch * Inputs)].Clear();
        // Output-major for the same reason as the forward pass; each example's sum still runs over o in order.
        for (var o = 0; o < Outputs; o++)
        {
            var weights = Weights.AsSpan(o * Inputs, Inputs);
            for (var b = 0; b < batch; b++)
            {
                var d = delta[b * Outputs + o];
                if (d != 0f)
                {
                    var target = inputGradient.Slice(b * Inputs, Inputs);
                    TensorPrimitives.MultiplyAdd(weights, d, target, target);
                }
            }
        }
    }
}
