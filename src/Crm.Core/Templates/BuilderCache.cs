using System.Text;

namespace Crm.Templates;

/// <summary>
/// One reusable <see cref="StringBuilder"/> per thread for the send path's rendering and link rewriting, whose output is
/// tens of kilobytes per message: a builder allocated per use was a large share of what each message allocated.
/// </summary>
internal static class BuilderCache
{
    /// <summary>The largest builder kept: one grown by an unusually large message is not pinned to its thread.</summary>
    private const int MaxKeptCapacity = 1024 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>
    /// The thread's builder, emptied and taken out of the cache while in use (work that awaits may finish on another
    /// thread, and <see cref="Return"/> puts it into that thread's cache), or a new one.
    /// </summary>
    public static StringBuilder Rent(int capacity)
    {
        var builder = t_builder ?? new StringBuilder(capacity);
        t_builder = null;
        builder.Clear();
        builder.EnsureCapacity(capacity);
        return builder;
    }

    /// <summary>Gives a builder back once nothing reads it any more.</summary>
    public static void Return(StringBuilder builder)
    {
        if (builder.Capacity <= MaxKeptCapacity)
        {
            t_builder = builder;
        }
    }
}
