using System.CommandLine;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// <c>onnxbn transfer modelA.onnx [--task B | --features X.npy --labels y.npy] [--cut auto|TENSOR] [--unfreeze K]
/// [-o model_B.onnx] ...</c>: Hands-On ML's transfer learning with an ONNX model A — cut before its output layer, train
/// a new head in C# on the frozen base's features, optionally fine-tune the base's last dense layers, export model B
/// and check it through ONNX Runtime on the test set. Ctrl-C or SIGTERM stops training between two mini-batches and
/// still writes model B (best weights so far) and the history, exiting with <see cref="InterruptedExitCode"/>.
/// </summary>
/// <param name="interrupt">Stops training as Ctrl-C does (for in-process callers and tests).</param>
internal sealed partial class TransferCommand(CancellationToken interrupt) : ICliCommand
{
    /// <summary>The exit code after Ctrl-C/SIGTERM (128 + SIGINT, as shells report it), with model B and history written.</summary>
    internal const int InterruptedExitCode = (int)ExitCode.Interrupted;

    private static readonly Argument<string> ModelArgument = new("model") { Description = "Model A (.onnx), the base to transfer from." };

    private static readonly Option<string> TaskOption = new("--task") { Description = "Fashion-MNIST task: A (8 classes), B (sandal vs shirt) or all (10 classes).", DefaultValueFactory = _ => "B" };
    private static readonly Option<string> DataOption = new("--data") { HelpName = "SPEC", Description = "Fashion-MNIST: fashion-mnist (Debian's /usr/share/datasets/fashion-mnist, the default) or DIR of IDX files (.gz or raw); both splits are used.", DefaultValueFactory = _ => Runtime.Data.FashionMnist.DefaultDirectory };
    private static readonly Option<string?> FeaturesOption = new("--features") { Description = "Generic input: a .npy of examples [N, ...] in the model's input layout (instead of --task)." };
    private static readonly Option<string?> LabelsOption = new("--labels") { Description = "Class labels for --features (.npy, N integers)." };
    private static readonly Option<string?> TestFeaturesOption = new("--test-features") { Description = "Optional test examples for --features (.npy)." };
    private static readonly Option<string?> TestLabelsOption = new("--test-labels") { Description = "Labels for --test-features (.npy)." };
    private static readonly Option<int?> TrainLimitOption = new("--train-limit") { Description = "Train on at most N examples (the book trains B on 200)." };
    private static readonly Option<double?> ValSplitOption = new("--val-split") { Description = "Keras' validation_split: the last fraction of the training examples given (after --train-limit) validates; 200 with 0.2 → 160 train / 40 validation." };
    private static readonly Option<double?> HoldoutSplitOption = new("--holdout-split") { Description = "Instead of --val-split: shuffle the task's pool and hold out this fraction for validation before --train-limit (default 0.2 when --val-split is not given)." };
    private static readonly Option<ulong> SeedOption = new("--seed") { Description = "Seed for splitting, shuffling and initialization.", DefaultValueFactory = _ => 42UL };
    private static readonly Option<string> CutOption = new("--cut") { Description = "auto (the input of A's output layer) or a tensor name.", DefaultValueFactory = _ => "auto" };
    private static readonly Option<string?> CacheOption = new("--cache") { Description = "Keep the base's features in this .npy file (reused when model and data match)." };
    private static readonly Option<int> FeatureBatchOption = new("--feature-batch") { Description = "Examples per ONNX Runtime run during feature extraction.", DefaultValueFactory = _ => 256 };
    private static readonly Option<int?> ClassesOption = new("--classes") { Description = "Classes of the new task (default: from the task or the labels); 2 → Dense(1)+sigmoid, k>2 → Dense(k)+softmax." };
    private static readonly Option<string?> HeadOption = new("--head") { Description = "The head as Keras layers, e.g. \"gap, dropout(0.7), dense(128, relu, l2=0.01)\": gap, flatten, dropout(rate), dense(units[, activation][, l2=…][, l1=…]), batchnorm. The output layer follows from the classes." };
    private static readonly Option<string?> HiddenOption = new("--hidden") { Description = "Shorthand for --head: hidden dense layers, e.g. 32 or 100,50 (with --activation)." };
    private static readonly Option<string> ActivationOption = new("--activation") { Description = "Activation of hidden layers: relu, leaky_relu, elu, selu.", DefaultValueFactory = _ => "relu" };
    private static readonly Option<string> InitOption = new("--init") { Description = "glorot_uniform, he_normal, he_uniform, lecun_normal or variance_scaling.", DefaultValueFactory = _ => "glorot_uniform" };
    private static readonly Option<double> InitScaleOption = new("--init-scale") { Description = "variance_scaling: scale.", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<string> InitModeOption = new("--init-mode") { Description = "variance_scaling: fan_in, fan_out or fan_avg.", DefaultValueFactory = _ => "fan_in" };
    private static readonly Option<string> InitDistributionOption = new("--init-distribution") { Description = "variance_scaling: truncated_normal, normal or uniform.", DefaultValueFactory = _ => "truncated_normal" };
    private static readonly Option<string> OptimizerOption = new("--optimizer") { Description = "sgd, adam, adamw, nadam, rmsprop or radam (Keras' defaults).", DefaultValueFactory = _ => "sgd" };
    private static readonly Option<float> WeightDecayOption = new("--weight-decay") { Description = "AdamW's decoupled weight decay.", DefaultValueFactory = _ => 0.004f };
    private static readonly Option<float> RhoOption = new("--rho") { Description = "RMSprop's rho.", DefaultValueFactory = _ => 0.9f };
    private static readonly Option<float?> EpsilonOption = new("--epsilon") { Description = "ε of the adaptive optimizers (default: Keras' 1e-7; 1e-8 for radam)." };
    private static readonly Option<string?> ClassWeightOption = new("--class-weight") { Description = "Keras' class_weight: 'balanced' or CLASS:WEIGHT pairs, e.g. 0:1,1:3." };
    private static readonly Option<int> ReduceLrPatienceOption = new("--reduce-lr-patience") { Description = "ReduceLROnPlateau on val_loss after N epochs without improvement (0 = off).", DefaultValueFactory = _ => 0 };
    private static readonly Option<double> ReduceLrFactorOption = new("--reduce-lr-factor") { Description = "ReduceLROnPlateau: factor.", DefaultValueFactory = _ => 0.1 };
    private static readonly Option<double> ReduceLrMinDeltaOption = new("--reduce-lr-min-delta") { Description = "ReduceLROnPlateau: smallest val_loss decrease that counts.", DefaultValueFactory = _ => 1e-4 };
    private static readonly Option<int> ReduceLrCooldownOption = new("--reduce-lr-cooldown") { Description = "ReduceLROnPlateau: epochs to wait after a reduction.", DefaultValueFactory = _ => 0 };
    private static readonly Option<double> MinLrOption = new("--min-lr") { Description = "ReduceLROnPlateau: lower bound on the learning rate.", DefaultValueFactory = _ => 0.0 };
    private static readonly Option<string?> CheckpointOption = new("--checkpoint") { Description = "Directory for checkpoints during training: best.onnx, last.onnx (model B) and checkpoint.json." };
    private static readonly Option<string?> ResumeOption = new("--resume") { Description = "Continue from a --checkpoint directory (same model, head and optimizer)." };
    private static readonly Option<float> LearningRateOption = new("--lr") { Description = "Learning rate (the peak for 1cycle).", DefaultValueFactory = _ => 1e-3f };
    private static readonly Option<float> MomentumOption = new("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0f };
    private static readonly Option<bool> NesterovOption = new("--nesterov") { Description = "SGD with Nesterov momentum." };
    private static readonly Option<float> Beta1Option = new("--beta1") { Description = "Adam/RAdam β1.", DefaultValueFactory = _ => 0.9f };
    private static readonly Option<float> Beta2Option = new("--beta2") { Description = "Adam/RAdam β2.", DefaultValueFactory = _ => 0.999f };
    private static readonly Option<string> ScheduleOption = new("--schedule") { Description = "constant, exponential or 1cycle.", DefaultValueFactory = _ => "constant" };
    private static readonly Option<double?> DecayStepsOption = new("--decay-steps") { Description = "exponential: steps per decay by --decay-rate (default: the whole phase)." };
    private static readonly Option<double> DecayRateOption = new("--decay-rate") { Description = "exponential: factor per --decay-steps.", DefaultValueFactory = _ => 0.1 };
    private static readonly Option<float?> ClipValueOption = new("--clip-value") { Description = "Clip each gradient component to [-v, v] (Keras clipvalue)." };
    private static readonly Option<float?> ClipNormOption = new("--clip-norm") { Description = "Rescale each gradient tensor whose L2 norm exceeds this (Keras clipnorm)." };
    private static readonly Option<float?> ClipGlobalNormOption = new("--clip-global-norm") { Description = "Rescale all gradients when their joint L2 norm exceeds this." };
    private static readonly Option<int> BatchOption = new("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => 32 };
    private static readonly Option<int> EpochsOption = new("--epochs") { Description = "Epochs with the base frozen.", DefaultValueFactory = _ => 4 };
    private static readonly Option<int> PatienceOption = new("--patience") { Description = "Early stopping on val_loss after N epochs without improvement, restoring the best weights (0 = off; needs validation data).", DefaultValueFactory = _ => 0 };
    private static readonly Option<int> UnfreezeOption = new("--unfreeze") { Description = "After the frozen phase, fine-tune the last K dense layers of the base too.", DefaultValueFactory = _ => 0 };
    private static readonly Option<float> FineTuneLrOption = new("--fine-tune-lr") { Description = "Learning rate while fine-tuning.", DefaultValueFactory = _ => 1e-4f };
    private static readonly Option<int> FineTuneEpochsOption = new("--fine-tune-epochs") { Description = "Epochs of fine-tuning.", DefaultValueFactory = _ => 16 };
    private static readonly Option<string?> HistoryOption = new("--history") { Description = "Write PREFIX.csv, PREFIX.json and PREFIX.svg (loss and accuracy curves)." };
    private static readonly Option<string?> OutputOption = new("--output", "-o") { Description = "Write model B (base + head) to this .onnx file." };
    private static readonly Option<string> OutputNameOption = new("--output-name") { Description = "Name of model B's probability output.", DefaultValueFactory = _ => "probability" };
    private static readonly Option<bool> BenchFeaturesOption = new("--bench-features") { Description = "Also time feature extraction against a plain batched ONNX Runtime run." };

    private static readonly Option[] AllOptions =
    [
        TaskOption, DataOption, FeaturesOption, LabelsOption, TestFeaturesOption, TestLabelsOption, TrainLimitOption, ValSplitOption,
        HoldoutSplitOption, SeedOption, CutOption, CacheOption, FeatureBatchOption, ClassesOption, HeadOption, HiddenOption, ActivationOption, InitOption,
        InitScaleOption, InitModeOption, InitDistributionOption, OptimizerOption, WeightDecayOption, RhoOption, EpsilonOption,
        ClassWeightOption, ReduceLrPatienceOption, ReduceLrFactorOption, ReduceLrMinDeltaOption, ReduceLrCooldownOption, MinLrOption,
        CheckpointOption, ResumeOption, LearningRateOption, MomentumOption,
        NesterovOption, Beta1Option, Beta2Option, ScheduleOption, DecayStepsOption, DecayRateOption, ClipValueOption,
        ClipNormOption, ClipGlobalNormOption, BatchOption, EpochsOption, PatienceOption, UnfreezeOption, FineTuneLrOption,
        FineTuneEpochsOption, HistoryOption, OutputOption, OutputNameOption, BenchFeaturesOption,
    ];

    public Command Build(CliConsole console)
    {
        var command = new Command("transfer",
            "Transfer learning A→B: cut model A before its output layer, train a new head in C# on the frozen base's " +
            "features (optionally fine-tune its last dense layers), export model B and check it with ONNX Runtime. " +
            "Ctrl-C/SIGTERM stops training, writes model B from the best weights so far and the history, and exits with 130.");
        command.Arguments.Add(ModelArgument);
        foreach (var option in AllOptions)
            command.Options.Add(option);
        command.SetAction(parsed => Execute(parsed, console, interrupt));
        return command;
    }
}
