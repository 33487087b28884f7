using System.Security.Cryptography;
using Crm.Campaigns.Tracking;

namespace Crm.Campaigns.Tests;

public sealed class TrackingTokensTests
{
    private readonly TrackingTokens _tokens = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void A_token_verifies_for_its_campaign_and_names_its_recipient()
        => Assert.Equal(42, _tokens.Verify(7, _tokens.Create(7, 42)));

    [Fact]
    public void A_token_does_not_verify_for_another_campaign_or_a_changed_recipient()
    {
        var token = _tokens.Create(7, 42);

        Assert.Null(_tokens.Verify(8, token));
        Assert.Null(_tokens.Verify(7, "43" + token[2..]));
    }

    [Fact]
    public void A_token_from_another_key_does_not_verify()
        => Assert.Null(_tokens.Verify(7, new TrackingTokens(RandomNumberGenerator.GetBytes(32)).Create(7, 42)));

    [Theory]
    [InlineData("")]
    [InlineData("42")]
    [InlineData("42.")]
    [InlineData(".abc")]
    [InlineData("x.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("42.!!!")]
    [InlineData("42.AAAA")]
    public void Malformed_tokens_are_refused(string token) => Assert.Null(_tokens.Verify(7, token));

    [Fact]
    public void Short_keys_are_refused() => Assert.Throws<ArgumentException>(() => new TrackingTokens(new byte[16]));
}
