namespace Bytestream.Client.Tests.Write;

/// <summary>Bad input throws <see cref="ArgumentException"/> before any call is made.</summary>
public class UploadArgumentTests : ServerTestBase
{
    [TestCase(null)]
    [TestCase("")]
    public void UploadAndOpenWrite_NullOrEmptyName_ThrowBeforeAnyCall(string? name)
    {
        var client = CreateClient();

        Assert.Multiple(() =>
        {
            Assert.Throws(Is.InstanceOf<ArgumentException>(), () => client.UploadAsync(name!, new byte[1]));
            Assert.Throws(Is.InstanceOf<ArgumentException>(), () => client.UploadAsync(name!, new MemoryStream()));
            Assert.Throws(Is.InstanceOf<ArgumentException>(), () => client.OpenWrite(name!));
            Assert.Throws(Is.InstanceOf<ArgumentException>(), () => client.QueryWriteStatusAsync(name!));
        });
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void UploadAsync_NullSource_ThrowsArgumentNullException()
    {
        var client = CreateClient();

        Assert.Throws<ArgumentNullException>(() => client.UploadAsync("blobs/x", (Stream)null!));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void UploadAsync_UnreadableSource_ThrowsArgumentException()
    {
        var client = CreateClient();
        using var unreadable = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);

        var error = Assert.Throws<ArgumentException>(() => client.UploadAsync("blobs/x", unreadable));

        Assert.That(error!.ParamName, Is.EqualTo("source"));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void UploadAsync_NegativeExpectedLength_ThrowsArgumentOutOfRangeException()
    {
        var client = CreateClient();
        var options = new UploadOptions { ExpectedLength = -1 };

        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => client.UploadAsync("blobs/x", new MemoryStream(), options));
            Assert.Throws<ArgumentOutOfRangeException>(() => client.OpenWrite("blobs/x", options));
        });
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void UploadAsync_MemoryOfAnotherLengthThanExpected_ThrowsArgumentException()
    {
        var client = CreateClient();

        Assert.Throws<ArgumentException>(() => client.UploadAsync("blobs/x", new byte[5], new UploadOptions { ExpectedLength = 6 }));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void UploadAsync_StreamShorterThanExpected_ThrowsByteStreamExceptionWithoutFinishing()
    {
        var client = CreateClient();

        Assert.ThrowsAsync<ByteStreamException>(() => client.UploadAsync("blobs/short-source", new MemoryStream(new byte[5]), new UploadOptions { ExpectedLength = 6 }).DefaultTimeout());
        Assert.That(Server.WriteRequests.Any(r => r.FinishWrite), Is.False);
    }

    [Test]
    public void UploadAsync_StreamLongerThanExpected_ThrowsByteStreamExceptionWithoutFinishing()
    {
        var client = CreateClient();

        Assert.ThrowsAsync<ByteStreamException>(() => client.UploadAsync("blobs/long-source", new MemoryStream(new byte[7]), new UploadOptions { ExpectedLength = 6 }).DefaultTimeout());
        Assert.That(Server.WriteRequests.Any(r => r.FinishWrite), Is.False);
    }

    [Test]
    public void Options_OutOfRangeValues_Throw()
    {
        var options = new ByteStreamClientOptions();

        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => options.ChunkSize = 0);
            Assert.Throws<ArgumentOutOfRangeException>(() => options.ChunkSize = ByteStreamClientOptions.MaxChunkSize + 1);
            Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxRetryAttempts = -1);
            Assert.Throws<ArgumentOutOfRangeException>(() => options.InitialBackoff = TimeSpan.FromMilliseconds(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxBackoff = TimeSpan.FromDays(2));
            Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxReplayBufferSize = -1);
            Assert.Throws<ArgumentOutOfRangeException>(() => options.StallTimeout = TimeSpan.Zero);
            Assert.Throws<ArgumentNullException>(() => options.TimeProvider = null!);
        });
    }

    [Test]
    public void Options_MaxBackoffBelowInitialBackoff_ClientIsNotBuilt()
    {
        var options = new ByteStreamClientOptions { InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromMilliseconds(500) };

        var fromChannel = Assert.Throws<ArgumentException>(() => new ByteStreamClient(Channel, options));
        var fromInvoker = Assert.Throws<ArgumentException>(() => new ByteStreamClient(Channel.CreateCallInvoker(), options));

        Assert.Multiple(() =>
        {
            Assert.That(fromChannel!.Message, Does.Contain("MaxBackoff (500 ms) is below InitialBackoff (2000 ms)"));
            Assert.That(fromChannel.ParamName, Is.EqualTo("options"));
            Assert.That(fromInvoker!.Message, Does.Contain("MaxBackoff (500 ms)"));
        });
    }

    [Test]
    public void Options_BackoffsSetInAnyOrder_AreComparedOnlyWhenTheClientIsBuilt()
    {
        // Lowering both below the defaults one at a time passes through MaxBackoff < InitialBackoff (50 ms < 100 ms).
        var options = new ByteStreamClientOptions { MaxBackoff = TimeSpan.FromMilliseconds(50), InitialBackoff = TimeSpan.FromMilliseconds(10) };
        var custom = new ByteStreamClientOptions { InitialBackoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.Zero, RetryPipeline = Polly.ResiliencePipeline.Empty };

        Assert.Multiple(() =>
        {
            Assert.DoesNotThrow(() => _ = new ByteStreamClient(Channel, options));
            Assert.DoesNotThrow(() => _ = new ByteStreamClient(Channel, custom), "a custom pipeline ignores both");
        });
    }

    [Test]
    public async Task Options_ChangedAfterTheClientWasBuilt_DoNotAffectIt()
    {
        var options = new ByteStreamClientOptions { ChunkSize = 1000 };
        var client = new ByteStreamClient(Channel, options);
        options.ChunkSize = 10;

        await client.UploadAsync("blobs/frozen", TestData.Random(3000)).DefaultTimeout();

        Assert.That(Server.WriteRequests.Where(r => !r.FinishWrite).Select(r => r.DataLength), Is.EqualTo(new[] { 1000, 1000, 1000 }));
    }
}
