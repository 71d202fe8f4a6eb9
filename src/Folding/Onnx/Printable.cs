using System.Text;

namespace OnnxBn.Folding.Onnx;

/// <summary>
/// Names taken from a model, made fit for a one-line error message: control characters escaped (a newline in a
/// crafted location must not split the line) and absurd lengths cut.
/// </summary>
internal static class Printable
{
    private const int MaxChars = 200;

    /// <summary>'<paramref name="text"/>' with control characters as \xNN and at most 200 characters shown.</summary>
    public static string Quote(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxChars) + 8);
        builder.Append('\'');
        foreach (char c in text.Length > MaxChars ? text[..MaxChars] : text)
        {
            if (char.IsControl(c)) builder.Append($"\\x{(int)c:X2}");
            else builder.Append(c);
        }
        builder.Append(text.Length > MaxChars ? $"...' ({text.Length} characters)" : "'");
        return builder.ToString();
    }

    /// <summary>The OS's reason in an exception message, on one line and without a trailing period.</summary>
    public static string Reason(Exception ex) => ex.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
}
