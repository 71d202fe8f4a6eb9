using System.Numerics.Tensors;

namespace OnnxBn.Training;

/// <summary>The element-wise functions a dense layer may apply after its affine map (ONNX op names in comments).</summary>
public enum ActivationKind
{
    /// <summary>No activation (the output layer's logits).</summary>
    Identity,
    /// <summary>max(0, z) — Relu.</summary>
    Relu,
    /// <summary>z for z ≥ 0, αz otherwise — LeakyRelu.</summary>
    LeakyRelu,
    /// <summary>z for z ≥ 0, α(eᶻ − 1) otherwise — Elu.</summary>
    Elu,
    /// <summary>γ·z for z ≥ 0, γα(eᶻ − 1) otherwise — Selu.</summary>
    Selu,
    /// <summary>1 / (1 + e⁻ᶻ) — Sigmoid.</summary>
    Sigmoid,
    /// <summary>tanh z — Tanh.</summary>
    Tanh,
}

/// <summary>An activation function with its parameters (α for LeakyRelu/Elu/Selu, γ for Selu).</summary>
public readonly record struct Activation(ActivationKind Kind, float Alpha = 0f, float Gamma = 0f)
{
    /// <summary>SELU's α (Klambauer et al., as in ONNX and Keras).</summary>
    public const float SeluAlpha = 1.6732632423543772848170429916717f;

    /// <summary>SELU's γ (scale).</summary>
    public const float SeluGamma = 1.0507009873554804934193349852946f;

    /// <summary>No activation.</summary>
    public static Activation Identity => new(ActivationKind.Identity);

    /// <summary>Relu.</summary>
    public static Activation Relu => new(ActivationKind.Relu);

    /// <summary>LeakyRelu with slope <paramref name="alpha"/> below zero (Hands-On ML uses 0.2; ONNX's default is 0.01).</summary>
    public static Activation LeakyRelu(float alpha = 0.2f) => new(ActivationKind.LeakyRelu, alpha);

    /// <summary>Elu with <paramref name="alpha"/> (default 1).</summary>
    public static Activation Elu(float alpha = 1f) => new(ActivationKind.Elu, alpha);

    /// <summary>Selu with the standard constants unless given.</summary>
    public static Activation Selu(float alpha = SeluAlpha, float gamma = SeluGamma) => new(ActivationKind.Selu, alpha, gamma);

    /// <summary>Sigmoid.</summary>
    public static Activation Sigmoid => new(ActivationKind.Sigmoid);

    /// <summary>Tanh.</summary>
    public static Activation Tanh => new(ActivationKind.Tanh);

    /// <summary>Parses a command-line name: relu, leaky_relu, elu, selu, sigmoid, tanh, linear/identity.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static Activation Parse(string name) => name.ToLowerInvariant() switch
    {
        "relu" => Relu,
        "leaky_relu" or "leakyrelu" => LeakyRelu(),
        "elu" => Elu(),
        "selu" => Selu(),
        "sigmoid" => Sigmoid,
        "tanh" => Tanh,
        "linear" or "identity" or "none" => Identity,
        _ => throw new ArgumentException($"Unknown activation '{name}' (relu, leaky_relu, elu, selu, sigmoid, tanh, linear)."),
    };

    /// <summary>The ONNX operator computing this activation (null for identity).</summary>
    public string? OnnxOp => Kind switch
    {
        ActivationKind.Identity => null,
        ActivationKind.Relu => "Relu",
        ActivationKind.LeakyRelu => "LeakyRelu",
        ActivationKind.Elu => "Elu",
        ActivationKind.Selu => "Selu",
        ActivationKind.Sigmoid => "Sigmoid",
        _ => "Tanh",
    };

    /// <summary>output = f(input), element-wise (the spans may be the same).</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        switch (Kind)
        {
            case ActivationKind.Identity:
                input.CopyTo(output);
                break;
            case ActivationKind.Relu:
                TensorPrimitives.Max(input, 0f, output);
                break;
            case ActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(input, output);
                break;
            case ActivationKind.Tanh:
                TensorPrimitives.Tanh(input, output);
                break;
            case ActivationKind.LeakyRelu:
                for (var i = 0; i < input.Length; i++)
                    output[i] = input[i] >= 0 ? input[i] : Alpha * input[i];
                break;
            case ActivationKind.Elu:
                for (var i = 0; i < input.Length; i++)
                    output[i] = input[i] >= 0 ? input[i] : Alpha * (MathF.Exp(input[i]) - 1f);
                break;
            case ActivationKind.Selu:
                for (var i = 0; i < input.Length; i++)
                    output[i] = input[i] >= 0 ? Gamma * input[i] : Gamma * Alpha * (MathF.Exp(input[i]) - 1f);
                break;
        }
    }

    /// <summary>
    /// gradient ← gradient · f′(z), element-wise, from the pre-activation <paramref name="z"/> and the activation
    /// <paramref name="a"/> = f(z) (whichever gives the derivative cheaply).
    /// </summary>
    public void Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> a, Span<float> gradient)
    {
        switch (Kind)
        {
            case ActivationKind.Identity:
                break;
            case ActivationKind.Relu:
                for (var i = 0; i < z.Length; i++)
                    if (z[i] <= 0)
                        gradient[i] = 0;
                break;
            case ActivationKind.LeakyRelu:
                for (var i = 0; i < z.Length; i++)
                    if (z[i] < 0)
                        gradient[i] *= Alpha;
                break;
            case ActivationKind.Elu:
                // f′(z) = f(z) + α below zero.
                for (var i = 0; i < z.Length; i++)
                    if (z[i] < 0)
                        gradient[i] *= a[i] + Alpha;
                break;
            case ActivationKind.Selu:
                // f′(z) = γ above zero, f(z) + γα below.
                for (var i = 0; i < z.Length; i++)
                    gradient[i] *= z[i] >= 0 ? Gamma : a[i] + Gamma * Alpha;
                break;
            case ActivationKind.Sigmoid:
                for (var i = 0; i < z.Length; i++)
                    gradient[i] *= a[i] * (1f - a[i]);
                break;
            case ActivationKind.Tanh:
                for (var i = 0; i < z.Length; i++)
                    gradient[i] *= 1f - a[i] * a[i];
                break;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ActivationKind.LeakyRelu or ActivationKind.Elu => $"{Kind}(alpha={Alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
        _ => Kind.ToString(),
    };
}
