using System.Net;

namespace Crm.Channels.Chat;

/// <summary>
/// The key that per-client limits count under: an IPv4 address as it is, an IPv6 address by its /64 network (one
/// subscriber usually holds a whole /64, so counting single IPv6 addresses would let one client take thousands of keys).
/// </summary>
internal static class ClientAddress
{
    public static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
