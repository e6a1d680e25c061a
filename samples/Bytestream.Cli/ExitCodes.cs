namespace Bytestream.Cli;

/// <summary>The process exit codes of <c>bytestream</c>, as the README documents them.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>Anything else that failed: a server error without a code of its own, a protocol violation, a local I/O error.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments: a usage error, or the server refused the request as invalid (INVALID_ARGUMENT, OUT_OF_RANGE).</summary>
    public const int BadArguments = 2;

    /// <summary>The server could not be reached or did not answer in time (UNAVAILABLE, DEADLINE_EXCEEDED), after the retries.</summary>
    public const int Unreachable = 3;

    /// <summary>The resource (NOT_FOUND) or a local file does not exist.</summary>
    public const int NotFound = 4;

    /// <summary>PERMISSION_DENIED or UNAUTHENTICATED from the server, or no permission on a local file.</summary>
    public const int PermissionDenied = 5;

    /// <summary>The data does not match its digest: a blob read (get, download, cat) whose bytes are not the ones its name
    /// hashes to (a corrupt blob on the server), or a file that changed while put uploaded it. No file is left behind.</summary>
    public const int DataMismatch = 6;

    /// <summary>Stopped by Ctrl+C (SIGINT) or SIGTERM; an upload stays resumable.</summary>
    public const int Cancelled = 130;
}
