// Compiled into the packages that read JSON bodies (linked source): one wording for where a body went wrong.
using System.Text.Json;

namespace Crm.Hosting;

/// <summary>Where a JSON body went wrong, for problem details: the exception's own message names .NET types.</summary>
internal static class JsonErrorLocation
{
    /// <summary><c>at $.name, line 1, byte 10</c>.</summary>
    public static string Describe(JsonException exception)
        => $"at {exception.Path ?? "$"}, line {(exception.LineNumber ?? 0) + 1}, byte {exception.BytePositionInLine ?? 0}";
}
