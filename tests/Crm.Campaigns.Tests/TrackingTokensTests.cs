using System.Security.Cryptography;
using Crm.Campaigns.Tracking;

namespace Crm.Campaigns.Tests;

public sealed class TrackingTokensTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private readonly TrackingTokens _tokens = new(Key);

    [Theory]
    [InlineData(TrackingTokenPurpose.Open)]
    [InlineData(TrackingTokenPurpose.Unsubscribe)]
    [InlineData(TrackingTokenPurpose.Reference)]
    public void A_token_verifies_for_its_campaign_and_purpose_and_names_its_recipient(TrackingTokenPurpose purpose)
        => Assert.Equal(42, _tokens.Verify(7, _tokens.Create(7, 42, purpose), purpose));

    [Fact]
    public void A_token_does_not_verify_for_another_campaign_or_a_changed_recipient()
    {
        var token = _tokens.Create(7, 42, TrackingTokenPurpose.Open);

        Assert.Null(_tokens.Verify(8, token, TrackingTokenPurpose.Open));
        Assert.Null(_tokens.Verify(7, "o43" + token[3..], TrackingTokenPurpose.Open));
    }

    [Fact]
    public void The_pixels_token_never_unsubscribes_nor_names_a_recipient_in_a_delivery_report()
    {
        var open = _tokens.Create(7, 42, TrackingTokenPurpose.Open);

        Assert.Null(_tokens.Verify(7, open, TrackingTokenPurpose.Unsubscribe));
        Assert.Null(_tokens.Verify(7, open, TrackingTokenPurpose.Reference));
        // Nor with its purpose letter swapped: the letter is signed too.
        Assert.Null(_tokens.Verify(7, "u" + open[1..], TrackingTokenPurpose.Unsubscribe));
        Assert.Null(_tokens.Verify(7, open[1..], TrackingTokenPurpose.Unsubscribe));
    }

    [Fact]
    public void A_token_of_mail_sent_before_purposes_existed_still_works_for_each_purpose()
    {
        // {recipientId}.{first 16 bytes of HMAC-SHA256(key, campaignId ‖ recipientId)}, as the previous release made it.
        var data = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(data, 7);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(8), 42);
        var legacy = "42." + Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Key, data).AsSpan(0, 16));

        Assert.All(Enum.GetValues<TrackingTokenPurpose>(), purpose => Assert.Equal(42, _tokens.Verify(7, legacy, purpose)));
        Assert.Null(_tokens.Verify(8, legacy, TrackingTokenPurpose.Unsubscribe));
    }

    [Fact]
    public void A_token_from_another_key_does_not_verify()
        => Assert.Null(_tokens.Verify(7, new TrackingTokens(RandomNumberGenerator.GetBytes(32)).Create(7, 42, TrackingTokenPurpose.Open), TrackingTokenPurpose.Open));

    [Theory]
    [InlineData("")]
    [InlineData("42")]
    [InlineData("42.")]
    [InlineData(".abc")]
    [InlineData("x.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("42.!!!")]
    [InlineData("42.AAAA")]
    [InlineData("o.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("x42.AAAAAAAAAAAAAAAAAAAAAA")]
    public void Malformed_tokens_are_refused(string token) => Assert.Null(_tokens.Verify(7, token, TrackingTokenPurpose.Open));

    [Fact]
    public void Short_keys_are_refused() => Assert.Throws<ArgumentException>(() => new TrackingTokens(new byte[16]));

    [Fact]
    public void A_link_token_names_its_recipient_and_link_for_its_campaign_only()
    {
        var token = _tokens.CreateClick(7, 42, 3);

        Assert.Equal((42L, 3), _tokens.VerifyClick(7, token));
        Assert.Null(_tokens.VerifyClick(8, token));
        Assert.Null(_tokens.VerifyClick(7, token.Replace("42.3.", "42.4.", StringComparison.Ordinal)));
        Assert.Null(_tokens.VerifyClick(7, token.Replace("42.3.", "43.3.", StringComparison.Ordinal)));
        Assert.Null(new TrackingTokens(RandomNumberGenerator.GetBytes(32)).VerifyClick(7, token));
    }

    [Fact]
    public void A_link_token_and_a_pixel_token_never_stand_in_for_each_other()
    {
        var click = _tokens.CreateClick(7, 42, 0);
        var open = _tokens.Create(7, 42, TrackingTokenPurpose.Open);

        Assert.Null(_tokens.Verify(7, click, TrackingTokenPurpose.Open));
        Assert.Null(_tokens.VerifyClick(7, open));
        Assert.Null(_tokens.VerifyClick(7, "42.0." + open[(open.IndexOf('.', StringComparison.Ordinal) + 1)..]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("42.0")]
    [InlineData("42.0.AAAA.AAAA")]
    [InlineData("-42.0.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("42.-1.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("x.0.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("42.y.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("42.0.!!!!")]
    [InlineData("42.0.AAAAAAAAAAA")]
    public void Malformed_link_tokens_are_refused(string? token) => Assert.Null(_tokens.VerifyClick(7, token));

    [Fact]
    public void Link_tokens_longer_than_any_link_made_are_refused_before_any_work()
    {
        var token = _tokens.CreateClick(7, 42, 3);
        var padded = new string('0', 80 - token.Length) + token;

        Assert.Equal((42L, 3), _tokens.VerifyClick(7, padded));
        Assert.Null(_tokens.VerifyClick(7, "0" + padded));
    }

    [Fact]
    public void Pixel_tokens_longer_than_any_token_made_are_refused_before_any_work()
    {
        var token = _tokens.Create(7, 42, TrackingTokenPurpose.Open);
        var padded = "o" + new string('0', 64 - token.Length) + token[1..];

        Assert.Equal(42, _tokens.Verify(7, padded, TrackingTokenPurpose.Open));
        Assert.Null(_tokens.Verify(7, "o0" + padded[1..], TrackingTokenPurpose.Open));
    }

    [Fact]
    public void A_link_index_below_zero_is_never_signed()
        => Assert.Throws<ArgumentOutOfRangeException>(() => _tokens.CreateClick(7, 42, -1));

    [Fact]
    public void A_missing_or_short_key_is_refused_naming_the_rule()
    {
        Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => new TrackingTokens(null!)).ParamName);
        Assert.Contains("at least 32 bytes", Assert.Throws<ArgumentException>(() => new TrackingTokens(new byte[31])).Message, StringComparison.Ordinal);
    }
}

public sealed class RecipientReferenceTests
{
    private static readonly Crm.Campaigns.Tracking.TrackingTokens Tokens = new(new byte[32]);

    [Fact]
    public void A_message_id_and_a_return_path_name_the_recipient_and_verify()
    {
        var token = Tokens.Create(7, 42, TrackingTokenPurpose.Reference);
        foreach (var reference in new[] { Crm.Campaigns.Tracking.RecipientReference.MessageId(7, token, "shop.example"), "<" + Crm.Campaigns.Tracking.RecipientReference.MessageId(7, token, "shop.example") + ">", Crm.Campaigns.Tracking.RecipientReference.ReturnPath(7, token, "bounces.shop.example") })
        {
            Assert.True(Crm.Campaigns.Tracking.RecipientReference.TryRead(reference, out var campaignId, out var read));
            Assert.Equal(7, campaignId);
            Assert.Equal(42, Tokens.Verify(campaignId, read, TrackingTokenPurpose.Reference));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("bounce-123@mx.example")]
    [InlineData("crm.x.1.abc@shop.example")]
    [InlineData("bounces+@shop.example")]
    [InlineData("crm.7.42.AAAAAAAAAAAAAAAAAAAAAA@shop.example")]
    public void Anything_else_or_a_forged_signature_names_nobody(string reference)
        => Assert.False(Crm.Campaigns.Tracking.RecipientReference.TryRead(reference, out var campaignId, out var token) && Tokens.Verify(campaignId, token, TrackingTokenPurpose.Reference) is not null);
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
