using Crm.Campaigns.Contacts;
using Crm.Testing;

namespace Crm.Campaigns.Tests;

/// <summary>The contacts import normalises identities exactly as intake does: the same vector as Crm.Channels' tests.</summary>
public sealed class ContactImportIdentityTests
{
    [Theory]
    [MemberData(nameof(ContactIdentityVectors.Phones), MemberType = typeof(ContactIdentityVectors))]
    public void Imported_phone_numbers_normalise_like_intake_or_are_rejected(string input, string? expected)
    {
        var (contact, reasons) = ContactImportValidator.Validate("someone@example.com", null, input, null, null);

        Assert.Equal(expected, contact?.Phone);
        Assert.Equal(expected is null, reasons.Any(r => r.StartsWith("phone", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(ContactIdentityVectors.Emails), MemberType = typeof(ContactIdentityVectors))]
    public void Imported_addresses_normalise_like_intake_or_are_rejected(string input, string? expected)
        => Assert.Equal(expected, ContactImportValidator.Validate(input, null, null, null, null).Contact?.Email);
}
