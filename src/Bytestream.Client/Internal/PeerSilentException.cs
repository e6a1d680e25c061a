namespace Bytestream.Client.Internal;

/// <summary>
/// The cause inside the <c>DeadlineExceeded</c> status of a peer that never answered (<see cref="PeerFault.Silent"/>): it marks
/// the status as final, so that the default retries leave it alone.
/// </summary>
internal sealed class PeerSilentException(string message, Exception innerException) : TimeoutException(message, innerException);
