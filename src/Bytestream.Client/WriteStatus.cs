namespace Bytestream.Client;

/// <summary>The server's answer to <c>QueryWriteStatus</c>.</summary>
/// <param name="CommittedSize">The number of bytes the server has committed for the resource.</param>
/// <param name="Complete">Whether the write has been finished; no more bytes are accepted then.</param>
public readonly record struct WriteStatus(long CommittedSize, bool Complete);
