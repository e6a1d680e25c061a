namespace Bytestream.Cli;

/// <summary>
/// An upload (<c>upload</c>, <c>put</c>) that stopped short with what the server committed still there: its cause
/// (Ctrl+C, SIGTERM, --timeout, a cut), and the hint that says how to continue. <see cref="CommandRunner"/> reports
/// the cause as any other error, with the command's name before it and the hint after it.
/// </summary>
internal sealed class UploadStoppedException(string command, string hint, Exception cause) : Exception(hint, cause)
{
    /// <summary>Gets the command that stopped, named first in the message: put or upload.</summary>
    public string Command => command;

    /// <summary>Gets what to do next, e.g. "the server holds ...; continue with: ...".</summary>
    public string Hint => Message;
}
