using OnnxBn.Runtime.Data;

namespace OnnxBn.Training.Tests;

public sealed class ValidationSplitTests
{
    private static LabeledData Numbered(int count) => new(Enumerable.Range(0, count).Select(i => (float)i).ToArray(), new int[count], 1);

    [Fact]
    public void Keras_Split_Of_200_Given_With_0_2_Is_160_Then_The_Last_40()
    {
        var split = ValidationSplit.Keras(Numbered(1000), 0.2, limit: 200);
        Assert.Equal(160, split.Train.Count);
        Assert.Equal(40, split.Validation.Count);
        Assert.Equal(Enumerable.Range(0, 160).Select(i => (float)i), split.Train.Features);
        Assert.Equal(Enumerable.Range(160, 40).Select(i => (float)i), split.Validation.Features);
    }

    [Theory]
    [InlineData(10, 0.25, 7, 3)]   // ⌊10 · 0.75⌋ = 7, as Keras floors
    [InlineData(7, 0.5, 3, 4)]
    [InlineData(50, 0.0, 50, 0)]
    [InlineData(3, 0.9, 0, 3)]
    public void Keras_Split_Floors_The_Training_Part(int count, double fraction, int train, int validation)
    {
        var split = ValidationSplit.Keras(Numbered(count), fraction);
        Assert.Equal((train, validation), (split.Train.Count, split.Validation.Count));
    }

    [Fact]
    public void Holdout_Split_Keeps_The_Validation_Set_Whole_When_Training_Is_Limited()
    {
        var split = ValidationSplit.Holdout(Numbered(1000), 0.2, limit: 200, seed: 42);
        Assert.Equal(200, split.Train.Count);
        Assert.Equal(200, split.Validation.Count);
        Assert.Empty(split.Train.Features.Intersect(split.Validation.Features));
    }

    [Fact]
    public void Rejects_Fractions_Outside_0_To_1()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.Keras(Numbered(10), 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.Keras(Numbered(10), -0.1));
    }
}
