namespace Bytestream.Client.Internal;

/// <summary>
/// An upload's progress reports as the caller sees them: they never go back. After a resume, bytes sent again
/// count only once they pass the highest value already reported; how much was resent is in
/// <see cref="UploadResult.BytesSent"/>, not here.
/// </summary>
internal sealed class UploadProgress(IProgress<TransferProgress>? progress, long? total)
{
    private long _reported;

    /// <summary>The caller's bytes up to <paramref name="transferred"/> went out: reported when that is more than before.</summary>
    public void Report(long transferred)
    {
        if (progress is not null && transferred > _reported)
        {
            _reported = transferred;
            progress.Report(new TransferProgress(transferred, total));
        }
    }
}
