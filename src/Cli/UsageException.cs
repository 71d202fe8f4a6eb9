namespace OnnxBn.Cli;

/// <summary>A command line that parses but asks for something impossible (conflicting or malformed values).</summary>
public sealed class UsageException(string message) : Exception(message);
