namespace OnnxBn.Training.Tests;

/// <summary>The optimizers Keras users reach for, step by step against their formulas written out in float64.</summary>
public sealed class KerasOptimizerTests
{
    private static readonly double[] Gradients = [0.3, -1.2, 0.05, 0.8];

    private static float[] Run(Optimizer optimizer, double start, float learningRate)
    {
        var weights = new[] { (float)start };
        var gradient = new float[1];
        var parameter = new Parameter("w", weights, gradient);
        foreach (var g in Gradients)
        {
            gradient[0] = (float)g;
            optimizer.Step([parameter], learningRate);
        }
        return weights;
    }

    [Fact]
    public void AdamW_Decays_The_Weights_Then_Takes_An_Adam_Step()
    {
        double w = 1.5, m = 0, v = 0;
        for (var t = 1; t <= Gradients.Length; t++)
        {
            var g = Gradients[t - 1];
            w -= 0.01 * 0.004 * w;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            w -= 0.01 * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t)) * m / (Math.Sqrt(v) + 1e-7);
        }
        Assert.Equal(w, Run(new AdamWOptimizer(), 1.5, 0.01f)[0], 5);
    }

    [Fact]
    public void RmsProp_Divides_By_The_Root_Of_The_Mean_Square()
    {
        double w = -0.5, s = 0;
        foreach (var g in Gradients)
        {
            s = 0.9 * s + 0.1 * g * g;
            w -= 0.01 * g / Math.Sqrt(s + 1e-7);
        }
        Assert.Equal(w, Run(new RmsPropOptimizer(), -0.5, 0.01f)[0], 5);
    }

    [Fact]
    public void Nadam_Follows_Keras_Momentum_Schedule()
    {
        double w = 0.7, m = 0, v = 0, product = 1;
        double Mu(int t) => 0.9 * (1 - 0.5 * Math.Pow(0.96, t));
        for (var t = 1; t <= Gradients.Length; t++)
        {
            var g = Gradients[t - 1];
            product *= Mu(t);
            var productNext = product * Mu(t + 1);
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            var mHat = Mu(t + 1) * m / (1 - productNext) + (1 - Mu(t)) * g / (1 - product);
            var vHat = v / (1 - Math.Pow(0.999, t));
            w -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-7);
        }
        Assert.Equal(w, Run(new NadamOptimizer(), 0.7, 0.01f)[0], 5);
    }

    [Fact]
    public void Adam_Vector_Lanes_Give_The_Scalar_Result_Bit_For_Bit()
    {
        // 37 weights: whole vectors plus a scalar tail; the reference is the same float arithmetic, one weight at a time.
        var random = new OnnxBn.Runtime.SeededRandom(3);
        var weights = Enumerable.Range(0, 37).Select(_ => (float)random.NextGaussian()).ToArray();
        var expected = (float[])weights.Clone();
        var gradient = new float[37];
        var parameter = new Parameter("w", weights, gradient);
        var adam = new AdamOptimizer();
        var m = new float[37];
        var v = new float[37];
        for (var t = 1; t <= 3; t++)
        {
            for (var i = 0; i < 37; i++)
                gradient[i] = (float)random.NextGaussian();
            adam.Step([parameter], 0.01f);
            var alpha = (float)(0.01f * Math.Sqrt(1 - Math.Pow(0.999f, t)) / (1 - Math.Pow(0.9f, t)));
            for (var i = 0; i < 37; i++)
            {
                m[i] = 0.9f * m[i] + (1 - 0.9f) * gradient[i];
                v[i] = 0.999f * v[i] + (1 - 0.999f) * gradient[i] * gradient[i];
                expected[i] -= alpha * m[i] / (MathF.Sqrt(v[i]) + 1e-7f);
            }
        }
        Assert.Equal(expected, weights);
    }

    [Fact]
    public void Optimizer_State_Round_Trips_So_A_Resumed_Run_Takes_The_Same_Steps()
    {
        var whole = Run(new NadamOptimizer(), 0.7, 0.01f);
        var first = new NadamOptimizer();
        var weights = new[] { 0.7f };
        var gradient = new float[1];
        var parameter = new Parameter("w", weights, gradient);
        for (var i = 0; i < 2; i++)
        {
            gradient[0] = (float)Gradients[i];
            first.Step([parameter], 0.01f);
        }
        var second = new NadamOptimizer();
        second.LoadState(first.Iterations, first.SaveState(1));
        for (var i = 2; i < 4; i++)
        {
            gradient[0] = (float)Gradients[i];
            second.Step([parameter], 0.01f);
        }
        Assert.Equal(whole[0], weights[0]);
    }
}
