namespace OnnxBn.Training.Tests;

/// <summary>Each optimizer against steps computed by hand from its formula (w = 1, constant gradient 0.5, η = 0.1).</summary>
public sealed class OptimizerTests
{
    private static float[] TwoSteps(Optimizer optimizer)
    {
        var weights = new[] { 1f };
        var parameters = new[] { new Parameter("w", weights, [0.5f]) };
        optimizer.Step(parameters, 0.1f);
        var first = weights[0];
        optimizer.Step(parameters, 0.1f);
        return [first, weights[0]];
    }

    [Fact]
    public void Sgd_Subtracts_Rate_Times_Gradient()
    {
        var steps = TwoSteps(new SgdOptimizer());
        Assert.Equal(0.95f, steps[0], 6);
        Assert.Equal(0.90f, steps[1], 6);
    }

    [Fact]
    public void Sgd_Momentum_Accumulates_Velocity()
    {
        // v1 = −0.05, w1 = 0.95; v2 = 0.9·(−0.05) − 0.05 = −0.095, w2 = 0.855.
        var steps = TwoSteps(new SgdOptimizer(0.9f));
        Assert.Equal(0.95f, steps[0], 6);
        Assert.Equal(0.855f, steps[1], 6);
    }

    [Fact]
    public void Sgd_Nesterov_Looks_Ahead()
    {
        // w1 = 1 + 0.9·(−0.05) − 0.05 = 0.905; w2 = 0.905 + 0.9·(−0.095) − 0.05 = 0.7695.
        var steps = TwoSteps(new SgdOptimizer(0.9f, nesterov: true));
        Assert.Equal(0.905f, steps[0], 6);
        Assert.Equal(0.7695f, steps[1], 5);
    }

    [Fact]
    public void Adam_First_Steps_Move_By_The_Learning_Rate()
    {
        // t=1: m = 0.05, v = 0.00025, α = 0.1·√0.001/0.1 → step = α·0.05/(√0.00025 + 1e-7) ≈ 0.1·(1 − 6.3e-6).
        // t=2: m = 0.095, v = 0.00049975, α = 0.1·√(1−0.999²)/(1−0.9²) → the step is again ≈ 0.1.
        var steps = TwoSteps(new AdamOptimizer());
        var first = 1 - 0.1 * Math.Sqrt(0.001) / 0.1 * 0.05 / (Math.Sqrt(0.00025) + 1e-7);
        var alpha2 = 0.1 * Math.Sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
        var second = first - alpha2 * 0.095 / (Math.Sqrt(0.00049975) + 1e-7);
        Assert.Equal(first, steps[0], 5);
        Assert.Equal(second, steps[1], 5);
        Assert.Equal(0.8, steps[1], 3);
    }

    [Fact]
    public void RAdam_Starts_As_Momentum_Sgd_Then_Rectifies()
    {
        // ρ∞ = 1999; ρ₁ = 1, ρ₂ ≈ 2 (≤ 5): w ← w − η·m̂ with m̂ = g for a constant gradient.
        var weights = new[] { 1f };
        var parameters = new[] { new Parameter("w", weights, [0.5f]) };
        var optimizer = new RAdamOptimizer();
        optimizer.Step(parameters, 0.1f);
        Assert.Equal(0.95f, weights[0], 6);
        optimizer.Step(parameters, 0.1f);
        Assert.Equal(0.90f, weights[0], 6);
        for (var t = 3; t <= 5; t++)
            optimizer.Step(parameters, 0.1f);
        Assert.Equal(0.75f, weights[0], 5);
        // t = 6: ρ₆ = 1999 − 12·0.999⁶/(1 − 0.999⁶) > 5, so the rectified adaptive step applies (v̂ = g², step = η·r).
        optimizer.Step(parameters, 0.1f);
        double b2 = 0.999, rhoInf = 2 / (1 - b2) - 1, t6 = 6;
        var rho = rhoInf - 2 * t6 * Math.Pow(b2, t6) / (1 - Math.Pow(b2, t6));
        var r = Math.Sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
        Assert.True(rho > 5);
        Assert.Equal(0.75 - 0.1 * r, weights[0], 5);
    }
}
