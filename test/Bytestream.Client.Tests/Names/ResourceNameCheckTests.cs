namespace Bytestream.Client.Tests.Names;

/// <summary>
/// Every entry point rejects a resource name that is only white space or holds a control character with
/// <see cref="ArgumentException"/> before any call: such names used to go to the server as they were.
/// </summary>
public class ResourceNameCheckTests : ServerTestBase
{
    private static readonly Dictionary<string, string> Names = new()
    {
        ["spaces"] = "   ",
        ["tab and newline"] = "\t\n",
        ["NUL inside"] = "main/blobs/ab\0cd/4",
        ["line break inside"] = "main/uploads/x\r\n/blobs/abcd/4",
        ["DEL"] = "main/\u007f",
        ["C1 control"] = "main/\u0085blobs",
    };

    private static readonly Dictionary<string, Func<ByteStreamClient, string, object>> EntryPoints = new()
    {
        ["OpenRead"] = (c, n) => c.OpenRead(n),
        ["DownloadAsync"] = (c, n) => c.DownloadAsync(n, new MemoryStream()),
        ["ReadAllBytesAsync"] = (c, n) => c.ReadAllBytesAsync(n),
        ["OpenWrite"] = (c, n) => c.OpenWrite(n),
        ["UploadAsync(memory)"] = (c, n) => c.UploadAsync(n, new byte[1]),
        ["UploadAsync(stream)"] = (c, n) => c.UploadAsync(n, new MemoryStream(new byte[1])),
        ["QueryWriteStatusAsync"] = (c, n) => c.QueryWriteStatusAsync(n),
    };

    private static IEnumerable<TestCaseData> Cases() =>
        from name in Names.Keys
        from entry in EntryPoints.Keys
        select new TestCaseData(name, entry).SetArgDisplayNames(name, entry);

    [TestCaseSource(nameof(Cases))]
    public void BadName_ThrowsArgumentExceptionBeforeAnyCall(string nameCase, string entryPoint)
    {
        var client = CreateClient();
        var name = Names[nameCase];

        var error = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => EntryPoints[entryPoint](client, name));

        Assert.That(error!.Message, nameCase.Contains("space", StringComparison.Ordinal) || nameCase.StartsWith("tab", StringComparison.Ordinal)
            ? Does.Contain("white").IgnoreCase
            : Does.Contain("control character U+"));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void ControlCharacter_MessageNamesItAndItsIndex()
    {
        var error = Assert.Throws<ArgumentException>(() => CreateClient().OpenRead("main/blobs/ab\0cd/4"));

        Assert.That(error!.Message, Does.Contain("U+0000 at index 13"));
        Assert.That(error.ParamName, Is.EqualTo("resourceName"));
    }

    [TestCase("main/blobs/ab cd/4")]
    [TestCase("instance/blobs/\u00e9t\u00e9/1")]
    public async Task PrintableNames_StillGoToTheServer(string name)
    {
        var client = CreateClient();

        await client.UploadAsync(name, new byte[] { 1 }).DefaultTimeout();

        Assert.That(await client.ReadAllBytesAsync(name).DefaultTimeout(), Is.EqualTo(new byte[] { 1 }));
    }
}
