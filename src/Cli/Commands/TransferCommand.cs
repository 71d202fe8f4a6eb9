using System.CommandLine;

namespace OnnxBn.Cli.Commands;

/// <summary>
/// <c>onnxbn transfer modelA.onnx [--task B | --features X.npy --labels y.npy] [--cut auto|TENSOR] [--unfreeze K]
/// [-o model_B.onnx] ...</c>: Hands-On ML's transfer learning with an ONNX model A — cut before its output layer, train
/// a new head in C# on the frozen base's features, optionally fine-tune the base's last dense layers, export model B
/// and check it through ONNX Runtime on the test set.
/// </summary>
internal sealed partial class TransferCommand : ICliCommand
{
    private static readonly Argument<string> ModelArgument = new("model") { Description = "Model A (.onnx), the base to transfer from." };

    private static readonly Option<string> TaskOption = new("--task") { Description = "Fashion-MNIST task: A (8 classes) or B (sandal vs shirt).", DefaultValueFactory = _ => "B" };
    private static readonly Option<string> DataOption = new("--data") { Description = "Fashion-MNIST directory (IDX files, .gz or raw).", DefaultValueFactory = _ => Runtime.Data.FashionMnist.DefaultDirectory };
    private static readonly Option<string?> FeaturesOption = new("--features") { Description = "Generic input: a .npy of examples [N, ...] in the model's input layout (instead of --task)." };
    private static readonly Option<string?> LabelsOption = new("--labels") { Description = "Class labels for --features (.npy, N integers)." };
    private static readonly Option<string?> TestFeaturesOption = new("--test-features") { Description = "Optional test examples for --features (.npy)." };
    private static readonly Option<string?> TestLabelsOption = new("--test-labels") { Description = "Labels for --test-features (.npy)." };
    private static readonly Option<int?> TrainLimitOption = new("--train-limit") { Description = "Train on at most N examples (the book trains B on 200)." };
    private static readonly Option<double> ValSplitOption = new("--val-split") { Description = "Fraction of the task's training pool held out for validation.", DefaultValueFactory = _ => 0.2 };
    private static readonly Option<ulong> SeedOption = new("--seed") { Description = "Seed for splitting, shuffling and initialization.", DefaultValueFactory = _ => 42UL };
    private static readonly Option<string> CutOption = new("--cut") { Description = "auto (the input of A's output layer) or a tensor name.", DefaultValueFactory = _ => "auto" };
    private static readonly Option<string?> CacheOption = new("--cache") { Description = "Keep the base's features in this .npy file (reused when model and data match)." };
    private static readonly Option<int> FeatureBatchOption = new("--feature-batch") { Description = "Examples per ONNX Runtime run during feature extraction.", DefaultValueFactory = _ => 256 };
    private static readonly Option<int?> ClassesOption = new("--classes") { Description = "Classes of the new task (default: from the task or the labels); 2 → Dense(1)+sigmoid, k>2 → Dense(k)+softmax." };
    private static readonly Option<string?> HiddenOption = new("--hidden") { Description = "Hidden dense layers of the head, e.g. 32 or 100,50." };
    private static readonly Option<string> ActivationOption = new("--activation") { Description = "Activation of hidden layers: relu, leaky_relu, elu, selu.", DefaultValueFactory = _ => "relu" };
    private static readonly Option<string> InitOption = new("--init") { Description = "glorot_uniform, he_normal, he_uniform, lecun_normal or variance_scaling.", DefaultValueFactory = _ => "glorot_uniform" };
    private static readonly Option<double> InitScaleOption = new("--init-scale") { Description = "variance_scaling: scale.", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<string> InitModeOption = new("--init-mode") { Description = "variance_scaling: fan_in, fan_out or fan_avg.", DefaultValueFactory = _ => "fan_in" };
    private static readonly Option<string> InitDistributionOption = new("--init-distribution") { Description = "variance_scaling: truncated_normal, normal or uniform.", DefaultValueFactory = _ => "truncated_normal" };
    private static readonly Option<string> OptimizerOption = new("--optimizer") { Description = "sgd, adam or radam.", DefaultValueFactory = _ => "sgd" };
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
    private static readonly Option<int> PatienceOption = new("--patience") { Description = "Early stopping on val_loss after N epochs without improvement, restoring the best weights (0 = off).", DefaultValueFactory = _ => 0 };
    private static readonly Option<int> UnfreezeOption = new("--unfreeze") { Description = "After the frozen phase, fine-tune the last K dense layers of the base too.", DefaultValueFactory = _ => 0 };
    private static readonly Option<float> FineTuneLrOption = new("--fine-tune-lr") { Description = "Learning rate while fine-tuning.", DefaultValueFactory = _ => 1e-4f };
    private static readonly Option<int> FineTuneEpochsOption = new("--fine-tune-epochs") { Description = "Epochs of fine-tuning.", DefaultValueFactory = _ => 16 };
    private static readonly Option<string?> HistoryOption = new("--history") { Description = "Write PREFIX.csv, PREFIX.json and PREFIX.svg (loss and accuracy curves)." };
    private static readonly Option<string?> OutputOption = new("--output", "-o") { Description = "Write model B (base + head) to this .onnx file." };
    private static readonly Option<string> OutputNameOption = new("--output-name") { Description = "Name of model B's probability output.", DefaultValueFactory = _ => "probability" };
    private static readonly Option<bool> BenchFeaturesOption = new("--bench-features") { Description = "Also time feature extraction against a plain batched ONNX Runtime run." };
    private static readonly Option<bool> QuietOption = new("--quiet") { Description = "No progress on stderr." };

    private static readonly Option[] AllOptions =
    [
        TaskOption, DataOption, FeaturesOption, LabelsOption, TestFeaturesOption, TestLabelsOption, TrainLimitOption, ValSplitOption,
        SeedOption, CutOption, CacheOption, FeatureBatchOption, ClassesOption, HiddenOption, ActivationOption, InitOption,
        InitScaleOption, InitModeOption, InitDistributionOption, OptimizerOption, LearningRateOption, MomentumOption,
        NesterovOption, Beta1Option, Beta2Option, ScheduleOption, DecayStepsOption, DecayRateOption, ClipValueOption,
        ClipNormOption, ClipGlobalNormOption, BatchOption, EpochsOption, PatienceOption, UnfreezeOption, FineTuneLrOption,
        FineTuneEpochsOption, HistoryOption, OutputOption, OutputNameOption, BenchFeaturesOption, QuietOption,
    ];

    public Command Build(CliConsole console)
    {
        var command = new Command("transfer",
            "Transfer learning A→B: cut model A before its output layer, train a new head in C# on the frozen base's " +
            "features (optionally fine-tune its last dense layers), export model B and check it with ONNX Runtime.");
        command.Arguments.Add(ModelArgument);
        foreach (var option in AllOptions)
            command.Options.Add(option);
        command.SetAction(parsed => Execute(parsed, console));
        return command;
    }
}
