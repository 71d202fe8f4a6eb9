namespace OnnxBn.Training;

/// <summary>Which optimizer to build for a training phase.</summary>
public enum OptimizerKind
{
    /// <summary><see cref="SgdOptimizer"/>.</summary>
    Sgd,
    /// <summary><see cref="AdamOptimizer"/>.</summary>
    Adam,
    /// <summary><see cref="RAdamOptimizer"/>.</summary>
    RAdam,
    /// <summary><see cref="AdamWOptimizer"/>.</summary>
    AdamW,
    /// <summary><see cref="RmsPropOptimizer"/>.</summary>
    RmsProp,
    /// <summary><see cref="NadamOptimizer"/>.</summary>
    Nadam,
}

/// <summary>
/// Keras' ReduceLROnPlateau on val_loss: after <see cref="Patience"/> epochs without val_loss falling below the best
/// minus <see cref="MinDelta"/>, the learning rate is multiplied by <see cref="Factor"/> (not below
/// <see cref="MinLearningRate"/>), then <see cref="Cooldown"/> epochs pass before counting again. Keras' defaults
/// except the patience, which the caller always gives.
/// </summary>
public sealed record PlateauOptions(int Patience, double Factor = 0.1, double MinDelta = 1e-4, int Cooldown = 0, double MinLearningRate = 0)
{
    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Patience);
        ArgumentOutOfRangeException.ThrowIfNegative(Cooldown);
        ArgumentOutOfRangeException.ThrowIfNegative(MinDelta);
        ArgumentOutOfRangeException.ThrowIfNegative(MinLearningRate);
        if (!(Factor is > 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(Factor), Factor, "The factor must be in (0, 1).");
    }
}

/// <summary>Which learning-rate schedule to build for a training phase.</summary>
public enum ScheduleKind
{
    /// <summary><see cref="ConstantSchedule"/>.</summary>
    Constant,
    /// <summary><see cref="ExponentialSchedule"/>.</summary>
    Exponential,
    /// <summary><see cref="OneCycleSchedule"/> (the learning rate is the peak).</summary>
    OneCycle,
}

/// <summary>
/// Everything one call to <see cref="Trainer"/>.Fit needs besides the network and the data. Optimizer and schedule
/// are described rather than built, because a schedule such as 1cycle depends on the number of steps of the phase.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 16;

    /// <summary>Examples per mini-batch (the last one of an epoch may be smaller).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seeds the per-epoch shuffling.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>η (the peak for 1cycle, η₀ for exponential decay).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>SGD momentum μ.</summary>
    public float Momentum { get; init; }

    /// <summary>SGD Nesterov look-ahead.</summary>
    public bool Nesterov { get; init; }

    /// <summary>AdamW's decoupled weight decay λ (Keras' default 0.004).</summary>
    public float WeightDecay { get; init; } = 0.004f;

    /// <summary>RMSprop's ρ (Keras' default 0.9).</summary>
    public float Rho { get; init; } = 0.9f;

    /// <summary>Keras' class_weight: each training example's loss is multiplied by its class's weight (null: all 1).</summary>
    public IReadOnlyList<float>? ClassWeights { get; init; }

    /// <summary>ReduceLROnPlateau (null: off). Needs validation data.</summary>
    public PlateauOptions? Plateau { get; init; }

    /// <summary>Adam/RAdam β₁.</summary>
    public float Beta1 { get; init; } = 0.9f;

    /// <summary>Adam/RAdam β₂.</summary>
    public float Beta2 { get; init; } = 0.999f;

    /// <summary>ε of the adaptive optimizers (null: Keras' 1e-7, PyTorch's 1e-8 for RAdam).</summary>
    public float? Epsilon { get; init; }

    /// <summary>The learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>Exponential decay: steps over which the rate is multiplied by <see cref="DecayRate"/> (null: the whole phase, see <see cref="CreateSchedule"/>).</summary>
    public double? DecaySteps { get; init; }

    /// <summary>Exponential decay factor per <see cref="DecaySteps"/>.</summary>
    public double DecayRate { get; init; } = 0.1;

    /// <summary>Gradient clipping.</summary>
    public GradientClipping Clipping { get; init; } = GradientClipping.None;

    /// <summary>Early stopping: epochs without a better validation loss before stopping (0 = never stop early).</summary>
    public int Patience { get; init; }

    /// <summary>With early stopping, put back the weights of the epoch with the best validation loss.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Builds the optimizer.</summary>
    public Optimizer CreateOptimizer() => Optimizer switch
    {
        OptimizerKind.Adam => new AdamOptimizer(Beta1, Beta2, Epsilon ?? 1e-7f),
        OptimizerKind.RAdam => new RAdamOptimizer(Beta1, Beta2, Epsilon ?? 1e-8f),
        OptimizerKind.AdamW => new AdamWOptimizer(WeightDecay, Beta1, Beta2, Epsilon ?? 1e-7f),
        OptimizerKind.RmsProp => new RmsPropOptimizer(Rho, Epsilon ?? 1e-7f),
        OptimizerKind.Nadam => new NadamOptimizer(Beta1, Beta2, Epsilon ?? 1e-7f),
        _ => new SgdOptimizer(Momentum, Nesterov),
    };

    /// <summary>
    /// Builds the schedule for a phase of <paramref name="totalSteps"/> steps. Exponential decay without
    /// <see cref="DecaySteps"/> divides the rate by 10 over the whole phase.
    /// </summary>
    public LearningRateSchedule CreateSchedule(long totalSteps) => Schedule switch
    {
        ScheduleKind.Exponential => new ExponentialSchedule(LearningRate, DecaySteps ?? Math.Max(1, totalSteps), DecayRate),
        ScheduleKind.OneCycle => new OneCycleSchedule(LearningRate, totalSteps),
        _ => new ConstantSchedule(LearningRate),
    };

    /// <summary>Checks the values that would make training meaningless.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count or rate is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(Patience);
        if (!(LearningRate > 0) || float.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be positive.");
        if (Momentum is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be in [0, 1).");
        if (DecaySteps is <= 0)
            throw new ArgumentOutOfRangeException(nameof(DecaySteps), DecaySteps, "Decay steps must be positive.");
        if (WeightDecay < 0 || Rho is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), "Weight decay must not be negative and rho must be in [0, 1).");
        if (ClassWeights is { } weights && weights.Any(w => !(w >= 0) || float.IsInfinity(w)))
            throw new ArgumentOutOfRangeException(nameof(ClassWeights), "Class weights must be finite and not negative.");
        Plateau?.Validate();
    }
}
