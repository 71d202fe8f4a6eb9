namespace OnnxBn.Runtime.Session;

/// <summary>Minimum severity of ONNX Runtime's own log messages (written to stderr by the library).</summary>
public enum OrtLogLevel
{
    /// <summary>Everything.</summary>
    Verbose = 0,
    /// <summary>Informational messages and above.</summary>
    Info = 1,
    /// <summary>Warnings and above (ONNX Runtime's default).</summary>
    Warning = 2,
    /// <summary>Errors and above.</summary>
    Error = 3,
    /// <summary>Only fatal errors.</summary>
    Fatal = 4,
}

/// <summary>How much ONNX Runtime rewrites the graph before running it (<c>GraphOptimizationLevel</c>).</summary>
public enum GraphOptimizationLevel
{
    /// <summary>No graph optimization: run the model as written (use this for reference runs).</summary>
    Disabled = 0,
    /// <summary>Semantics-preserving basic rewrites such as constant folding and redundant node removal.</summary>
    Basic = 1,
    /// <summary>Basic plus complex node fusions.</summary>
    Extended = 2,
    /// <summary>Everything, including layout optimizations (ONNX Runtime's default).</summary>
    All = 99,
}

/// <summary>Whether the nodes of a graph run one after another or in parallel (<c>ExecutionMode</c>).</summary>
public enum ExecutionMode
{
    /// <summary>One node at a time; parallelism only inside nodes (default).</summary>
    Sequential = 0,
    /// <summary>Independent branches in parallel on the inter-op thread pool.</summary>
    Parallel = 1,
}
