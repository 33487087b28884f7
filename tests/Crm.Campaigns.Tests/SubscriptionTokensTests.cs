using System.Security.Cryptography;
using System.Text;
using Crm.Campaigns.Subscriptions;
using Microsoft.AspNetCore.WebUtilities;

namespace Crm.Campaigns.Tests;

/// <summary>The double opt-in's confirmation links: one contact, its tags, when it asked, until when.</summary>
public sealed class SubscriptionTokensTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);
    private static readonly DateTimeOffset Requested = new(2026, 12, 1, 9, 0, 0, 123, TimeSpan.Zero);
    private readonly SubscriptionTokens _tokens = new(Key);

    private static DateTimeOffset Expires => Requested + Lifetime;

    [Fact]
    public void A_link_names_its_contact_tags_and_request_time_until_it_expires()
    {
        var token = _tokens.Create(42, ["news", "Angebote für Sie"], Requested.AddTicks(1), Expires);

        var link = _tokens.Verify(token, Expires, Lifetime);

        Assert.NotNull(link);
        Assert.Equal(42, link.ContactId);
        Assert.Equal(["news", "Angebote für Sie"], link.Tags);
        // Rounded up to the millisecond, never before the request.
        Assert.Equal(Requested.AddMilliseconds(1), link.RequestedAt);
        Assert.Null(_tokens.Verify(token, Expires.AddSeconds(1), Lifetime));
    }

    [Fact]
    public void A_link_without_tags_has_none()
        => Assert.Empty(_tokens.Verify(_tokens.Create(1, [], Requested, Expires), Requested, Lifetime)!.Tags);

    [Fact]
    public void A_changed_part_or_another_key_does_not_verify()
    {
        var token = _tokens.Create(42, ["news"], Requested, Expires);
        var parts = token.Split('.');

        Assert.Null(_tokens.Verify(string.Join('.', parts.Select((p, i) => i == 0 ? "43" : p)), Requested, Lifetime));
        Assert.Null(_tokens.Verify(string.Join('.', parts.Select((p, i) => i == 1 ? (long.Parse(p) + 3600).ToString() : p)), Requested, Lifetime));
        Assert.Null(_tokens.Verify(string.Join('.', parts.Select((p, i) => i == 2 ? WebEncoders.Base64UrlEncode("vip"u8.ToArray()) : p)), Requested, Lifetime));
        Assert.Null(_tokens.Verify(string.Join('.', parts.Select((p, i) => i == 3 ? "0" : p)), Requested, Lifetime));
        Assert.Null(new SubscriptionTokens([.. Key.Reverse()]).Verify(token, Requested, Lifetime));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5.6")]
    [InlineData("-1.2.a.4.mac")]
    [InlineData("1.-2.a.4.mac")]
    [InlineData("1.2.a.-4.mac")]
    [InlineData("1.2.a.x.mac")]
    [InlineData("1.2.!!.4.mac")]
    public void A_malformed_link_is_refused(string? token)
        => Assert.Null(_tokens.Verify(token, Requested, Lifetime));

    [Fact]
    public void A_link_longer_than_any_link_made_is_refused_before_any_work()
    {
        var token = _tokens.Create(1, [new string('a', 1400)], Requested, Expires);

        Assert.NotNull(_tokens.Verify(token, Requested, Lifetime));
        Assert.Null(_tokens.Verify(_tokens.Create(1, [new string('a', 1600)], Requested, Expires), Requested, Lifetime));
    }

    [Fact]
    public void A_link_mailed_before_links_carried_their_request_time_still_verifies()
    {
        // Four parts, as mailed by the earlier release: the request time is the expiry less the lifetime.
        var payload = $"42.{Expires.ToUnixTimeSeconds()}.{WebEncoders.Base64UrlEncode("news"u8.ToArray())}";
        var legacy = payload + "." + WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes("subscribe:" + payload)));

        var link = _tokens.Verify(legacy, Requested, Lifetime);

        Assert.NotNull(link);
        Assert.Equal(42, link.ContactId);
        Assert.Equal(["news"], link.Tags);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Expires.ToUnixTimeSeconds()) - Lifetime, link.RequestedAt);
    }

    [Fact]
    public void A_request_on_the_millisecond_keeps_its_time()
        => Assert.Equal(Requested, _tokens.Verify(_tokens.Create(1, ["news"], Requested, Expires), Requested, Lifetime)!.RequestedAt);

    [Fact]
    public void A_link_of_exactly_the_longest_length_verifies()
    {
        // Tags and contact ids of the lengths that make a link of exactly 2,048 characters, the cap.
        var longest = (from length in Enumerable.Range(1400, 200)
                       from contactId in new long[] { 1, 12, 123, 1234 }
                       let token = _tokens.Create(contactId, [new string('a', length)], Requested, Expires)
                       where token.Length == 2048
                       select token).First();

        Assert.NotNull(_tokens.Verify(longest, Requested, Lifetime));
    }
}
