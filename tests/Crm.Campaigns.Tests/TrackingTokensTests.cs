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

public sealed class RecipientReferenceTests
{
    private static readonly Crm.Campaigns.Tracking.TrackingTokens Tokens = new(new byte[32]);

    [Fact]
    public void A_message_id_and_a_return_path_name_the_recipient_and_verify()
    {
        var token = Tokens.Create(7, 42);
        foreach (var reference in new[] { Crm.Campaigns.Tracking.RecipientReference.MessageId(7, token, "shop.example"), "<" + Crm.Campaigns.Tracking.RecipientReference.MessageId(7, token, "shop.example") + ">", Crm.Campaigns.Tracking.RecipientReference.ReturnPath(7, token, "bounces.shop.example") })
        {
            Assert.True(Crm.Campaigns.Tracking.RecipientReference.TryRead(reference, out var campaignId, out var read));
            Assert.Equal(7, campaignId);
            Assert.Equal(42, Tokens.Verify(campaignId, read));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("bounce-123@mx.example")]
    [InlineData("crm.x.1.abc@shop.example")]
    [InlineData("bounces+@shop.example")]
    [InlineData("crm.7.42.AAAAAAAAAAAAAAAAAAAAAA@shop.example")]
    public void Anything_else_or_a_forged_signature_names_nobody(string reference)
        => Assert.False(Crm.Campaigns.Tracking.RecipientReference.TryRead(reference, out var campaignId, out var token) && Tokens.Verify(campaignId, token) is not null);
}

public sealed class MailtoUnsubscribeTests
{
    [Theory]
    [InlineData("unsubscribe 12 345.AbC-_x")]
    [InlineData("  UNSUBSCRIBE 12 345.AbC-_x ")]
    [InlineData("Re: unsubscribe 12 345.AbC-_x")]
    public void The_subject_the_mailto_link_writes_is_read_back(string subject)
    {
        Assert.True(Crm.Campaigns.Tracking.MailtoUnsubscribe.TryRead(subject, out var campaignId, out var token));
        Assert.Equal(12, campaignId);
        Assert.Equal("345.AbC-_x", token);
        Assert.Equal("unsubscribe 12 345.AbC-_x", Crm.Campaigns.Tracking.MailtoUnsubscribe.Subject(12, "345.AbC-_x"));
    }

    [Theory]
    [InlineData("please unsubscribe me")]
    [InlineData("unsubscribe")]
    [InlineData("unsubscribe 0 1.x")]
    [InlineData("unsubscribe 12 345 and more")]
    [InlineData("")]
    public void Other_subjects_name_nobody(string subject)
        => Assert.False(Crm.Campaigns.Tracking.MailtoUnsubscribe.TryRead(subject, out _, out _));
}
