namespace Bytestream.Client;

/// <summary>How far a transfer has come.</summary>
/// <param name="BytesTransferred">Bytes transferred so far: for an upload, the bytes the server has
/// committed or received in the current attempt; for a download, the bytes delivered to the caller.</param>
/// <param name="TotalBytes">The size of the whole transfer, when known.</param>
public readonly record struct TransferProgress(long BytesTransferred, long? TotalBytes);
