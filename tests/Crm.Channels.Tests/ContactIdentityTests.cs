using Crm.Contacts;
using Crm.Testing;

namespace Crm.Channels.Tests;

/// <summary>Crm.Channels' copy of the contact identity rules, against the vector the contacts import is checked with.</summary>
public sealed class ContactIdentityTests
{
    [Theory]
    [MemberData(nameof(ContactIdentityVectors.Phones), MemberType = typeof(ContactIdentityVectors))]
    public void Phone_numbers_normalise_to_e164_or_are_refused(string input, string? expected)
        => Assert.Equal(expected, ContactIdentity.NormalizePhone(input));

    [Theory]
    [MemberData(nameof(ContactIdentityVectors.Emails), MemberType = typeof(ContactIdentityVectors))]
    public void Email_addresses_are_lower_cased_or_refused(string input, string? expected)
        => Assert.Equal(expected, ContactIdentity.NormalizeEmail(input));
}
