namespace OnnxBn.Training.Tests;

public sealed class HeadSpecTests
{
    [Fact]
    public void Reads_The_Notebook_Head_As_Written()
    {
        var head = HeadSpec.Parse("gap, dropout(0.7), dense(128, relu, l2=0.01)");
        Assert.Equal(
            [new HeadLayer(HeadLayerKind.GlobalAveragePool), new HeadLayer(HeadLayerKind.Dropout, Rate: 0.7f),
             new HeadLayer(HeadLayerKind.Dense, 128, Activation.Relu, L2: 0.01f)],
            head);
    }

    [Fact]
    public void Reads_Every_Layer_And_Keyword_Form_And_Prints_It_Back()
    {
        var text = "flatten, batchnorm(momentum=0.9, epsilon=0.001), dense(64, activation=selu, l1=0.001, l2=0.002), dropout(rate=0.25), dense(10)";
        var head = HeadSpec.Parse(text);
        Assert.Equal(5, head.Count);
        Assert.Equal(Activation.Selu(), head[2].Activation);
        Assert.Equal(HeadSpec.Parse(string.Join(", ", head)), head);
        Assert.Empty(HeadSpec.Parse("  "));
    }

    [Theory]
    [InlineData("dense", "units")]
    [InlineData("dense(0)", "positive")]
    [InlineData("dense(8, softmax)", "output layer")]
    [InlineData("dense(8, gelu)", "Unknown activation")]
    [InlineData("dropout(1.0)", "[0, 1)")]
    [InlineData("conv(3)", "unknown layer")]
    [InlineData("gap,, dense(4)", "empty layer")]
    [InlineData("dense(4, l2=-1)", "negative")]
    [InlineData("dense(4", "unbalanced")]
    public void Refuses_Malformed_Heads_With_A_Reason(string text, string reason)
    {
        var ex = Assert.Throws<HeadSpecException>(() => HeadSpec.Parse(text));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Dense_On_A_Feature_Map_Or_Gap_On_A_Vector_Is_Refused_With_A_Hint()
    {
        var dense = Assert.Throws<HeadSpecException>(() =>
            HeadFactory.CreateLayers([4, 3, 3], 2, HeadSpec.Parse("dense(8)"), WeightInitializer.GlorotUniform, 1));
        Assert.Contains("add gap or flatten", dense.Message);
        var gap = Assert.Throws<HeadSpecException>(() => HeadFactory.CreateLayers([36], 2, HeadSpec.Parse("gap"), WeightInitializer.GlorotUniform, 1));
        Assert.Contains("feature map", gap.Message);
    }

    [Fact]
    public void The_Output_Layer_Follows_From_The_Classes()
    {
        var binary = HeadFactory.CreateLayers([4, 3, 3], 2, HeadSpec.Parse("gap, dense(5, relu)"), WeightInitializer.GlorotUniform, 1);
        Assert.Equal(1, binary[^1].Outputs);
        Assert.Equal(4, binary[1].Inputs);
        var softmax = HeadFactory.CreateLayers([6], 10, [], WeightInitializer.GlorotUniform, 1);
        Assert.Equal(10, Assert.Single(softmax).Outputs);
    }
}
