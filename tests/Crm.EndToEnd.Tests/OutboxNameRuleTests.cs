namespace Crm.EndToEnd.Tests;

/// <summary>The outbox viewer's name rule: only the names the pickup sender writes, never a path.</summary>
public sealed class OutboxNameRuleTests
{
    [Theory]
    [InlineData("20261101000000000-0123456789abcdef0123456789abcdef.eml", true)]
    [InlineData("20261101000000000-0123456789ABCDEF0123456789ABCDEF.eml", false)]
    [InlineData("notes.eml", false)]
    [InlineData("../crm.db", false)]
    [InlineData("..%2Fcrm.db", false)]
    [InlineData("20261101000000000-0123456789abcdef0123456789abcdef.eml/../x", false)]
    [InlineData("20261101000000000-0123456789abcdef0123456789abcdef.eml.tmp", false)]
    [InlineData("", false)]
    public void Only_names_the_sender_writes_are_opened(string name, bool opened)
        => Assert.Equal(opened, Crm.Admin.Pages.BulkEmail.OutboxMessageModel.IsMessageFileName(name));
}
