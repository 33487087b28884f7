using System.Collections.Concurrent;
using System.Diagnostics;

namespace Crm.Testing;

/// <summary>
/// Records the spans of one operation that belong to this test's own trace: it starts a root span that becomes the
/// current activity of the test, so spans other tests emit in parallel are left out.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    // Matched by name: a listener asking for the source object itself would create it while it is being added, and miss it.
    private const string TestSourceName = "Crm.Testing.Traces";

    private static readonly ActivitySource TestSource = new(TestSourceName);

    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ActivityListener _listener;
    private readonly Activity _root;

    /// <summary>Starts recording the spans named <paramref name="operationName"/> of the source <paramref name="sourceName"/>.</summary>
    public SpanRecorder(string sourceName, string operationName)
    {
        ActivityTraceId? trace = null;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName || source.Name == TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == operationName && activity.TraceId == trace)
                {
                    _spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _root = TestSource.StartActivity("test")!;
        trace = _root.TraceId;
    }

    /// <summary>The recorded spans, in the order they ended.</summary>
    public IReadOnlyList<Activity> Spans => [.. _spans];

    /// <inheritdoc />
    public void Dispose()
    {
        _root.Dispose();
        _listener.Dispose();
    }
}
