using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OnnxBn.Serving.Models;

namespace OnnxBn.Serving.Tests;

/// <summary>The sample started in this process on a free loopback port, with a client pointed at it.</summary>
internal sealed class ServingHost : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private ServingHost(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 128 })
        {
            BaseAddress = address,
            Timeout = Patience,
        };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public ModelHolder Holder => App.Services.GetRequiredService<ModelHolder>();

    /// <summary>Starts the service on <paramref name="model"/> (port 0, fast reload polling) and waits until it is ready.</summary>
    public static async Task<ServingHost> StartAsync(string model, Action<ServingOptions>? configure = null)
    {
        var app = ServingApp.Build([], options =>
        {
            options.Model = model;
            options.Port = 0;
            options.PollIntervalMilliseconds = 100;
            options.DebounceMilliseconds = 50;
            configure?.Invoke(options);
        });
        await app.StartAsync();
        var host = new ServingHost(app, ServingApp.BoundAddress(app));
        await Eventually.TrueAsync(async () => (await host.Client.GetAsync("/readyz")).IsSuccessStatusCode, "the service never became ready");
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var timeout = new CancellationTokenSource(Patience);
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}

/// <summary>Polls a condition until it holds, failing the test after a generous timeout.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + ServingHost.Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{failure} (waited {ServingHost.Patience.TotalSeconds} s)");
            await Task.Delay(20);
        }
    }
}
