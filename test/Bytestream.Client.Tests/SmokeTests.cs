namespace Bytestream.Client.Tests;

public class SmokeTests
{
    [Test]
    public void Options_ChunkSizeOutOfRange_Throws()
    {
        var options = new ByteStreamClientOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.ChunkSize = 0);
    }
}
