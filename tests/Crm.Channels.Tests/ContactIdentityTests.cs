using Crm.Channels.Contacts;

namespace Crm.Channels.Tests;

public sealed class ContactIdentityTests
{
    [Theory]
    [InlineData("+447700900123", "+447700900123")]
    [InlineData("whatsapp:+447700900123", "+447700900123")]
    [InlineData("+44 (0)7700 900123", "+447700900123")]
    [InlineData("+1 415-555-0100", "+14155550100")]
    [InlineData("0049 30 1234567", "+49301234567")]
    [InlineData("tel:+33.1.23.45.67.89", "+33123456789")]
    [InlineData("07700 900123", null)]
    [InlineData("+0123456789", null)]
    [InlineData("+12345", null)]
    [InlineData("+1234567890123456", null)]
    [InlineData("+44 7700 9001x3", null)]
    [InlineData("", null)]
    public void Phone_numbers_normalise_to_e164_or_are_refused(string input, string? expected)
        => Assert.Equal(expected, ContactIdentity.NormalizePhone(input));

    [Theory]
    [InlineData("Ann@Example.COM", "ann@example.com")]
    [InlineData("  bob@example.org ", "bob@example.org")]
    [InlineData("Ann <ann@example.com>", null)]
    [InlineData("ann@localhost", null)]
    [InlineData("not-an-address", null)]
    [InlineData("a@b.c, d@e.f", null)]
    public void Email_addresses_are_lower_cased_or_refused(string input, string? expected)
        => Assert.Equal(expected, ContactIdentity.NormalizeEmail(input));
}
