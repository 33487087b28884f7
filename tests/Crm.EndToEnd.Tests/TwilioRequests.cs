using System.Security.Cryptography;
using System.Text;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// Builds Twilio webhook requests the way Twilio does, signing them with code written here from Twilio's
/// documentation, independent of the library's implementation.
/// </summary>
internal static class TwilioRequests
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "test-auth-token-0123456789";

    public static Dictionary<string, string> InboundMessage(string messageSid, string from = "+447700900123", string body = "Hello from WhatsApp", string profileName = "Carla") => new()
    {
        ["SmsMessageSid"] = messageSid,
        ["NumMedia"] = "0",
        ["ProfileName"] = profileName,
        ["MessageType"] = "text",
        ["SmsSid"] = messageSid,
        ["WaId"] = from.TrimStart('+'),
        ["SmsStatus"] = "received",
        ["Body"] = body,
        ["To"] = "whatsapp:+14155238886",
        ["NumSegments"] = "1",
        ["ReferralNumMedia"] = "0",
        ["MessageSid"] = messageSid,
        ["AccountSid"] = AccountSid,
        ["From"] = "whatsapp:" + from,
        ["ApiVersion"] = "2010-04-01",
    };

    /// <summary>HMAC-SHA1(token, url + each name+value in ordinal name order), base64.</summary>
    public static string Sign(string url, IReadOnlyDictionary<string, string> parameters, string authToken = AuthToken)
    {
        var data = url;
        foreach (var name in parameters.Keys.Order(StringComparer.Ordinal))
        {
            data += name + parameters[name];
        }

        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes(authToken));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(data)));
    }

    public static HttpRequestMessage Signed(Uri target, IReadOnlyDictionary<string, string> parameters, string signedUrl, string authToken = AuthToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new FormUrlEncodedContent(parameters) };
        request.Headers.Add("X-Twilio-Signature", Sign(signedUrl, parameters, authToken));
        return request;
    }
}
