using System.Security.Cryptography;
using System.Text;
using Crm.Channels.WhatsApp;
using Microsoft.Extensions.Primitives;

namespace Crm.Channels.Tests;

public sealed class TwilioSignatureTests
{
    private const string Token = "12345";
    private const string Url = "https://mycompany.com/myapp.php?foo=1&bar=2";

    private static readonly Dictionary<string, StringValues> Parameters = new()
    {
        ["CallSid"] = "CA1234567890ABCDE",
        ["Caller"] = "+12349013030",
        ["Digits"] = "1234",
        ["From"] = "+12349013030",
        ["To"] = "+18005551212",
    };

    // Written out by hand from Twilio's documented algorithm: URL, then name+value pairs sorted by name.
    private static string IndependentSignature(string url) => Convert.ToBase64String(HMACSHA1.HashData(
        Encoding.UTF8.GetBytes(Token),
        Encoding.UTF8.GetBytes(url + "CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212")));

    [Fact]
    public void The_signature_matches_an_independent_computation_of_the_documented_algorithm()
        => Assert.Equal(IndependentSignature(Url), TwilioSignature.Compute(Token, Url, Parameters.Reverse()));

    [Fact]
    public void The_signature_of_twilios_documented_example_is_the_one_twilio_publishes()
    {
        // Twilio's webhook security documentation: this token, URL and form give exactly this signature. The only
        // vector here not produced by code of ours, so the only one that catches an implementation consistently wrong.
        var documented = new Dictionary<string, StringValues>
        {
            ["CallSid"] = "CA1234567890ABCDE",
            ["Caller"] = "+14158675310",
            ["Digits"] = "1234",
            ["From"] = "+14158675310",
            ["To"] = "+18005551212",
        };

        Assert.Equal("GvWf1cFY/Q7PnoempGyD5oXAezc=", TwilioSignature.Compute("12345", Url, documented));
        Assert.True(TwilioSignature.IsValid("12345", "GvWf1cFY/Q7PnoempGyD5oXAezc=", Url, documented));
    }

    [Fact]
    public void Parameters_sort_by_ordinal_case_sensitive_name()
    {
        var parameters = new Dictionary<string, StringValues> { ["b"] = "1", ["B"] = "2", ["a"] = "3" };
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Token), Encoding.UTF8.GetBytes(Url + "B2a3b1")));

        Assert.Equal(expected, TwilioSignature.Compute(Token, Url, parameters));
    }

    [Fact]
    public void A_valid_signature_verifies_and_any_change_does_not()
    {
        var signature = IndependentSignature(Url);

        Assert.True(TwilioSignature.IsValid(Token, signature, Url, Parameters));
        Assert.False(TwilioSignature.IsValid("other", signature, Url, Parameters));
        Assert.False(TwilioSignature.IsValid(Token, signature, Url + "&x=1", Parameters));
        Assert.False(TwilioSignature.IsValid(Token, signature, Url, new Dictionary<string, StringValues>(Parameters) { ["Digits"] = "9999" }));
        Assert.False(TwilioSignature.IsValid(Token, null, Url, Parameters));
        Assert.False(TwilioSignature.IsValid(Token, "", Url, Parameters));
    }

    [Fact]
    public void The_url_verifies_with_or_without_its_default_port()
    {
        Assert.True(TwilioSignature.IsValid(Token, IndependentSignature("https://mycompany.com:443/myapp.php?foo=1&bar=2"), Url, Parameters));
        Assert.True(TwilioSignature.IsValid(Token, IndependentSignature(Url), "https://mycompany.com:443/myapp.php?foo=1&bar=2", Parameters));
    }

    [Fact]
    public void The_json_body_hash_must_match_bodySHA256()
    {
        var body = Encoding.UTF8.GetBytes("{\"Body\":\"hi\"}");
        var hash = Convert.ToHexStringLower(SHA256.HashData(body));

        Assert.True(TwilioSignature.BodyHashMatches(body, hash));
        Assert.True(TwilioSignature.BodyHashMatches(body, hash.ToUpperInvariant()));
        Assert.False(TwilioSignature.BodyHashMatches(Encoding.UTF8.GetBytes("{\"Body\":\"ho\"}"), hash));
        Assert.False(TwilioSignature.BodyHashMatches(body, null));
    }

    [Fact]
    public void Missing_arguments_are_refused()
    {
        Assert.Equal("authToken", Assert.Throws<ArgumentNullException>(() => TwilioSignature.Compute(null!, Url, Parameters)).ParamName);
        Assert.Equal("url", Assert.Throws<ArgumentNullException>(() => TwilioSignature.Compute(Token, null!, Parameters)).ParamName);
        Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => TwilioSignature.Compute(Token, Url, null!)).ParamName);
    }

    [Fact]
    public void A_repeated_name_signs_its_values_in_ordinal_order()
    {
        var parameters = new Dictionary<string, StringValues> { ["MediaUrl"] = new(["b", "a", "B"]) };
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Token), Encoding.UTF8.GetBytes(Url + "MediaUrlBMediaUrlaMediaUrlb")));

        Assert.Equal(expected, TwilioSignature.Compute(Token, Url, parameters));
    }

    [Theory]
    [InlineData("https://mycompany.com", "https://mycompany.com:443/")]
    [InlineData("https://mycompany.com:443", "https://mycompany.com/")]
    [InlineData("https://mycompany.com/a:b?x=1", "https://mycompany.com:443/a:b?x=1")]
    [InlineData("https://mycompany.com?x=a:1", "https://mycompany.com:443/?x=a:1")]
    [InlineData("https://[2001:db8::1]/hook", "https://[2001:db8::1]:443/hook")]
    [InlineData("https://[2001:db8::1]:443/hook", "https://[2001:db8::1]/hook")]
    [InlineData("http://mycompany.com:8080/hook", "http://mycompany.com/hook")]
    public void The_other_url_variant_adds_or_drops_the_port(string url, string other)
        => Assert.Equal([url, other], TwilioSignature.UrlVariants(url));

    [Theory]
    [InlineData("/hook?x=1")]
    [InlineData("hook")]
    [InlineData("ftp://mycompany.com/hook")]
    public void A_url_that_is_no_absolute_web_url_is_signed_as_given_only(string url)
        => Assert.Equal([url], TwilioSignature.UrlVariants(url));
}
