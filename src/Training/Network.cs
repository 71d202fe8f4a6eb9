using System.Numerics.Tensors;
using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>How the last layer's logits become probabilities and a loss.</summary>
public enum HeadLoss
{
    /// <summary>One logit, sigmoid, binary cross-entropy (targets 0/1).</summary>
    BinaryCrossEntropy,
    /// <summary>k logits, softmax, categorical cross-entropy (targets 0..k−1).</summary>
    SoftmaxCrossEntropy,
}

/// <summary>One trainable tensor and its gradient, as the optimizer and the clipping see them.</summary>
public sealed record Parameter(string Name, float[] Values, float[] Gradient);

/// <summary>
/// A stack of layers whose last layer is a dense layer emitting logits, trained with <see cref="HeadLoss"/>. Forward
/// and backward passes run on whole mini-batches in preallocated buffers (grown on demand, never per step).
/// </summary>
public sealed partial class Network
{
    private float[][] _a = [];
    private float[][] _delta = [];
    private int _capacity;

    /// <summary>A network over <paramref name="layers"/> (first to last).</summary>
    /// <exception cref="ArgumentException">Layers do not chain, the last has an activation, or the loss does not fit its width.</exception>
    public Network(IReadOnlyList<Layer> layers, HeadLoss loss)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count == 0)
            throw new ArgumentException("A network needs at least one layer.", nameof(layers));
        for (var i = 1; i < layers.Count; i++)
            if (layers[i].Inputs != layers[i - 1].Outputs)
                throw new ArgumentException(
                    $"Layer {i} ({layers[i].Name}) takes {layers[i].Inputs} inputs but layer {i - 1} gives {layers[i - 1].Outputs}.", nameof(layers));
        if (layers[^1] is not DenseLayer last || last.Activation.Kind != ActivationKind.Identity)
            throw new ArgumentException("The last layer must output logits (no activation); the loss applies sigmoid or softmax.", nameof(layers));
        if (loss == HeadLoss.BinaryCrossEntropy && last.Outputs != 1)
            throw new ArgumentException($"Binary cross-entropy needs one output, not {last.Outputs}.", nameof(layers));
        if (loss == HeadLoss.SoftmaxCrossEntropy && last.Outputs < 2)
            throw new ArgumentException("Softmax cross-entropy needs at least two outputs.", nameof(layers));
        Layers = layers.ToArray();
        Loss = loss;
    }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>The loss (and output function).</summary>
    public HeadLoss Loss { get; }

    /// <summary>Features per example.</summary>
    public int InputSize => Layers[0].Inputs;

    /// <summary>Probabilities per example (1 for binary).</summary>
    public int OutputSize => Layers[^1].Outputs;

    /// <summary>The parameters of the trainable layers, in layer order.</summary>
    public IReadOnlyList<Parameter> TrainableParameters() => Layers.Where(l => l.Trainable).SelectMany(l => l.Parameters).ToArray();

    /// <summary>The regularization terms of every layer (Keras adds them to the reported loss).</summary>
    public double Penalty() => Layers.Sum(l => l.Penalty());

    /// <summary>Gives each layer with randomness (dropout) a generator derived from <paramref name="seed"/> and its position.</summary>
    public void Reseed(ulong seed)
    {
        for (var l = 0; l < Layers.Count; l++)
            Layers[l].Reseed(unchecked(seed * 0x9E3779B97F4A7C15UL + (ulong)l + 1));
    }

    /// <summary>Probabilities for <paramref name="count"/> rows of <paramref name="features"/> (row-major, <see cref="OutputSize"/> per row).</summary>
    public void Predict(ReadOnlySpan<float> features, int count, Span<float> probabilities, int batchSize = 1024)
    {
        for (var start = 0; start < count; start += batchSize)
        {
            var n = Math.Min(batchSize, count - start);
            ForwardPass(features.Slice(start * InputSize, n * InputSize), n, training: false);
            var logits = _a[^1].AsSpan(0, n * OutputSize);
            var output = probabilities.Slice(start * OutputSize, n * OutputSize);
            if (Loss == HeadLoss.BinaryCrossEntropy)
                TensorPrimitives.Sigmoid(logits, output);
            else
                for (var b = 0; b < n; b++)
                    TensorPrimitives.SoftMax(logits.Slice(b * OutputSize, OutputSize), output.Slice(b * OutputSize, OutputSize));
        }
    }

    /// <summary>Probabilities for every row of <paramref name="data"/>.</summary>
    public float[] Predict(LabeledData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = new float[data.Count * OutputSize];
        Predict(data.Features, data.Count, result);
        return result;
    }

    /// <summary>The predicted class of each row: p ≥ 0.5 for binary, the arg-max otherwise.</summary>
    public int[] PredictClasses(LabeledData data)
    {
        var probabilities = Predict(data);
        var classes = new int[data.Count];
        for (var i = 0; i < classes.Length; i++)
            classes[i] = Loss == HeadLoss.BinaryCrossEntropy
                ? (probabilities[i] >= 0.5f ? 1 : 0)
                : TensorPrimitives.IndexOfMax(probabilities.AsSpan(i * OutputSize, OutputSize));
        return classes;
    }

    /// <summary>Mean loss (plus the regularization terms, as Keras' evaluate reports it) and accuracy over <paramref name="data"/>, in inference mode.</summary>
    public (double Loss, double Accuracy) Evaluate(LabeledData data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
            return (double.NaN, double.NaN);
        double loss = 0;
        var correct = 0;
        for (var start = 0; start < data.Count; start += batchSize)
        {
            var n = Math.Min(batchSize, data.Count - start);
            var (l, c) = ForwardLoss(data.Features.AsSpan(start * InputSize, n * InputSize), data.Labels.AsSpan(start, n), n, training: false);
            loss += l;
            correct += c;
        }
        return (loss / data.Count + Penalty(), (double)correct / data.Count);
    }

    /// <summary>A copy of every layer's state (weights, biases, BN statistics), for early stopping's best epoch and checkpoints.</summary>
    public float[][] SnapshotWeights() => Layers.SelectMany(l => l.State).Select(t => (float[])t.Clone()).ToArray();

    /// <summary>Puts back a state taken with <see cref="SnapshotWeights"/>.</summary>
    /// <exception cref="ArgumentException">The snapshot is of another network.</exception>
    public void RestoreWeights(float[][] snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var state = Layers.SelectMany(l => l.State).ToArray();
        if (state.Length != snapshot.Length || state.Where((t, i) => t.Length != snapshot[i].Length).Any())
            throw new ArgumentException("The snapshot was taken from a network of another shape.", nameof(snapshot));
        for (var i = 0; i < state.Length; i++)
            snapshot[i].CopyTo(state[i], 0);
    }

    private void EnsureCapacity(int batch)
    {
        if (batch <= _capacity)
            return;
        _capacity = batch;
        _a = Layers.Select(l => new float[batch * l.Outputs]).ToArray();
        _delta = Layers.Select(l => new float[batch * l.Outputs]).ToArray();
    }

    private void ForwardPass(ReadOnlySpan<float> features, int batch, bool training)
    {
        EnsureCapacity(batch);
        var input = features;
        for (var l = 0; l < Layers.Count; l++)
        {
            Layers[l].Forward(input, batch, _a[l], training);
            input = _a[l].AsSpan(0, batch * Layers[l].Outputs);
        }
    }
}
