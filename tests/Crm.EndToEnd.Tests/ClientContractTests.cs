using System.Net;
using System.Text.Json.Nodes;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// The contract the TypeScript packages stand on never drifts silently: the OpenAPI document the build generates and
/// the one the running host serves are the committed <c>clients/openapi/crm.json</c>, and the widget Crm.Channels
/// serves is a fresh build of <c>@crm-libraries/chat-widget</c>. When one fails: regenerate (README, "React front end").
/// </summary>
public sealed class ClientContractTests
{
    private static readonly string Committed = Path.Combine(RepositoryPaths.Root, "clients", "openapi", "crm.json");

    [Fact]
    public void The_committed_openapi_document_is_the_one_the_build_generates()
    {
        var built = Path.Combine(RepositoryPaths.WebHostProject, "obj", "openapi", "crm.json");
        Assert.True(File.Exists(built), $"The build did not generate {built}.");

        AssertSameJson(File.ReadAllText(Committed), File.ReadAllText(built),
            "cp samples/WebHost/obj/openapi/crm.json clients/openapi/crm.json (after dotnet build), then rebuild the clients");
    }

    [Fact]
    public async Task The_running_host_serves_the_committed_document_in_production_and_no_interactive_reference()
    {
        await using var host = await HostProcess.StartAsync();
        using var client = host.CreateClient();

        var served = await client.GetStringAsync("/openapi/v1.json");
        using var reference = await client.GetAsync("/scalar");

        AssertSameJson(File.ReadAllText(Committed), served, "the host serves another document than the committed one");
        Assert.Equal(HttpStatusCode.NotFound, reference.StatusCode);
    }

    [Fact]
    public async Task The_interactive_reference_is_served_in_development()
    {
        await using var host = await HostProcess.StartAsync(environment: "Development");
        using var client = host.CreateClient();

        using var reference = await client.GetAsync("/scalar/");

        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("openapi/v1.json", await reference.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_widget_Crm_Channels_serves_is_a_fresh_build_of_the_npm_package()
    {
        var fresh = Path.Combine(RepositoryPaths.Root, "clients", "packages", "chat-widget", "dist", "crm-chat.js");
        var served = Path.Combine(RepositoryPaths.Root, "src", "Crm.Channels", "Chat", "Widget", "crm-chat.js");
        Assert.True(File.Exists(fresh), $"{fresh} is missing: run `npm ci && npm run build` in clients/ (./test.sh does).");

        Assert.True(File.ReadAllText(fresh) == File.ReadAllText(served),
            "src/Crm.Channels/Chat/Widget/crm-chat.js differs from a fresh build of @crm-libraries/chat-widget: run `npm run sync-widget` in clients/.");
    }

    [Fact]
    public void The_npm_packages_are_versioned_in_lockstep_with_the_nuget_packages()
    {
        var props = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props"));
        var version = props.Descendants("VersionPrefix").Single().Value;
        foreach (var package in new[] { "clients/packages/client", "clients/packages/chat-widget", "clients/packages/react" })
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, package, "package.json")))!;
            Assert.True(version == manifest["version"]!.GetValue<string>(), $"{package} is {manifest["version"]}, the NuGet packages {version}");
        }
    }

    private static void AssertSameJson(string expected, string actual, string fix)
        => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), "The OpenAPI contract drifted: " + fix);
}
