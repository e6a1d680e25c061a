namespace Bytestream.Cli;

/// <summary>An argument that parsed but makes no sense (a header without '=', an unreadable certificate); exit code 2.</summary>
internal sealed class UsageException(string message, Exception? innerException = null) : Exception(message, innerException);
