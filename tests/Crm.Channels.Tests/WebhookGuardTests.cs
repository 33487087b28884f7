using System.Net;
using System.Text;
using Crm.Webhooks;

namespace Crm.Channels.Tests;

/// <summary>The outgoing webhooks' two guards, at their boundaries: the signature receivers check, and the addresses never reached.</summary>
public sealed class WebhookGuardTests
{
    [Fact]
    public void The_signature_of_the_standard_webhooks_example_is_the_one_the_specification_gives()
    {
        // The Standard Webhooks specification's example: this secret, id, timestamp and body sign to exactly this.
        var signature = WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("{\"test\": 2432232314}"));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
        Assert.Equal(signature, WebhookSignature.Sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, Encoding.UTF8.GetBytes("{\"test\": 2432232314}")));
        Assert.NotEqual(signature, WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, Encoding.UTF8.GetBytes("{\"test\": 2432232314}")));
    }

    [Fact]
    public void A_new_secret_is_32_random_bytes_behind_the_prefix()
    {
        var first = WebhookSignature.NewSecret();

        Assert.StartsWith("whsec_", first, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(first["whsec_".Length..]).Length);
        Assert.NotEqual(first, WebhookSignature.NewSecret());
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "unspecified")]
    [InlineData("10.0.0.0", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("100.64.0.0", "carrier-grade")]
    [InlineData("100.127.255.255", "carrier-grade")]
    [InlineData("169.254.169.254", "metadata")]
    [InlineData("172.16.0.0", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.0.1", "private")]
    [InlineData("192.0.0.8", "reserved")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "multicast or reserved")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fec0::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fdff::1", "unique local")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:169.254.169.254", "metadata")]
    [InlineData("64:ff9b::a00:1", "private")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    public void Internal_addresses_are_refused_with_the_reason(string address, string reason)
        => Assert.Contains(reason, WebhookDestinations.Refusal(IPAddress.Parse(address)), StringComparison.Ordinal);

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("192.0.1.1")]
    [InlineData("192.1.0.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("fe00::1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("64:ff9a::a00:1")]
    [InlineData("2001:ff9b::a00:1")]
    [InlineData("0:ff9b::a00:1")]
    [InlineData("64:ff00::a00:1")]
    public void Public_addresses_are_allowed(string address)
        => Assert.Null(WebhookDestinations.Refusal(IPAddress.Parse(address)));

    [Fact]
    public void A_secret_and_an_id_are_required_to_sign()
    {
        Assert.Throws<ArgumentException>(() => WebhookSignature.Sign("", "msg_1", 1, "{}"u8));
        Assert.Throws<ArgumentException>(() => WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "", 1, "{}"u8));
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1, a private address")]
    [InlineData("[::1]", "::1, a loopback address")]
    [InlineData("localhost", "a loopback address")]
    public async Task A_host_resolving_to_an_internal_address_is_refused_naming_it(string host, string named)
    {
        var refused = await Assert.ThrowsAsync<WebhookDestinationException>(() => WebhookDestinations.ResolveAsync(host, allowPrivate: false, CancellationToken.None));

        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Contains($"'{host}'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Internal_addresses_are_reachable_only_when_private_networks_are_allowed()
    {
        Assert.Equal([IPAddress.Parse("10.0.0.1")], await WebhookDestinations.ResolveAsync("10.0.0.1", allowPrivate: true, CancellationToken.None));
        Assert.Equal([IPAddress.Parse("93.184.215.14")], await WebhookDestinations.ResolveAsync("93.184.215.14", allowPrivate: false, CancellationToken.None));
    }
}
