using System.Threading.Channels;
using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Inference;

/// <summary>
/// Dynamic micro-batching: requests queue here, and one loop takes what is queued (up to
/// <see cref="BatchingOptions.MaxRows"/> rows, waiting at most <see cref="BatchingOptions.MaxDelayMicroseconds"/> for
/// more), stacks compatible ones along the first dimension (same model, same other dimensions), runs them as one batch
/// and hands each request its rows of every output. A request that fails inside a batch is retried alone, so one bad
/// input cannot fail its neighbours.
/// </summary>
internal sealed class MicroBatcher : IAsyncDisposable
{
    private readonly BatchingOptions _options;
    private readonly ServingMetrics _metrics;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private Pending? _carried;

    public MicroBatcher(BatchingOptions options, ServingMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        _loop = Task.Run(RunLoopAsync);
    }

    /// <summary>Queues one request; completes with its outputs.</summary>
    /// <exception cref="ModelUnavailableException">The batcher is shutting down.</exception>
    public Task<NamedTensor[]> RunAsync(ServedModel model, NamedTensor[] inputs)
    {
        var pending = new Pending(model, inputs);
        if (!_queue.Writer.TryWrite(pending))
            throw new ModelUnavailableException("the service is shutting down");
        return pending.Result.Task;
    }

    /// <summary>Stops taking requests and finishes the ones queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunLoopAsync()
    {
        while (_carried is not null || await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = await CollectAsync().ConfigureAwait(false);
            if (batch.Count > 0)
                Execute(batch);
        }
    }

    private async Task<List<Pending>> CollectAsync()
    {
        var batch = new List<Pending>();
        var first = _carried ?? (_queue.Reader.TryRead(out var next) ? next : null);
        _carried = null;
        if (first is null)
            return batch;
        batch.Add(first);
        long rows = first.Rows;
        var deadline = DateTime.UtcNow.AddTicks(_options.MaxDelayMicroseconds * TimeSpan.TicksPerMicrosecond);
        while (rows < _options.MaxRows)
        {
            if (!_queue.Reader.TryRead(out var candidate))
            {
                var wait = deadline - DateTime.UtcNow;
                if (wait <= TimeSpan.Zero || !await WaitForMoreAsync(wait).ConfigureAwait(false))
                    break;
                continue;
            }
            if (!first.CanJoin(candidate) || rows + candidate.Rows > _options.MaxRows)
            {
                _carried = candidate; // it opens the next batch
                break;
            }
            batch.Add(candidate);
            rows += candidate.Rows;
        }
        return batch;
    }

    private async Task<bool> WaitForMoreAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _queue.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Execute(List<Pending> batch)
    {
        if (batch.Count == 1)
        {
            RunAlone(batch[0]);
            return;
        }
        NamedTensor[] outputs;
        var model = batch[0].Model;
        try
        {
            outputs = ModelRunner.Run(model, BatchStacking.Stack(batch.Select(p => p.Inputs).ToArray()));
        }
        catch (Exception)
        {
            // Whatever failed the batch, each request gets its own run and its own answer or error.
            foreach (var pending in batch)
                RunAlone(pending);
            return;
        }
        _metrics.Batch(batch.Sum(p => p.Rows));
        var split = BatchStacking.Split(outputs, batch.Select(p => p.Rows).ToArray());
        if (split is null)
        {
            // The outputs do not keep the batch axis after all: answer each request from its own run.
            foreach (var pending in batch)
                RunAlone(pending);
            return;
        }
        for (var i = 0; i < batch.Count; i++)
            batch[i].Result.TrySetResult(split[i]);
    }

    private void RunAlone(Pending pending)
    {
        try
        {
            var outputs = ModelRunner.Run(pending.Model, pending.Inputs);
            _metrics.Batch(pending.Rows);
            pending.Result.TrySetResult(outputs);
        }
        catch (Exception ex)
        {
            pending.Result.TrySetException(ex);
        }
    }

    private sealed class Pending(ServedModel model, NamedTensor[] inputs)
    {
        public ServedModel Model { get; } = model;
        public NamedTensor[] Inputs { get; } = inputs;
        public long Rows { get; } = inputs[0].Shape[0];
        public TaskCompletionSource<NamedTensor[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool CanJoin(Pending other) =>
            ReferenceEquals(Model, other.Model) &&
            Inputs.Zip(other.Inputs).All(p => p.First.Shape.AsSpan(1).SequenceEqual(p.Second.Shape.AsSpan(1)));
    }
}
