namespace OnnxBn.Serving.Tests;

/// <summary>
/// The serving tests share the machine's cores with the servers they start: one at a time, so load and timing-free
/// waits stay predictable and one test's server never answers for another's metrics.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServingCollection
{
    public const string Name = "Serving";
}
