using OnnxBn.Runtime.Data;

namespace OnnxBn.Training;

/// <summary>How to turn model A into model B: where to cut, what head to add, how to train it and what to fine-tune.</summary>
public sealed record TransferOptions
{
    /// <summary>"auto" (the input of A's output layer) or the name of any tensor of A.</summary>
    public string Cut { get; init; } = "auto";

    /// <summary>Dense layers of the base, counted back from the cut, to fine-tune after the frozen phase (0 = none).</summary>
    public int Unfreeze { get; init; }

    /// <summary>The frozen phase: the head alone on the base's features.</summary>
    public TrainingOptions Training { get; init; } = new() { Epochs = 4 };

    /// <summary>The fine-tuning phase (used when <see cref="Unfreeze"/> &gt; 0); Hands-On ML uses η = 1e-4 for 16 epochs.</summary>
    public TrainingOptions FineTune { get; init; } = new() { Epochs = 16, LearningRate = 1e-4f };

    /// <summary>Classes of the new task: 2 gives Dense(1)+sigmoid, more give Dense(k)+softmax.</summary>
    public int Classes { get; init; } = 2;

    /// <summary>
    /// The head's layers before the output layer, as written with <see cref="HeadSpec.Parse"/> (null: the
    /// <see cref="Hidden"/> shorthand). A head starting with gap makes <c>Cut = "auto"</c> cut in front of model A's
    /// global pooling.
    /// </summary>
    public IReadOnlyList<HeadLayer>? Head { get; init; }

    /// <summary>Widths of hidden dense layers in the head when <see cref="Head"/> is null (empty: the output layer alone).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [];

    /// <summary>Activation of the head's hidden layers.</summary>
    public Activation HiddenActivation { get; init; } = Activation.Relu;

    /// <summary>Initializer of the head's weights.</summary>
    public WeightInitializer Initializer { get; init; } = WeightInitializer.GlorotUniform;

    /// <summary>Seeds the head's initialization.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Examples per ONNX Runtime run while extracting features.</summary>
    public int FeatureBatch { get; init; } = 256;

    /// <summary>A .npy file to keep the extracted features in (reused when model and data are the same).</summary>
    public string? CachePath { get; init; }

    /// <summary>
    /// A directory to write checkpoints to during training: <c>best.onnx</c> and <c>last.onnx</c> (model B) and
    /// <c>checkpoint.json</c> to resume from (null: none).
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>The name of model B's probability output.</summary>
    public string OutputName { get; init; } = "probability";

    /// <summary>What the data is, for model B's doc_string and metadata ("Fashion-MNIST task B, 200 train images").</summary>
    public string DataDescription { get; init; } = "";
}

/// <summary>Raw inputs of the new task: training, validation (may be empty) and test (may be empty) examples.</summary>
public sealed record TransferData(LabeledData Train, LabeledData Validation, LabeledData Test);

/// <summary>How model B, run by ONNX Runtime, compares with the training loop's own predictions on the test set.</summary>
/// <param name="Examples">Test examples.</param>
/// <param name="TrainerLoss">Mean loss computed by the training loop.</param>
/// <param name="TrainerAccuracy">Accuracy computed by the training loop.</param>
/// <param name="RuntimeAccuracy">Accuracy of model B's probabilities computed by ONNX Runtime.</param>
/// <param name="IdenticalPredictions">Examples whose predicted class is the same both ways.</param>
/// <param name="MaxProbabilityDifference">Largest |p_ORT − p_trainer| over every example and class.</param>
public sealed record TestEvaluation(int Examples, double TrainerLoss, double TrainerAccuracy, double RuntimeAccuracy,
    int IdenticalPredictions, double MaxProbabilityDifference);
