using System.Text.Json;

namespace Crm.Hosting;

/// <summary>Where a JSON body went wrong, for problem details (the exception's own message names .NET types): one wording for every package that reads JSON.</summary>
internal static class JsonErrorLocation
{
    /// <summary><c>at $.name, line 1, byte 10</c>.</summary>
    public static string Describe(JsonException exception)
        => $"at {exception.Path ?? "$"}, line {(exception.LineNumber ?? 0) + 1}, byte {exception.BytePositionInLine ?? 0}";
}
