using System.Net;
using System.Net.Sockets;

namespace Crm.Webhooks;

/// <summary>
/// Which addresses a webhook may reach: public unicast ones, unless <see cref="OutgoingWebhookOptions.AllowPrivateNetworks"/>.
/// Checked on the addresses a host name resolves to, at creation and again at every connection (a name may be
/// re-pointed at an internal address after it was checked: DNS rebinding).
/// </summary>
internal static class WebhookDestinations
{
    /// <summary>Why <paramref name="address"/> is refused, or null when it may be reached.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "a loopback address";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "an unspecified address",
                10 => "a private address",
                100 when b[1] is >= 64 and <= 127 => "a shared (carrier-grade NAT) address",
                169 when b[1] == 254 => "a link-local or cloud metadata address",
                172 when b[1] is >= 16 and <= 31 => "a private address",
                192 when b[1] == 168 => "a private address",
                192 when b[1] == 0 && b[2] == 0 => "a reserved address",
                198 when b[1] is 18 or 19 => "a benchmarking address",
                >= 224 => "a multicast or reserved address",
                _ => null,
            };
        }

        // IPAddress.IPv6None is the same address (::).
        if (address.Equals(IPAddress.IPv6Any))
        {
            return "an unspecified address";
        }

        var bytes = address.GetAddressBytes();
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal ? "a link-local address"
            : address.IsIPv6Multicast ? "a multicast address"
            : (bytes[0] & 0xFE) == 0xFC ? "a private (unique local) address"
            : bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B ? Refusal(new IPAddress(bytes.AsSpan(12, 4)))
            : null;
    }

    /// <summary>The addresses of <paramref name="host"/> it may connect to; throws naming the first refused one.</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new WebhookDestinationException($"'{host}' does not resolve.");
        }

        if (!allowPrivate && addresses.Select(a => (Address: a, Why: Refusal(a))).FirstOrDefault(a => a.Why is not null) is { Why: { } why } refused)
        {
            throw new WebhookDestinationException($"'{host}' resolves to {refused.Address}, {why}: webhooks reach public addresses only (Crm:Webhooks:AllowPrivateNetworks allows others).");
        }

        return addresses;
    }
}

/// <summary>A webhook destination that may not be reached, or cannot be resolved.</summary>
public sealed class WebhookDestinationException(string message) : Exception(message);
