using Crm.Campaigns.Tracking;

namespace Crm.Campaigns.Tests;

public sealed class MachineOpensTests
{
    [Theory]
    [InlineData("Mozilla/5.0", true)]
    [InlineData("", true)]
    [InlineData(null, true)]
    [InlineData("Mozilla/5.0 (compatible; Barracuda Sentinel)", true)]
    [InlineData("python-requests/2.31", true)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36", true)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", false)]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko)", false)]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0 (via ggpht.com GoogleImageProxy)", false)]
    [InlineData("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)", false)]
    public void User_agents_of_proxies_and_scanners_are_machines_and_mail_clients_are_people(string? userAgent, bool machine) =>
        Assert.Equal(machine, MachineOpens.IsMachineUserAgent(userAgent));
}
