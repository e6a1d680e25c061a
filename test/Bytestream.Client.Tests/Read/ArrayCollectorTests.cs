using Bytestream.Client.Internal;

namespace Bytestream.Client.Tests.Read;

/// <summary>The collector behind ReadAllBytesAsync of an unknown length: exact bytes, never more held than the maximum.</summary>
public class ArrayCollectorTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(64 * 1024)]
    [TestCase(5_000_000)]
    public void Appends_OfAnySize_GiveTheExactBytes(int length)
    {
        var data = TestData.Random(length);
        var collector = new ArrayCollector(Array.MaxLength);
        foreach (var piece in data.Chunk(77_777))
        {
            Assert.That(collector.TryAppend(piece), Is.True);
        }

        var result = collector.ToArray();

        Assert.That(TestData.Sha256(result), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(collector.Allocated, Is.LessThan(2L * length + 64 * 1024 + 1), "segments grow with the total, they are not doubled and copied");
    }

    [Test]
    public void AppendPastTheMaximum_IsRefusedAndKeepsNothingMore()
    {
        var collector = new ArrayCollector(maxLength: 1000);

        Assert.Multiple(() =>
        {
            Assert.That(collector.TryAppend(new byte[600]), Is.True);
            Assert.That(collector.TryAppend(new byte[401]), Is.False);
            Assert.That(collector.Length, Is.EqualTo(600));
            Assert.That(collector.TryAppend(new byte[400]), Is.True, "exactly the maximum fits");
            Assert.That(collector.Allocated, Is.EqualTo(1000), "no segment reaches past the maximum");
            Assert.That(collector.TryAppend(new byte[1]), Is.False);
        });
    }
}
