using System.Numerics.Tensors;

namespace OnnxBn.Training;

/// <summary>
/// Gradient clipping as Keras optimizers do it before each step: <see cref="Value"/> clamps every component to
/// [−v, v] (clipvalue); <see cref="Norm"/> rescales each parameter's gradient whose ℓ2 norm exceeds it (clipnorm,
/// per tensor); <see cref="GlobalNorm"/> rescales all gradients together when their joint norm exceeds it
/// (global_clipnorm). Value clipping runs first.
/// </summary>
public sealed record GradientClipping(float? Value = null, float? Norm = null, float? GlobalNorm = null)
{
    /// <summary>No clipping.</summary>
    public static GradientClipping None { get; } = new();

    /// <summary>Clips the gradients of <paramref name="parameters"/> in place.</summary>
    public void Apply(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (Value is { } v)
            foreach (var p in parameters)
            {
                TensorPrimitives.Min(p.Gradient, v, p.Gradient);
                TensorPrimitives.Max(p.Gradient, -v, p.Gradient);
            }
        if (Norm is { } n)
            foreach (var p in parameters)
            {
                var norm = TensorPrimitives.Norm<float>(p.Gradient);
                if (norm > n)
                    TensorPrimitives.Multiply(p.Gradient, n / norm, p.Gradient);
            }
        if (GlobalNorm is { } g)
        {
            double squares = 0;
            foreach (var p in parameters)
                squares += TensorPrimitives.SumOfSquares<float>(p.Gradient);
            var global = Math.Sqrt(squares);
            if (global > g)
                foreach (var p in parameters)
                    TensorPrimitives.Multiply(p.Gradient, (float)(g / global), p.Gradient);
        }
    }
}
