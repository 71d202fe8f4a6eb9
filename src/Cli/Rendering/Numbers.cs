using System.Globalization;

namespace OnnxBn.Cli.Rendering;

/// <summary>Number formats shared by the command reports.</summary>
internal static class Numbers
{
    /// <summary>A count with thousands separators (invariant culture): 266,610.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
