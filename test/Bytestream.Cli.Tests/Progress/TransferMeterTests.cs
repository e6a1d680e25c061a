using Bytestream.Cli;

namespace Bytestream.Cli.Tests.Progress;

/// <summary>
/// What the tool's progress bar and lines say. A download of unknown size used to show "100% 1 byte **:**:**"
/// for the whole transfer, the bar said MiB/s and the summary MB/s, and a resumed upload counted the bytes
/// the server already held as moved (236 MiB/s).
/// </summary>
public class TransferMeterTests
{
    private const long MiB = 1 << 20;

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    [Test]
    public void UnknownSize_ShowsBytesAndRateWithoutAPercentage()
    {
        var meter = new TransferMeter(total: null, At(0));

        meter.Report(10 * MiB, total: null, At(1));
        meter.Report(20 * MiB, total: null, At(2));
        var line = meter.Describe(At(2));

        Assert.That(line, Is.EqualTo("20.0 MiB  10.0 MiB/s"));
        Assert.That(line, Does.Not.Contain("%").And.Not.Contain("byte").And.Not.Contain("*"));
    }

    [Test]
    public void KnownSize_ShowsPercentSizesRateAndTimeLeft()
    {
        var meter = new TransferMeter(total: 64 * MiB, At(0));

        meter.Report(16 * MiB, total: 64 * MiB, At(2));

        Assert.That(meter.Describe(At(2)), Is.EqualTo("25%  16.0 MiB of 64.0 MiB  8.0 MiB/s  0:06 left"));
    }

    [Test]
    public void SizeLearnedFromAReport_SwitchesToPercentages()
    {
        var meter = new TransferMeter(total: null, At(0));

        meter.Report(MiB, total: 4 * MiB, At(1));

        Assert.That(meter.Describe(At(1)), Does.StartWith("25%  1.0 MiB of 4.0 MiB  1.0 MiB/s"));
    }

    [Test]
    public void ResumedUpload_DoesNotCountTheCommittedPrefixAsMoved()
    {
        // bytestream upload --resume: the server holds 236 MiB; the Write starts there and sends 4 MiB in 1 s.
        var meter = new TransferMeter(total: 256 * MiB, At(0));

        meter.MoveTo(236 * MiB);
        meter.Report(240 * MiB, total: 256 * MiB, At(1));

        Assert.That(meter.BytesPerSecond(At(1)), Is.EqualTo(4.0 * MiB));
        Assert.That(meter.Describe(At(1)), Does.StartWith("93%  240.0 MiB of 256.0 MiB  4.0 MiB/s"));
    }

    [Test]
    public void BytesSentAgainAfterACut_CountAsMoved()
    {
        var meter = new TransferMeter(total: 100 * MiB, At(0));
        meter.Report(10 * MiB, total: 100 * MiB, At(1));

        // Cut at 10 MiB; the server committed 6 MiB, so the next Write sends from there again.
        meter.MoveTo(6 * MiB);
        meter.Report(12 * MiB, total: 100 * MiB, At(2));

        Assert.That(meter.BytesPerSecond(At(2)), Is.EqualTo(8.0 * MiB), "10 MiB, then 6 more from the committed offset, in 2 s");
        Assert.That(meter.Position, Is.EqualTo(12 * MiB));
    }

    [Test]
    public void Stall_TheRateFallsToZeroAfterTheWindow()
    {
        var meter = new TransferMeter(total: null, At(0));
        meter.Report(30 * MiB, total: null, At(1));

        Assert.Multiple(() =>
        {
            Assert.That(meter.BytesPerSecond(At(2)), Is.EqualTo(15.0 * MiB), "30 MiB over the 2 s since the start");
            Assert.That(meter.BytesPerSecond(At(10)), Is.Zero, "nothing moved in the last 3 s");
        });
    }

    [Test]
    public void Rate_IsOverTheLastSecondsNotTheWholeTransfer()
    {
        var meter = new TransferMeter(total: null, At(0));
        for (var second = 1; second <= 10; second++)
        {
            // 1 MiB/s for 5 s, then 10 MiB/s.
            meter.Report((second <= 5 ? second : 5 + (10 * (second - 5))) * MiB, total: null, At(second));
        }

        Assert.That(meter.BytesPerSecond(At(10)), Is.EqualTo(10.0 * MiB));
    }

    [TestCase(0, "0 B")]
    [TestCase(1023, "1023 B")]
    [TestCase(1536, "1.5 KiB")]
    [TestCase(5 * 1024 * 1024, "5.0 MiB")]
    [TestCase(3L * 1024 * 1024 * 1024, "3.00 GiB")]
    public void Units_Bytes_AreBinary(long bytes, string text) => Assert.That(Units.Bytes(bytes), Is.EqualTo(text));

    [Test]
    public void Units_TheSummaryUsesTheBarsUnit() =>
        Assert.That(Units.Duration(100 * MiB, 2), Is.EqualTo("2.00 s (50.0 MiB/s)"));
}
