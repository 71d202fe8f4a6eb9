using OnnxBn.Runtime.Data;

namespace OnnxBn.Training.Tests;

/// <summary>Dropout, regularizers and class weights mean what they mean in Keras, down to loss values computed by hand.</summary>
public sealed class KerasSemanticsTests
{
    [Fact]
    public void Dropout_Zeroes_About_Rate_And_Scales_The_Rest_While_Training_Only()
    {
        var dropout = new DropoutLayer(1000, 0.7f);
        dropout.Reseed(1);
        var input = Enumerable.Repeat(2f, 4000).ToArray();
        var output = new float[input.Length];
        dropout.Forward(input, 4, output, training: true);
        var dropped = output.Count(v => v == 0f);
        Assert.InRange(dropped / 4000.0, 0.67, 0.73);
        // Inverted dropout: survivors are scaled by 1/(1 − rate), so the expected value is unchanged.
        Assert.All(output.Where(v => v != 0f), v => Assert.Equal(2f / 0.3f, v, 4));
        dropout.Forward(input, 4, output, training: false);
        Assert.Equal(input, output);
    }

    [Fact]
    public void L2_Penalty_Is_Added_To_The_Loss_As_Keras_Computes_It()
    {
        // Dense(2 → 1) with l2 = 0.01, one example x = [1, 2] of class 1:
        // z = 0.5·1 − 1·2 + 0.25 = −1.25, BCE = log(1 + e^1.25) = 1.519 667 …, penalty = 0.01·(0.5² + 1²) = 0.0125.
        var output = new DenseLayer(2, 1, Activation.Identity, name: "out") { L2 = 0.01f };
        output.Weights[0] = 0.5f;
        output.Weights[1] = -1f;
        output.Bias[0] = 0.25f;
        var network = new Network([output], HeadLoss.BinaryCrossEntropy);
        var (loss, _) = network.Evaluate(new LabeledData([1f, 2f], [1], 2));
        Assert.Equal(Math.Log(1 + Math.Exp(1.25)) + 0.0125, loss, 6);

        // The gradient of the penalty, 2·l2·w, is added to the weights' gradient (not to the bias).
        network.ComputeGradients([1f, 2f], [1], 1);
        var sigmoid = 1 / (1 + Math.Exp(1.25));
        Assert.Equal((sigmoid - 1) * 1 + 2 * 0.01 * 0.5, output.WeightGradient[0], 5);
        Assert.Equal((sigmoid - 1) * 2 + 2 * 0.01 * -1, output.WeightGradient[1], 5);
        Assert.Equal(sigmoid - 1, output.BiasGradient[0], 5);
    }

    [Fact]
    public void L1_Penalty_Uses_Absolute_Values()
    {
        var output = new DenseLayer(2, 1, Activation.Identity) { L1 = 0.1f };
        output.Weights[0] = -3f;
        output.Weights[1] = 0.5f;
        Assert.Equal(0.35, output.Penalty(), 6);
    }

    [Fact]
    public void Epoch_Loss_Includes_The_Penalty_And_Class_Weights_Scale_Each_Example()
    {
        // Learning rate so small the weights do not move measurably: the epoch's loss is the loss of the start weights.
        var output = new DenseLayer(1, 1, Activation.Identity) { L2 = 0.5f };
        output.Weights[0] = 2f;
        var network = new Network([output], HeadLoss.BinaryCrossEntropy);
        var data = new LabeledData([1f, -1f], [1, 0], 1);
        var history = Trainer.Fit(network, data, null, new TrainingOptions { Epochs = 1, BatchSize = 2, LearningRate = 1e-30f, ClassWeights = [3f, 1f] });
        // Both examples have z = ±2 on the right side: BCE = log(1 + e^-2) each; class 0 weighs 3, class 1 weighs 1;
        // Keras divides the weighted sum by the batch size and adds l2·w² = 0.5·4.
        var bce = Math.Log(1 + Math.Exp(-2));
        Assert.Equal((3 * bce + 1 * bce) / 2 + 2.0, history.Epochs[0].Loss, 6);
    }

    [Fact]
    public void Early_Stopping_And_Plateau_Need_Validation_Data()
    {
        var network = HeadFactory.Create(4, 2, [], Activation.Relu, WeightInitializer.GlorotUniform, 1);
        var data = TrainerTests.Blobs(20, 4, 2, 1);
        Assert.Throws<ArgumentException>(() => Trainer.Fit(network, data, null, new TrainingOptions { Patience = 2 }));
        Assert.Throws<ArgumentException>(() => Trainer.Fit(network, data, null, new TrainingOptions { Plateau = new PlateauOptions(2) }));
    }
}
