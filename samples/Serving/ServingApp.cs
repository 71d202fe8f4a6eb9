using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OnnxBn.Serving.Codecs;
using OnnxBn.Serving.Http;
using OnnxBn.Serving.Inference;
using OnnxBn.Serving.Models;
using OpenTelemetry.Metrics;

namespace OnnxBn.Serving;

/// <summary>Builds the service: configuration, Kestrel on 127.0.0.1, the model's lifecycle, metrics and the endpoints.</summary>
public static class ServingApp
{
    private static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--model"] = "Serving:Model",
        ["--port"] = "Serving:Port",
        ["--watch"] = "Serving:Watch",
        ["--max-body-bytes"] = "Serving:MaxBodyBytes",
        ["--threads"] = "Serving:IntraOpThreads",
    };

    /// <summary>The service configured from <paramref name="args"/>, appsettings.json and the environment, not started.</summary>
    /// <param name="args">Command-line arguments (<c>--model PATH --port 0</c>, or any <c>--Serving:Key value</c>).</param>
    /// <param name="configure">Last word on the options (tests and benchmarks).</param>
    /// <exception cref="ServingConfigurationException">The settings cannot work (no model, port out of range, ...).</exception>
    public static WebApplication Build(string[] args, Action<ServingOptions>? configure = null)
    {
        // appsettings.json is read from beside the program, wherever it is started from; relative model paths are
        // relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, Switches);
        var options = builder.Configuration.GetSection(ServingOptions.Section).Get<ServingOptions>() ?? new ServingOptions();
        configure?.Invoke(options);
        if (options.Problem() is { } problem)
            throw new ServingConfigurationException(problem);

        // stdout carries one line, the bound URL (scripts and tests read it); every log line goes to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            kestrel.AddServerHeader = false;
            kestrel.RequestHeaderEncodingSelector = TensorNameHeaders.RequestEncoding;
            kestrel.ResponseHeaderEncodingSelector = TensorNameHeaders.ResponseEncoding;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(15));

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ModelHolder>();
        builder.Services.AddSingleton<ModelLoader>();
        builder.Services.AddSingleton(services => new ServingMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            () => services.GetRequiredService<ModelHolder>().Current?.Generation ?? 0));
        builder.Services.AddSingleton<Predictor>();
        builder.Services.AddSingleton<ModelLifecycle>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModelLifecycle>());
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ServingMetrics.MeterName)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        var app = builder.Build();
        app.UseWhen(context => context.Request.Path == "/predict", predict => predict.UseMiddleware<RequestMetrics>());
        app.UseMiddleware<ErrorResponses>();
        app.MapPost("/predict", PredictEndpoint.HandleAsync);
        app.MapGet("/healthz", StatusEndpoints.Health);
        app.MapGet("/readyz", StatusEndpoints.Ready);
        app.MapGet("/model", StatusEndpoints.Model);
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>The URL the started service listens on (<c>http://127.0.0.1:PORT</c>, the real port when 0 was asked).</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
            ?? throw new InvalidOperationException("the server reports no addresses");
        return new Uri(addresses.Addresses.First());
    }
}

/// <summary>The service's settings cannot work; the message says which and why.</summary>
public sealed class ServingConfigurationException(string message) : Exception(message);
