using Xunit;

namespace Crm.Testing;

/// <summary>
/// One set of identities, and what each must normalise to: every package that writes the contacts table (chat and
/// WhatsApp intake, the contacts import) is checked against the same vector, so they cannot drift apart.
/// </summary>
public static class ContactIdentityVectors
{
    public static TheoryData<string, string?> Phones { get; } = new()
    {
        { "+447700900123", "+447700900123" },
        { "whatsapp:+447700900123", "+447700900123" },
        { "+44 (0)7700 900123", "+447700900123" },
        { "+1 415-555-0100", "+14155550100" },
        { "0049 30 1234567", "+49301234567" },
        { "0044 7700 900123", "+447700900123" },
        { "tel:+33.1.23.45.67.89", "+33123456789" },
        { "07700 900123", null },
        { "+0123456789", null },
        { "+12345", null },
        { "+1234567890123456", null },
        { "+44 7700 9001x3", null },
    };

    public static TheoryData<string, string?> Emails { get; } = new()
    {
        { "Ann@Example.COM", "ann@example.com" },
        { "  bob@example.org ", "bob@example.org" },
        { "Ann <ann@example.com>", null },
        { "ann@localhost", null },
        { "not-an-address", null },
        { "a@b.c, d@e.f", null },
    };
}
