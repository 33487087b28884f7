using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// A webhook receiver on loopback: <c>/hooks</c> (failing or hanging on request), <c>/redirect</c>, <c>/big</c>,
/// <c>/slow</c>. It records every request it is sent, when it arrives.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<Received> _requests = new();
    private WebApplication? _app;
    private int _failures;
    private volatile TaskCompletionSource? _hang;

    /// <summary>What the receiver got.</summary>
    public sealed record Received(string Path, Dictionary<string, string> Headers, string Body, bool Succeeded);

    public IReadOnlyList<Received> Requests => [.. _requests];

    public IReadOnlyList<Received> Succeeded => [.. _requests.Where(r => r.Succeeded)];

    public string Url(string path) => _app!.Urls.First() + path;

    /// <summary>The next <paramref name="count"/> requests to <c>/hooks</c> answer 500.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failures, count);

    /// <summary>Requests to <c>/hooks</c> are recorded and then never answered, until <see cref="Release"/>.</summary>
    public void Hang() => _hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release()
    {
        var hang = _hang;
        _hang = null;
        hang?.TrySetResult();
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks", async (HttpContext context) =>
        {
            if (_hang is { } hang)
            {
                await RecordAsync(context, false);
                await hang.Task.WaitAsync(context.RequestAborted);
                return Results.StatusCode(503);
            }

            var failing = Interlocked.Decrement(ref _failures) >= 0;
            if (!failing)
            {
                Interlocked.Exchange(ref _failures, 0);
            }

            await RecordAsync(context, !failing);
            return failing ? Results.StatusCode(500) : Results.Ok();
        });
        _app.MapPost("/redirect", async (HttpContext context) =>
        {
            await RecordAsync(context, false);
            return Results.Redirect("/hooks");
        });
        _app.MapPost("/big", async (HttpContext context) =>
        {
            await RecordAsync(context, true);
            return Results.Text(new string('x', 4 * 1024 * 1024));
        });
        _app.MapPost("/slow", async (HttpContext context) =>
        {
            await RecordAsync(context, false);
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            return Results.Ok();
        });
        await _app.StartAsync();
    }

    private async Task RecordAsync(HttpContext context, bool succeeded)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var headers = context.Request.Headers.Where(h => h.Key.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase)).ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        _requests.Enqueue(new Received(context.Request.Path, headers, await reader.ReadToEndAsync(), succeeded));
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
