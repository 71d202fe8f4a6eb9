using OnnxBn.Runtime;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Training.Tests;

public sealed class TrainerTests
{
    /// <summary>Two Gaussian blobs per class along a random direction: linearly separable with a margin.</summary>
    internal static LabeledData Blobs(int count, int size, int classes, ulong seed)
    {
        var random = new SeededRandom(seed);
        var centers = new float[classes * size];
        for (var i = 0; i < centers.Length; i++)
            centers[i] = (float)random.NextGaussian() * 2f;
        var features = new float[count * size];
        var labels = new int[count];
        for (var n = 0; n < count; n++)
        {
            labels[n] = random.NextInt(classes);
            for (var j = 0; j < size; j++)
                features[n * size + j] = centers[labels[n] * size + j] + (float)random.NextGaussian() * 0.5f;
        }
        return new LabeledData(features, labels, size);
    }

    private static Network Head(int size, int classes, ulong seed, params int[] hidden) =>
        HeadFactory.Create(size, classes, hidden, Activation.Relu, WeightInitializer.GlorotUniform, seed);

    [Theory]
    [InlineData(2, OptimizerKind.Sgd)]
    [InlineData(2, OptimizerKind.Adam)]
    [InlineData(4, OptimizerKind.RAdam)]
    public void Learns_Separable_Blobs(int classes, OptimizerKind optimizer)
    {
        var data = Blobs(400, 8, classes, 3);
        var network = Head(8, classes, 1, 16);
        var options = new TrainingOptions { Epochs = 10, Optimizer = optimizer, LearningRate = optimizer == OptimizerKind.Sgd ? 0.05f : 0.01f };
        var history = Trainer.Fit(network, data, null, options);
        Assert.Equal(10, history.Epochs.Count);
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss);
        Assert.True(network.Evaluate(data).Accuracy > 0.95, $"accuracy {network.Evaluate(data).Accuracy}");
    }

    [Fact]
    public void Same_Seed_Gives_Identical_Weights_Bit_For_Bit()
    {
        var data = Blobs(300, 6, 3, 5);
        var options = new TrainingOptions { Epochs = 3, Optimizer = OptimizerKind.Adam, Schedule = ScheduleKind.OneCycle, LearningRate = 0.01f, Seed = 9 };
        var a = Head(6, 3, 11, 5);
        var b = Head(6, 3, 11, 5);
        Trainer.Fit(a, data, null, options);
        Trainer.Fit(b, data, null, options);
        for (var l = 0; l < a.Layers.Count; l++)
        {
            Assert.Equal(((DenseLayer)a.Layers[l]).Weights, ((DenseLayer)b.Layers[l]).Weights);
            Assert.Equal(((DenseLayer)a.Layers[l]).Bias, ((DenseLayer)b.Layers[l]).Bias);
        }
        var c = Head(6, 3, 11, 5);
        Trainer.Fit(c, data, null, options with { Seed = 10 });
        Assert.NotEqual(((DenseLayer)a.Layers[0]).Weights, ((DenseLayer)c.Layers[0]).Weights);
    }

    [Fact]
    public void Early_Stopping_Restores_The_Best_Epoch()
    {
        var train = Blobs(200, 4, 2, 21);
        // Validation labels flipped: the better the fit, the worse the validation loss, so epoch 1 stays the best.
        var validation = new LabeledData(train.Features, train.Labels.Select(l => 1 - l).ToArray(), 4);
        var options = new TrainingOptions { Epochs = 10, LearningRate = 0.05f, Patience = 2 };
        var stopped = Head(4, 2, 2);
        var history = Trainer.Fit(stopped, train, validation, options, "frozen");
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal(1, history.EarlyStops["frozen"]);

        var oneEpoch = Head(4, 2, 2);
        Trainer.Fit(oneEpoch, train, validation, options with { Epochs = 1, Patience = 0 });
        Assert.Equal(((DenseLayer)oneEpoch.Layers[0]).Weights, ((DenseLayer)stopped.Layers[0]).Weights);
        Assert.Equal(((DenseLayer)oneEpoch.Layers[0]).Bias, ((DenseLayer)stopped.Layers[0]).Bias);
    }

    [Fact]
    public void Epoch_Line_Looks_Like_Keras()
    {
        var line = new EpochRecord("frozen", 3, 16, 0.12341, 0.95, 0.2, 0.9, 0.001, 0.01).ToKerasLine();
        Assert.Equal("Epoch 3/16 - 0.010s - loss: 0.1234 - accuracy: 0.9500 - val_loss: 0.2000 - val_accuracy: 0.9000 - lr: 0.001", line);
    }

    [Fact]
    public void History_Writes_Csv_And_Keras_Shaped_Json()
    {
        var history = new TrainingHistory();
        history.Add(new EpochRecord("frozen", 1, 2, 0.5, 0.75, double.NaN, double.NaN, 0.01, 0.1));
        history.Add(new EpochRecord("frozen", 2, 2, 0.25, 0.875, double.NaN, double.NaN, 0.01, 0.1));
        var csv = history.ToCsv().Split('\n');
        Assert.Equal("step,phase,epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds", csv[0]);
        Assert.Equal("2,frozen,2,0.25,0.875,,,0.01,0.1", csv[2]);
        using var json = System.Text.Json.JsonDocument.Parse(history.ToJson());
        Assert.Equal(0.875, json.RootElement.GetProperty("accuracy")[1].GetDouble());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("val_loss")[0].ValueKind);
    }

    [Fact]
    public void Rejects_Data_Of_Another_Width()
    {
        var ex = Assert.Throws<ArgumentException>(() => Trainer.Fit(Head(5, 2, 1), Blobs(10, 4, 2, 1), null, new TrainingOptions()));
        Assert.Contains("4 features but the network takes 5", ex.Message);
    }

    [Fact]
    public void Initializers_Have_The_Variance_They_Promise()
    {
        var random = new SeededRandom(4);
        var weights = new float[200 * 100];
        foreach (var (init, expected) in new[]
        {
            (WeightInitializer.GlorotUniform, 1.0 / 150), (WeightInitializer.HeNormal, 2.0 / 200),
            (WeightInitializer.HeUniform, 2.0 / 200), (WeightInitializer.LecunNormal, 1.0 / 200),
            (new WeightInitializer(3, FanMode.FanOut, InitDistribution.UntruncatedNormal), 3.0 / 100),
        })
        {
            init.Fill(weights, 200, 100, random);
            var variance = weights.Select(w => (double)w * w).Average();
            Assert.InRange(variance / expected, 0.95, 1.05);
        }
        WeightInitializer.HeNormal.Fill(weights, 200, 100, random);
        Assert.All(weights, w => Assert.InRange(w, -2 * 0.1 / WeightInitializer.TruncatedNormalStddev - 1e-6, 2 * 0.1 / WeightInitializer.TruncatedNormalStddev + 1e-6));
    }
}
