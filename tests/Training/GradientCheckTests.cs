using OnnxBn.Runtime;

namespace OnnxBn.Training.Tests;

/// <summary>
/// Back-propagation against central finite differences of the mean loss, for every activation a hidden layer can
/// have and both losses, including a frozen first layer and a bias-free layer (the fine-tuning shapes).
/// </summary>
public sealed class GradientCheckTests
{
    public static TheoryData<ActivationKind, HeadLoss> Cases()
    {
        var data = new TheoryData<ActivationKind, HeadLoss>();
        foreach (var kind in Enum.GetValues<ActivationKind>())
            foreach (var loss in Enum.GetValues<HeadLoss>())
                data.Add(kind, loss);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backprop_Matches_Finite_Differences(ActivationKind kind, HeadLoss loss)
    {
        var activation = kind switch
        {
            ActivationKind.LeakyRelu => Activation.LeakyRelu(0.2f),
            ActivationKind.Elu => Activation.Elu(1f),
            ActivationKind.Selu => Activation.Selu(),
            _ => new Activation(kind),
        };
        var classes = loss == HeadLoss.BinaryCrossEntropy ? 1 : 3;
        var random = new SeededRandom(7);
        var frozen = Layer(6, 5, activation, random, hasBias: true);
        frozen.Trainable = false;
        var hidden = Layer(5, 4, activation, random, hasBias: false);
        var output = Layer(4, classes, Activation.Identity, random, hasBias: true);
        var network = new Network([frozen, hidden, output], loss);
        var (features, labels) = Batch(random, 5, 6, loss == HeadLoss.BinaryCrossEntropy ? 2 : 3);

        network.ComputeGradients(features, labels, 5);
        var parameters = network.TrainableParameters();
        Assert.Equal(3, parameters.Count); // hidden weight (no bias), output weight and bias
        foreach (var p in parameters)
        {
            var analytic = (float[])p.Gradient.Clone();
            for (var i = 0; i < p.Values.Length; i++)
            {
                var numeric = NumericGradient(network, p.Values, i, features, labels);
                var tolerance = 2e-3 + 2e-2 * Math.Abs(numeric);
                Assert.True(Math.Abs(analytic[i] - numeric) <= tolerance,
                    $"{kind}/{loss} {p.Name}[{i}]: backprop {analytic[i]} vs finite difference {numeric}");
            }
        }
        Assert.All(frozen.WeightGradient, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Frozen_Layers_Are_Not_Trainable_Parameters()
    {
        var random = new SeededRandom(1);
        var first = Layer(3, 2, Activation.Relu, random, hasBias: true);
        first.Trainable = false;
        var network = new Network([first, Layer(2, 1, Activation.Identity, random, hasBias: true)], HeadLoss.BinaryCrossEntropy);
        Assert.Equal(["dense_1.weight", "dense_1.bias"], network.TrainableParameters().Select(p => p.Name));
    }

    private static double NumericGradient(Network network, float[] values, int index, float[] features, int[] labels)
    {
        const float h = 1e-3f;
        var saved = values[index];
        values[index] = saved + h;
        var plus = network.ForwardLoss(features, labels, labels.Length).LossSum / labels.Length;
        values[index] = saved - h;
        var minus = network.ForwardLoss(features, labels, labels.Length).LossSum / labels.Length;
        values[index] = saved;
        return (plus - minus) / (2 * h);
    }

    private static DenseLayer Layer(int inputs, int outputs, Activation activation, SeededRandom random, bool hasBias)
    {
        var layer = new DenseLayer(inputs, outputs, activation, hasBias);
        WeightInitializer.GlorotUniform.Fill(layer.Weights, inputs, outputs, random);
        if (hasBias)
            for (var i = 0; i < outputs; i++)
                layer.Bias[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
        return layer;
    }

    private static (float[] Features, int[] Labels) Batch(SeededRandom random, int count, int size, int classes)
    {
        var features = new float[count * size];
        for (var i = 0; i < features.Length; i++)
            features[i] = (float)(random.NextGaussian() * 1.5);
        var labels = Enumerable.Range(0, count).Select(_ => random.NextInt(classes)).ToArray();
        return (features, labels);
    }
}
