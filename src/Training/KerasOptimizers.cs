using System.Numerics.Tensors;

namespace OnnxBn.Training;

/// <summary>
/// Keras' AdamW: Adam plus decoupled weight decay, applied to every trainable tensor before the Adam update:
/// w ← w − η·λ·w, then Adam's step. Keras' defaults: λ = 0.004, β₁ = 0.9, β₂ = 0.999, ε = 1e-7.
/// </summary>
public sealed class AdamWOptimizer(float weightDecay = 0.004f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f) : Optimizer
{
    private readonly AdamOptimizer _adam = new(beta1, beta2, epsilon);

    /// <summary>λ.</summary>
    public float WeightDecay { get; } = weightDecay;

    /// <inheritdoc />
    protected override int StateTensors => 2;

    /// <inheritdoc />
    protected override void Update(Span<float> weights, ReadOnlySpan<float> gradient, float[][] state, float learningRate)
    {
        TensorPrimitives.Multiply(weights, 1f - learningRate * WeightDecay, weights);
        AdamOptimizer.AdamUpdate(weights, gradient, state, learningRate, Iterations, _adam.Beta1, _adam.Beta2, _adam.Epsilon);
    }
}

/// <summary>
/// Keras' RMSprop (no momentum, not centered): v ← ρv + (1 − ρ)g²; w ← w − η·g/√(v + ε). Keras' defaults: ρ = 0.9,
/// ε = 1e-7 (inside the square root, as Keras and TensorFlow compute it).
/// </summary>
public sealed class RmsPropOptimizer(float rho = 0.9f, float epsilon = 1e-7f) : Optimizer
{
    /// <summary>ρ.</summary>
    public float Rho { get; } = rho;

    /// <summary>ε.</summary>
    public float Epsilon { get; } = epsilon;

    /// <inheritdoc />
    protected override int StateTensors => 1;

    /// <inheritdoc />
    protected override void Update(Span<float> weights, ReadOnlySpan<float> gradient, float[][] state, float learningRate)
    {
        var v = state[0];
        for (var i = 0; i < weights.Length; i++)
        {
            var g = gradient[i];
            v[i] = Rho * v[i] + (1 - Rho) * g * g;
            weights[i] -= learningRate * g / MathF.Sqrt(v[i] + Epsilon);
        }
    }
}

/// <summary>
/// Keras' Nadam (Dozat 2016, with Keras' momentum schedule μₜ = β₁(1 − ½·0.96ᵗ)): m ← β₁m + (1 − β₁)g;
/// v ← β₂v + (1 − β₂)g²; m̂ = μₜ₊₁m/(1 − Πᵢ≤ₜ₊₁ μᵢ) + (1 − μₜ)g/(1 − Πᵢ≤ₜ μᵢ); v̂ = v/(1 − β₂ᵗ);
/// w ← w − η·m̂/(√v̂ + ε). Keras' defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-7.
/// </summary>
public sealed class NadamOptimizer(float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f) : Optimizer
{
    private double _uProduct = 1.0;
    private long _productStep;

    /// <summary>β₁.</summary>
    public float Beta1 { get; } = beta1;

    /// <summary>β₂.</summary>
    public float Beta2 { get; } = beta2;

    /// <summary>ε.</summary>
    public float Epsilon { get; } = epsilon;

    /// <inheritdoc />
    protected override int StateTensors => 2;

    /// <summary>μₜ.</summary>
    private double Mu(long t) => Beta1 * (1.0 - 0.5 * Math.Pow(0.96, t));

    /// <inheritdoc />
    protected override void BeginStep()
    {
        // Πμ is a function of the step count alone, so a resumed optimizer recomputes it instead of saving it.
        while (_productStep < Iterations)
            _uProduct *= Mu(++_productStep);
        if (_productStep > Iterations)
        {
            _uProduct = 1.0;
            for (_productStep = 0; _productStep < Iterations;)
                _uProduct *= Mu(++_productStep);
        }
    }

    /// <inheritdoc />
    protected override void Update(Span<float> weights, ReadOnlySpan<float> gradient, float[][] state, float learningRate)
    {
        var t = Iterations;
        var muT = Mu(t);
        var muNext = Mu(t + 1);
        var productNext = _uProduct * muNext;
        var mScale = (float)(muNext / (1 - productNext));
        var gScale = (float)((1 - muT) / (1 - _uProduct));
        var vScale = (float)(1 / (1 - Math.Pow(Beta2, t)));
        var m = state[0];
        var v = state[1];
        for (var i = 0; i < weights.Length; i++)
        {
            var g = gradient[i];
            m[i] += (g - m[i]) * (1 - Beta1);
            v[i] += (g * g - v[i]) * (1 - Beta2);
            var mHat = mScale * m[i] + gScale * g;
            var vHat = vScale * v[i];
            weights[i] -= learningRate * mHat / (MathF.Sqrt(vHat) + Epsilon);
        }
    }
}
