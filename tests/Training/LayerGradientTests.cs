using OnnxBn.Runtime;

namespace OnnxBn.Training.Tests;

/// <summary>
/// Every head layer's backward pass against central finite differences of the training-mode loss (plus the
/// regularization terms), and its forward pass against a float64 reference written out here.
/// </summary>
public sealed class LayerGradientTests
{
    private const int Batch = 6;

    /// <summary>[2 channels × 9 positions] → BN → GAP → Dense(4, tanh, l2, l1) → Dropout → BN → Dense(3).</summary>
    private static Network PoolingHead(SeededRandom random) => new(
    [
        Randomized(new BatchNormLayer(2, 9, name: "bn_map"), random),
        new GlobalAveragePoolLayer(2, 9),
        Dense(2, 4, Activation.Tanh, random, l2: 0.05f, l1: 0.02f),
        new DropoutLayer(4, 0.4f),
        Randomized(new BatchNormLayer(4, name: "bn_vector"), random),
        Dense(4, 3, Activation.Identity, random),
    ], HeadLoss.SoftmaxCrossEntropy);

    /// <summary>[3 channels × 4 positions] → BN → Flatten → Dense(5, elu) → BN → Dense(1), binary.</summary>
    private static Network FlattenHead(SeededRandom random) => new(
    [
        Randomized(new BatchNormLayer(3, 4, name: "bn_map"), random),
        new FlattenLayer(12),
        Dense(12, 5, Activation.Elu(), random, l2: 0.01f),
        Randomized(new BatchNormLayer(5), random),
        Dense(5, 1, Activation.Identity, random),
    ], HeadLoss.BinaryCrossEntropy);

    public static TheoryData<string> Heads() => new() { "pooling", "flatten" };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Backprop_Through_Every_Head_Layer_Matches_Finite_Differences(string head)
    {
        var random = new SeededRandom(11);
        var network = head == "pooling" ? PoolingHead(random) : FlattenHead(random);
        var classes = network.Loss == HeadLoss.BinaryCrossEntropy ? 2 : 3;
        var features = Enumerable.Range(0, Batch * network.InputSize).Select(_ => (float)random.NextGaussian()).ToArray();
        var labels = Enumerable.Range(0, Batch).Select(i => i % classes).ToArray();
        network.Reseed(3);
        network.ComputeGradients(features, labels, Batch);
        // Finite differences need the same function twice: replay the dropout mask just drawn.
        foreach (var dropout in network.Layers.OfType<DropoutLayer>())
            dropout.ReuseMask = true;

        var parameters = network.TrainableParameters();
        Assert.Equal(8, parameters.Count); // every BN's γ and β, every dense layer's weight and bias
        foreach (var p in parameters)
        {
            var analytic = (float[])p.Gradient.Clone();
            for (var i = 0; i < p.Values.Length; i++)
            {
                var numeric = NumericGradient(network, p.Values, i, features, labels);
                Assert.True(Math.Abs(analytic[i] - numeric) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                    $"{head} {p.Name}[{i}]: backprop {analytic[i]} vs finite difference {numeric}");
            }
        }
    }

    [Fact]
    public void Batch_Norm_Forward_Matches_A_Float64_Reference_In_Both_Modes()
    {
        var random = new SeededRandom(5);
        var bn = Randomized(new BatchNormLayer(3, 4, momentum: 0.9f), random);
        var input = Enumerable.Range(0, 5 * 12).Select(_ => (float)(random.NextGaussian() * 3 + 1)).ToArray();
        var movingMean = bn.MovingMean.Select(v => (double)v).ToArray();
        var movingVariance = bn.MovingVariance.Select(v => (double)v).ToArray();
        var output = new float[input.Length];
        bn.Forward(input, 5, output, training: true);
        for (var c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, 5).SelectMany(b => Enumerable.Range(0, 4).Select(s => (double)input[(b * 3 + c) * 4 + s])).ToArray();
            var mean = values.Average();
            var variance = values.Select(v => (v - mean) * (v - mean)).Average();
            for (var b = 0; b < 5; b++)
                for (var s = 0; s < 4; s++)
                {
                    var expected = bn.Gamma[c] * (input[(b * 3 + c) * 4 + s] - mean) / Math.Sqrt(variance + 1e-3) + bn.Beta[c];
                    Assert.Equal(expected, output[(b * 3 + c) * 4 + s], 4);
                }
            Assert.Equal(0.9 * movingMean[c] + 0.1 * mean, bn.MovingMean[c], 5);
            Assert.Equal(0.9 * movingVariance[c] + 0.1 * variance, bn.MovingVariance[c], 4);
        }

        bn.Forward(input, 5, output, training: false);
        for (var i = 0; i < input.Length; i++)
        {
            var c = i / 4 % 3;
            var expected = bn.Gamma[c] * (input[i] - (double)bn.MovingMean[c]) / Math.Sqrt(bn.MovingVariance[c] + 1e-3) + bn.Beta[c];
            Assert.Equal(expected, output[i], 4);
        }
    }

    [Fact]
    public void Global_Average_Pool_And_Dense_Forward_Match_A_Float64_Reference()
    {
        var random = new SeededRandom(6);
        var input = Enumerable.Range(0, 2 * 3 * 5).Select(_ => (float)random.NextGaussian()).ToArray();
        var pooled = new float[2 * 3];
        new GlobalAveragePoolLayer(3, 5).Forward(input, 2, pooled, training: false);
        for (var r = 0; r < 6; r++)
            Assert.Equal(Enumerable.Range(0, 5).Average(s => (double)input[r * 5 + s]), pooled[r], 5);

        var dense = Dense(3, 2, Activation.Selu(), random);
        var output = new float[2 * 2];
        dense.Forward(pooled, 2, output, training: true);
        for (var b = 0; b < 2; b++)
            for (var o = 0; o < 2; o++)
            {
                var z = dense.Bias[o] + Enumerable.Range(0, 3).Sum(i => (double)pooled[b * 3 + i] * dense.Weights[o * 3 + i]);
                var expected = z >= 0 ? Activation.SeluGamma * z : Activation.SeluGamma * Activation.SeluAlpha * (Math.Exp(z) - 1);
                Assert.Equal(expected, output[b * 2 + o], 5);
            }
    }

    private static double NumericGradient(Network network, float[] values, int index, float[] features, int[] labels)
    {
        const float h = 1e-3f;
        var saved = values[index];
        values[index] = saved + h;
        var plus = Loss(network, features, labels);
        values[index] = saved - h;
        var minus = Loss(network, features, labels);
        values[index] = saved;
        return (plus - minus) / (2 * h);
    }

    private static double Loss(Network network, float[] features, int[] labels) =>
        network.ForwardLoss(features, labels, labels.Length, training: true).LossSum / labels.Length + network.Penalty();

    internal static DenseLayer Dense(int inputs, int outputs, Activation activation, SeededRandom random, float l2 = 0, float l1 = 0)
    {
        var layer = new DenseLayer(inputs, outputs, activation, name: $"dense_{inputs}x{outputs}") { L2 = l2, L1 = l1 };
        WeightInitializer.GlorotUniform.Fill(layer.Weights, inputs, outputs, random);
        for (var i = 0; i < outputs; i++)
            layer.Bias[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
        return layer;
    }

    /// <summary>γ, β and the moving statistics away from their initial 1/0, so that a wrong formula shows.</summary>
    internal static BatchNormLayer Randomized(BatchNormLayer bn, SeededRandom random)
    {
        for (var c = 0; c < bn.Channels; c++)
        {
            bn.Gamma[c] = 0.5f + (float)random.NextDouble();
            bn.Beta[c] = (float)random.NextGaussian() * 0.3f;
            bn.MovingMean[c] = (float)random.NextGaussian() * 0.5f;
            bn.MovingVariance[c] = 0.5f + (float)random.NextDouble();
        }
        return bn;
    }
}
