using System.Security.Cryptography.X509Certificates;
using Bytestream.Client;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Bytestream.Cli;

/// <summary>A client of one server for one command, with what it needs disposed after it.</summary>
internal sealed class RemoteClient(
    Uri address, ByteStreamClient client, GrpcChannel channel, ILoggerFactory loggerFactory, TransferEvents events, X509Certificate2? trusted) : IDisposable
{
    public Uri Address => address;

    public ByteStreamClient Client => client;

    /// <summary>Gets the resumes and retries of this client's transfers, as they happen.</summary>
    public TransferEvents Events => events;

    public void Dispose()
    {
        channel.Dispose();
        loggerFactory.Dispose();
        trusted?.Dispose();
    }
}
