using OnnxBn.TestUtilities;

namespace OnnxBn.Folding.Tests.ModelIO;

/// <summary>
/// The check the fold driver runs after every rewrite looks only at what the edits since the last check touched,
/// yet finds every dangling read they can make; cycles are left to the full check, which the driver runs per round.
/// </summary>
public sealed class GraphEditCheckTests
{
    // x → Relu → r → Add(r, b) → a → Neg → y
    private static Graph Chain() => new GraphBuilder()
        .Input("x", OnnxDataType.Float, "N", 2)
        .Output("y", OnnxDataType.Float, "N", 2)
        .Initializer("b", [2], 1f, 2f)
        .Node("Relu", ["x"], ["r"], "relu")
        .Node("Add", ["r", "b"], ["a"], "add")
        .Node("Neg", ["a"], ["y"], "neg")
        .Build().Graph;

    [Fact]
    public void A_Valid_Rewrite_Passes_And_Is_Forgotten()
    {
        var graph = Chain();
        var add = graph.Producer("a")!;

        // Bypass the Add: Neg reads the Relu's output, and the Add and its now unread bias go.
        graph.SetNodeInput(graph.Producer("y")!, 0, "r");
        graph.RemoveNode(add);
        graph.RemoveInitializer("b");
        graph.CheckEdits();

        graph.CheckEdits(); // nothing left to look at
        graph.CheckInvariants();
    }

    [Fact]
    public void A_Read_Of_A_Removed_Producer_Is_Found()
    {
        var graph = Chain();

        graph.RemoveNode(graph.Producer("a")!);

        var error = Assert.Throws<OnnxModelException>(graph.CheckEdits);
        Assert.Contains("'a' is produced by nothing", error.Message);
        Assert.Contains("neg", error.Message);
    }

    [Fact]
    public void A_Read_Of_A_Removed_Initializer_Is_Found()
    {
        var graph = Chain();

        graph.RemoveInitializer("b");

        var error = Assert.Throws<OnnxModelException>(graph.CheckEdits);
        Assert.Contains("'b' is produced by nothing", error.Message);
    }

    [Fact]
    public void A_Graph_Output_Whose_Producer_Was_Renamed_Is_Found()
    {
        var graph = Chain();

        graph.SetNodeOutput(graph.Producer("y")!, 0, "z");

        var error = Assert.Throws<OnnxModelException>(graph.CheckEdits);
        Assert.Contains("graph output 'y' is produced by nothing", error.Message);
    }

    [Fact]
    public void An_Edited_Node_Reading_Nothing_Is_Found()
    {
        var graph = Chain();

        graph.SetNodeInput(graph.Producer("a")!, 1, "ghost");

        var error = Assert.Throws<OnnxModelException>(graph.CheckEdits);
        Assert.Contains("'ghost' is produced by nothing", error.Message);
    }

    [Fact]
    public void A_Cycle_Made_By_Edits_Is_Found_By_The_Full_Check()
    {
        var graph = Chain();

        graph.SetNodeInput(graph.Producer("r")!, 0, "a"); // Relu now reads the Add that reads it

        graph.CheckEdits(); // indexes and definitions are fine
        var error = Assert.Throws<OnnxModelException>(graph.CheckInvariants);
        Assert.Contains("cycle", error.Message);
    }
}
