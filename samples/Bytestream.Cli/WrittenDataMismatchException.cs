namespace Bytestream.Cli;

/// <summary>
/// A blob that failed its digest after its bytes were already written where they cannot be taken back (stdout, a
/// device, a FIFO): the message says so, instead of the library's "nothing was handed out as valid"; exit code 6.
/// </summary>
internal sealed class WrittenDataMismatchException(string message, Exception innerException) : Exception(message, innerException);
