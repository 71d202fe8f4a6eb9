namespace OnnxBn.Training;

/// <summary>
/// Everything the training loop needs to continue a phase after a completed epoch exactly as if it had not stopped:
/// the network's state, the optimizer's moments and step count, the schedule's step, and the early-stopping and
/// ReduceLROnPlateau counters. Shuffling and dropout are seeded per epoch, so they need no saved state.
/// </summary>
public sealed class TrainerState
{
    /// <summary>The phase ("frozen", "fine-tune").</summary>
    public required string Phase { get; init; }

    /// <summary>Epochs of the phase completed.</summary>
    public required int Epoch { get; init; }

    /// <summary>Optimizer steps taken in the phase (the schedule's position).</summary>
    public required long Step { get; init; }

    /// <summary>The optimizer's step count.</summary>
    public required long OptimizerIterations { get; init; }

    /// <summary>The optimizer's tensors per parameter slot.</summary>
    public required float[][][] OptimizerState { get; init; }

    /// <summary>The network's state (<see cref="Network.SnapshotWeights"/>).</summary>
    public required float[][] Weights { get; init; }

    /// <summary>The best monitored loss so far (val_loss, or loss without validation data).</summary>
    public required double Best { get; init; }

    /// <summary>The epoch of <see cref="Best"/> (0 before any).</summary>
    public required int BestEpoch { get; init; }

    /// <summary>The network's state at <see cref="BestEpoch"/>, or null.</summary>
    public float[][]? BestWeights { get; init; }

    /// <summary>Early stopping: epochs since the best.</summary>
    public required int Waited { get; init; }

    /// <summary>ReduceLROnPlateau: its own best val_loss.</summary>
    public required double PlateauBest { get; init; }

    /// <summary>ReduceLROnPlateau: epochs without improvement.</summary>
    public required int PlateauWait { get; init; }

    /// <summary>ReduceLROnPlateau: cooldown epochs left.</summary>
    public required int PlateauCooldown { get; init; }

    /// <summary>What ReduceLROnPlateau has multiplied the scheduled rate by so far.</summary>
    public required double LearningRateScale { get; init; }
}

/// <summary>Optional hooks into <see cref="Trainer"/>.Fit: callbacks, checkpoints, resume, cancellation.</summary>
public sealed record FitHooks
{
    /// <summary>Called after each epoch with its metrics (the progress lines).</summary>
    public Action<EpochRecord>? OnEpoch { get; init; }

    /// <summary>Callback messages (learning rate reduced, early stop).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// Called after each epoch with the state to resume from and whether the epoch is the best so far (for
    /// checkpoints); the network holds that epoch's weights during the call.
    /// </summary>
    public Action<EpochRecord, TrainerState, bool>? OnCheckpoint { get; init; }

    /// <summary>A state from <see cref="OnCheckpoint"/> of the same phase to continue from.</summary>
    public TrainerState? Resume { get; init; }

    /// <summary>
    /// Stops training between two mini-batches: the weights of the best epoch so far are put back (the current ones
    /// if no epoch has completed) and the history says where it stopped.
    /// </summary>
    public CancellationToken Cancellation { get; init; }
}
