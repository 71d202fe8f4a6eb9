namespace OnnxBn.Training;

/// <summary>The learning rate as a function of the optimizer step (0-based, counted over mini-batches like Keras).</summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate for step <paramref name="step"/>.</summary>
    public abstract float Rate(long step);
}

/// <summary>A constant learning rate η.</summary>
public sealed record ConstantSchedule(float LearningRate) : LearningRateSchedule
{
    /// <inheritdoc />
    public override float Rate(long step) => LearningRate;
}

/// <summary>Keras' ExponentialDecay: η₀ · rate^(step / decaySteps) (the book's η₀·0.1^(t/s)).</summary>
public sealed record ExponentialSchedule(float InitialRate, double DecaySteps, double DecayRate = 0.1) : LearningRateSchedule
{
    /// <inheritdoc />
    public override float Rate(long step) => (float)(InitialRate * Math.Pow(DecayRate, step / DecaySteps));
}

/// <summary>
/// The 1cycle policy as Hands-On ML's <c>OneCycleScheduler</c> computes it: over <see cref="TotalSteps"/> the rate rises
/// linearly from <c>start</c> (max/10) to <see cref="MaxRate"/> during the first half of the steps that precede the last
/// tenth, falls back to <c>start</c> during the second half, then drops linearly to <c>start/1000</c>.
/// </summary>
public sealed record OneCycleSchedule(float MaxRate, long TotalSteps) : LearningRateSchedule
{
    /// <summary>The rate at the first step (max/10).</summary>
    public double StartRate => MaxRate / 10.0;

    /// <summary>The rate at the last step (start/1000).</summary>
    public double LastRate => StartRate / 1000.0;

    /// <summary>Steps in the final annealing segment (total/10 + 1).</summary>
    public long LastSteps => TotalSteps / 10 + 1;

    /// <summary>Steps in each of the rising and falling halves.</summary>
    public long HalfSteps => Math.Max(0, (TotalSteps - LastSteps) / 2);

    /// <inheritdoc />
    public override float Rate(long step)
    {
        var half = HalfSteps;
        double rate;
        if (step < half)
            rate = Interpolate(step, 0, half, StartRate, MaxRate);
        else if (step < 2 * half)
            rate = Interpolate(step, half, 2 * half, MaxRate, StartRate);
        else
            rate = Interpolate(Math.Min(step, TotalSteps), 2 * half, TotalSteps, StartRate, LastRate);
        return (float)rate;
    }

    private static double Interpolate(long step, long from, long to, double rateFrom, double rateTo) =>
        to == from ? rateTo : (rateTo - rateFrom) * (step - from) / (to - from) + rateFrom;
}
