using System.Security.Cryptography;
using System.Text;
using Crm.Channels.Chat;
using Crm.Security;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Tests;

public sealed class SignedTextTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    // Written out from the format links already mailed and tokens already issued carry: base64url(HMAC-SHA256(key, "purpose:payload")).
    private static string Independent(string purpose, string payload)
        => WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(purpose + ":" + payload)));

    [Fact]
    public void The_mac_is_the_format_issued_tokens_and_mailed_links_carry()
        => Assert.Equal(Independent("attachment", "7:abc:1700000000"), SignedText.Mac(Key, "attachment", "7:abc:1700000000"));

    [Fact]
    public void Only_the_exact_mac_of_the_same_purpose_and_payload_verifies()
    {
        var mac = SignedText.Mac(Key, "subscribe", "1.2.3");
        var lastBitsChanged = mac[..^1] + (char)(mac[^1] ^ 1);

        Assert.True(SignedText.Verify(Key, "subscribe", "1.2.3", mac));
        Assert.False(SignedText.Verify(Key, "visitor", "1.2.3", mac));
        Assert.False(SignedText.Verify(Key, "subscribe", "1.2.4", mac));
        Assert.False(SignedText.Verify([.. Key.Reverse()], "subscribe", "1.2.3", mac));
        Assert.False(SignedText.Verify(Key, "subscribe", "1.2.3", lastBitsChanged));
        Assert.False(SignedText.Verify(Key, "subscribe", "1.2.3", mac + "="));
        Assert.False(SignedText.Verify(Key, "subscribe", "1.2.3", mac.AsSpan(0, mac.Length - 1)));
        Assert.False(SignedText.Verify(Key, "subscribe", "1.2.3", mac[..^1] + "é"));
        Assert.False(SignedText.Verify(Key, "subscribe", "1.2.3", ""));
        // A character outside ASCII whose low byte is the MAC's own character must not pass for it.
        Assert.False(SignedText.Verify(Key, "subscribe", "1.2.3", mac[..^1] + (char)(mac[^1] + 0x100)));
    }

    [Fact]
    public async Task A_visitor_token_is_the_one_issued_before_the_kernel_signed_it_and_keyed_by_the_stored_secret()
    {
        var secrets = new InMemoryCrmSecretStore();
        await secrets.GetOrCreateSecretAsync("channels.chat.visitor_token_key", Key, CancellationToken.None);
        var tokens = new VisitorTokens(secrets, Options.Create(new ChatOptions()));

        Assert.True(await tokens.VerifyAsync("conversation-1", "v1." + Independent("visitor", "conversation-1"), CancellationToken.None));
        Assert.Equal("v1." + Independent("visitor", "conversation-1"), tokens.Issue("conversation-1"));
        Assert.False(await tokens.VerifyAsync("conversation-2", tokens.Issue("conversation-1"), CancellationToken.None));
        Assert.False(await tokens.VerifyAsync("conversation-1", Independent("visitor", "conversation-1"), CancellationToken.None));
    }

    [Fact]
    public async Task A_configured_secret_is_stretched_and_never_stored()
    {
        var secrets = new InMemoryCrmSecretStore();
        var key = new SigningKey(secrets, "some.key", () => "a configured secret");

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("a configured secret")), await key.LoadAsync(CancellationToken.None));
        Assert.Equal([9], await secrets.GetOrCreateSecretAsync("some.key", [9], CancellationToken.None));
    }

    [Fact]
    public async Task A_visitor_token_without_its_prefix_or_missing_is_refused()
    {
        var secrets = new InMemoryCrmSecretStore();
        await secrets.GetOrCreateSecretAsync("channels.chat.visitor_token_key", Key, CancellationToken.None);
        var tokens = new VisitorTokens(secrets, Options.Create(new ChatOptions()));

        Assert.False(await tokens.VerifyAsync("conversation-1", null, CancellationToken.None));
        Assert.False(await tokens.VerifyAsync("conversation-1", "", CancellationToken.None));
        Assert.False(await tokens.VerifyAsync("conversation-1", "v2." + Independent("visitor", "conversation-1"), CancellationToken.None));
    }

    [Fact]
    public void A_sites_identity_hash_verifies_for_its_email_only_and_only_with_a_secret()
    {
        const string Secret = "the site's identity secret";
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("ann@example.com")));
        var tokens = new VisitorTokens(new InMemoryCrmSecretStore(), Options.Create(new ChatOptions { IdentitySecret = Secret }));

        Assert.True(tokens.IsIdentityValid("ann@example.com", hash));
        Assert.True(tokens.IsIdentityValid("  Ann@Example.COM ", hash.ToUpperInvariant()));
        Assert.False(tokens.IsIdentityValid("bob@example.com", hash));
        Assert.False(tokens.IsIdentityValid("ann@example.com", hash[..62]));
        Assert.False(tokens.IsIdentityValid("ann@example.com", hash[..62] + "zz"));
        Assert.False(tokens.IsIdentityValid("ann@example.com", hash + "00"));
        Assert.False(new VisitorTokens(new InMemoryCrmSecretStore(), Options.Create(new ChatOptions())).IsIdentityValid("ann@example.com", hash));
        Assert.False(new VisitorTokens(new InMemoryCrmSecretStore(), Options.Create(new ChatOptions { IdentitySecret = "" })).IsIdentityValid("ann@example.com", hash));
    }

    [Fact]
    public void A_key_is_used_only_once_it_is_loaded()
    {
        var key = new SigningKey(new InMemoryCrmSecretStore(), "some.key", static () => null);

        var failure = Assert.Throws<InvalidOperationException>(() => key.Loaded);

        Assert.Contains("some.key", failure.Message, StringComparison.Ordinal);
    }
}
