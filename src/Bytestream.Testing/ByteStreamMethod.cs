namespace Bytestream.Testing;

/// <summary>The three methods of the <c>google.bytestream.ByteStream</c> service, for records and faults.</summary>
public enum ByteStreamMethod
{
    /// <summary><c>Read</c>: a server-streaming call that sends a resource's bytes.</summary>
    Read,

    /// <summary><c>Write</c>: a client-streaming call that uploads bytes into a resource.</summary>
    Write,

    /// <summary><c>QueryWriteStatus</c>: a unary call that reports how much of an upload the server committed.</summary>
    QueryWriteStatus,
}
