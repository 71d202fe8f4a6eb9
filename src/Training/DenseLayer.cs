using OnnxBn.Runtime;
using System.Numerics.Tensors;

namespace OnnxBn.Training;

/// <summary>
/// A fully connected layer y = f(x·Wᵀ + b) with W stored as <see cref="Outputs"/> rows of <see cref="Inputs"/>
/// (the layout of ONNX Gemm with transB = 1 and of PyTorch's Linear), so that one output is one SIMD dot product of
/// contiguous rows and the weight gradient is one SIMD multiply-add per (example, output).
/// </summary>
public sealed class DenseLayer
{
    /// <summary>A layer with zero weights and biases (fill them with <see cref="Initialize"/> or set them).</summary>
    public DenseLayer(int inputs, int outputs, Activation activation, bool hasBias = true, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        Inputs = inputs;
        Outputs = outputs;
        Activation = activation;
        HasBias = hasBias;
        Name = name ?? $"dense_{outputs}";
        Weights = new float[outputs * inputs];
        Bias = new float[outputs];
        WeightGradient = new float[Weights.Length];
        BiasGradient = new float[outputs];
    }

    /// <summary>Number of inputs (fan-in).</summary>
    public int Inputs { get; }

    /// <summary>Number of outputs (units).</summary>
    public int Outputs { get; }

    /// <summary>The activation applied after the affine map.</summary>
    public Activation Activation { get; }

    /// <summary>False for a MatMul without Add: the bias stays zero and is not trained.</summary>
    public bool HasBias { get; }

    /// <summary>A label for messages and for the exported nodes (the base's node name for an unfrozen layer).</summary>
    public string Name { get; }

    /// <summary>The weights, <see cref="Outputs"/> rows of <see cref="Inputs"/>.</summary>
    public float[] Weights { get; }

    /// <summary>The biases (zero when <see cref="HasBias"/> is false).</summary>
    public float[] Bias { get; }

    /// <summary>Whether the optimizer updates this layer.</summary>
    public bool Trainable { get; set; } = true;

    internal float[] WeightGradient { get; }

    internal float[] BiasGradient { get; }

    /// <summary>Number of weights plus biases.</summary>
    public int ParameterCount => Weights.Length + (HasBias ? Bias.Length : 0);

    /// <summary>Draws the weights from <paramref name="initializer"/> and zeroes the biases.</summary>
    public void Initialize(WeightInitializer initializer, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        initializer.Fill(Weights, Inputs, Outputs, random);
        Array.Clear(Bias);
    }

    /// <summary>z = x·Wᵀ + b and a = f(z) for <paramref name="batch"/> rows.</summary>
    internal void Forward(ReadOnlySpan<float> input, int batch, Span<float> z, Span<float> a)
    {
        for (var b = 0; b < batch; b++)
        {
            var row = input.Slice(b * Inputs, Inputs);
            var zRow = z.Slice(b * Outputs, Outputs);
            for (var o = 0; o < Outputs; o++)
                zRow[o] = TensorPrimitives.Dot(row, Weights.AsSpan(o * Inputs, Inputs));
            if (HasBias)
                TensorPrimitives.Add(zRow, Bias, zRow);
        }
        Activation.Forward(z[..(batch * Outputs)], a[..(batch * Outputs)]);
    }

    /// <summary>Adds dL/dW = δᵀ·x and dL/db = Σ δ for <paramref name="batch"/> rows of the pre-activation gradient δ.</summary>
    internal void AccumulateGradients(ReadOnlySpan<float> input, ReadOnlySpan<float> delta, int batch)
    {
        for (var b = 0; b < batch; b++)
        {
            var row = input.Slice(b * Inputs, Inputs);
            var deltaRow = delta.Slice(b * Outputs, Outputs);
            for (var o = 0; o < Outputs; o++)
            {
                var d = deltaRow[o];
                if (d == 0f)
                    continue;
                var gradientRow = WeightGradient.AsSpan(o * Inputs, Inputs);
                TensorPrimitives.MultiplyAdd(row, d, gradientRow, gradientRow);
            }
            if (HasBias)
                TensorPrimitives.Add(BiasGradient, deltaRow, BiasGradient);
        }
    }

    /// <summary>dL/dx = δ·W for <paramref name="batch"/> rows (the gradient with respect to this layer's input).</summary>
    internal void InputGradient(ReadOnlySpan<float> delta, int batch, Span<float> inputGradient)
    {
        inputGradient[..(batch * Inputs)].Clear();
        for (var b = 0; b < batch; b++)
        {
            var target = inputGradient.Slice(b * Inputs, Inputs);
            var deltaRow = delta.Slice(b * Outputs, Outputs);
            for (var o = 0; o < Outputs; o++)
                if (deltaRow[o] != 0f)
                    TensorPrimitives.MultiplyAdd(Weights.AsSpan(o * Inputs, Inputs), deltaRow[o], target, target);
        }
    }

    internal void ZeroGradients()
    {
        Array.Clear(WeightGradient);
        Array.Clear(BiasGradient);
    }
}
