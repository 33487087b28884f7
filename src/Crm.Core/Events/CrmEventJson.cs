using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Crm.Events;

/// <summary>
/// The JSON form of an event, as a receiver sees it: <c>{ "type", "timestamp", "data" }</c> (the Standard Webhooks
/// payload shape), camelCase, with the payload's fields in <c>data</c> and its version in <c>data.version</c>. The
/// event's id travels beside it (the <c>webhook-id</c> header), not in the body.
/// </summary>
public static class CrmEventJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // The envelope's fields (id, type, timestamp, version) are not repeated in the payload.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                static info =>
                {
                    for (var i = info.Properties.Count - 1; i >= 0; i--)
                    {
                        if (typeof(CrmEvent).GetProperty(info.Properties[i].AttributeProvider is System.Reflection.PropertyInfo property ? property.Name : "") is { } declared
                            && declared.DeclaringType == typeof(CrmEvent))
                        {
                            info.Properties.RemoveAt(i);
                        }
                    }
                },
            },
        },
    };

    /// <summary>Serialises <paramref name="crmEvent"/> as UTF-8 JSON.</summary>
    public static byte[] Serialize(CrmEvent crmEvent)
    {
        ArgumentNullException.ThrowIfNull(crmEvent);
        var data = JsonSerializer.SerializeToNode(crmEvent, crmEvent.GetType(), Options)!.AsObject();
        data["version"] = crmEvent.Version;
        var envelope = new JsonObject
        {
            ["type"] = crmEvent.Type,
            ["timestamp"] = crmEvent.Timestamp.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["data"] = data,
        };
        return JsonSerializer.SerializeToUtf8Bytes(envelope, Options);
    }
}
