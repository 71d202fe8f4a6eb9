namespace OnnxBn.Training.Tests;

public sealed class ScheduleAndClippingTests
{
    [Fact]
    public void Exponential_Schedule_Divides_By_Ten_Every_Decay_Steps()
    {
        var schedule = new ExponentialSchedule(0.01f, 20);
        Assert.Equal(0.01f, schedule.Rate(0), 7);
        Assert.Equal(0.001f, schedule.Rate(20), 7);
        Assert.Equal(0.01 * Math.Pow(0.1, 0.5), schedule.Rate(10), 7);
    }

    [Fact]
    public void OneCycle_Rises_Falls_Then_Anneals_As_In_The_Book()
    {
        // 100 steps: last segment 100/10 + 1 = 11 steps, halves of (100 − 11)/2 = 44.
        var schedule = new OneCycleSchedule(0.1f, 100);
        Assert.Equal(44, schedule.HalfSteps);
        Assert.Equal(0.01f, schedule.Rate(0), 7);
        Assert.Equal(0.055f, schedule.Rate(22), 6);
        Assert.Equal(0.1f, schedule.Rate(44), 7);
        Assert.Equal(0.01f, schedule.Rate(88), 7);
        Assert.Equal(1e-5f, schedule.Rate(100), 9);
        Assert.True(schedule.Rate(94) < 0.01f && schedule.Rate(94) > 1e-5f);
    }

    [Fact]
    public void Constant_Schedule_Never_Changes()
    {
        var schedule = new ConstantSchedule(0.3f);
        Assert.Equal(0.3f, schedule.Rate(0));
        Assert.Equal(0.3f, schedule.Rate(1_000_000));
    }

    [Fact]
    public void Clip_Value_Clamps_Each_Component()
    {
        var p = new Parameter("w", new float[3], [3f, -4f, 0.5f]);
        new GradientClipping(Value: 1f).Apply([p]);
        Assert.Equal([1f, -1f, 0.5f], p.Gradient);
    }

    [Fact]
    public void Clip_Norm_Rescales_Each_Tensor_Above_The_Threshold()
    {
        var big = new Parameter("a", new float[2], [3f, 4f]);
        var small = new Parameter("b", new float[2], [0.3f, 0.4f]);
        new GradientClipping(Norm: 1f).Apply([big, small]);
        Assert.Equal(0.6f, big.Gradient[0], 6);
        Assert.Equal(0.8f, big.Gradient[1], 6);
        Assert.Equal([0.3f, 0.4f], small.Gradient);
    }

    [Fact]
    public void Clip_Global_Norm_Rescales_All_Tensors_Together()
    {
        var a = new Parameter("a", new float[1], [3f]);
        var b = new Parameter("b", new float[1], [4f]);
        new GradientClipping(GlobalNorm: 1f).Apply([a, b]);
        Assert.Equal(0.6f, a.Gradient[0], 6);
        Assert.Equal(0.8f, b.Gradient[0], 6);
    }
}
