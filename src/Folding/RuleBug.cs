namespace OnnxBn.Folding;

/// <summary>
/// Turns a graph check that fails right after a rule's edit into what it is: a bug in that rule. The loaded graph
/// passed the same checks, so "input produced by nothing" at this point is ours, not the model's (exit 70, not 3).
/// </summary>
internal static class RuleBug
{
    public static string Guard(string rules, string where, Func<string> edit)
    {
        try
        {
            return edit();
        }
        catch (Exception ex) when (ex is OnnxModelException or InvalidOperationException or ArgumentException or KeyNotFoundException or IndexOutOfRangeException)
        {
            string what = ex is OnnxModelException model ? (model.Element is null ? model.Defect : $"{model.Element}: {model.Defect}") : ex.Message;
            throw new InvalidOperationException($"fold rule {rules} broke the graph at {where} (a bug in onnxbn): {what}", ex);
        }
    }
}
