using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Bytestream.Cli;

/// <summary>
/// The tool's channel as the client sees it: every call carries the <c>--header</c>/<c>--token</c> headers,
/// QueryWriteStatus and retries included, and the target stays the channel's, so the client's messages
/// can name the address ("the server at 127.0.0.1:8980 does not speak gRPC over HTTP/2").
/// </summary>
internal sealed class HeaderChannel(GrpcChannel channel, IReadOnlyList<Metadata.Entry> headers) : ChannelBase(channel.Target)
{
    public override CallInvoker CreateCallInvoker() => headers.Count == 0 ? channel.CreateCallInvoker() : channel.Intercept(metadata =>
    {
        foreach (var header in headers)
        {
            metadata.Add(header);
        }

        return metadata;
    });
}
