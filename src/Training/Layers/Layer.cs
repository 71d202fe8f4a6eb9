namespace OnnxBn.Training;

/// <summary>
/// One layer of a <see cref="Network"/>: a map from <see cref="Inputs"/> values per example to <see cref="Outputs"/>
/// values per example, run on whole mini-batches (row-major, one row per example). A layer keeps what its backward pass
/// needs from the last forward pass (pre-activations, dropout masks, normalized values) in buffers it grows on demand,
/// so a training step allocates nothing.
/// </summary>
public abstract class Layer
{
    /// <summary>A layer named <paramref name="name"/>.</summary>
    protected Layer(string name, int inputs, int outputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>A label for messages, checkpoints and the exported nodes.</summary>
    public string Name { get; }

    /// <summary>Values per example in.</summary>
    public int Inputs { get; }

    /// <summary>Values per example out.</summary>
    public int Outputs { get; }

    /// <summary>Whether the optimizer updates this layer's parameters (Keras' <c>layer.trainable</c>).</summary>
    public bool Trainable { get; set; } = true;

    /// <summary>The tensors the optimizer updates, with their gradients (empty for parameter-free layers).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => [];

    /// <summary>
    /// Every tensor that defines the layer's state: the parameters plus any statistics (BatchNormalization's moving
    /// mean and variance). Snapshots for early stopping and checkpoints copy exactly these.
    /// </summary>
    public virtual IReadOnlyList<float[]> State => Parameters.Select(p => p.Values).ToArray();

    /// <summary>A short Keras-like description: <c>Dense(128, relu, l2=0.01)</c>.</summary>
    public abstract string Describe();

    /// <summary>
    /// output = layer(input) for <paramref name="batch"/> rows. <paramref name="training"/> selects Keras' training
    /// behaviour (dropout active, batch statistics) versus inference.
    /// </summary>
    internal abstract void Forward(ReadOnlySpan<float> input, int batch, Span<float> output, bool training);

    /// <summary>
    /// Back-propagates <paramref name="outputGradient"/> (dL/d output of the last forward pass, which the layer may
    /// overwrite): adds the parameters' gradients when <see cref="Trainable"/>, and writes dL/d input into
    /// <paramref name="inputGradient"/> unless it is empty (nothing before this layer needs it).
    /// </summary>
    internal abstract void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, Span<float> outputGradient, int batch,
        Span<float> inputGradient);

    /// <summary>The regularization term this layer adds to the loss (Keras' <c>layer.losses</c>).</summary>
    public virtual double Penalty() => 0;

    /// <summary>Adds the gradient of <see cref="Penalty"/> to the parameters' gradients.</summary>
    internal virtual void AddPenaltyGradient()
    {
    }

    /// <summary>Zeroes the parameters' gradients before a step.</summary>
    internal void ZeroGradients()
    {
        foreach (var p in Parameters)
            Array.Clear(p.Gradient);
    }

    /// <summary>Gives a layer with randomness (dropout) a fresh generator for an epoch.</summary>
    internal virtual void Reseed(ulong seed)
    {
    }
}
