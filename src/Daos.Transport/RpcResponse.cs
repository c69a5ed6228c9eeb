using System.Buffers;
using Daos.Transport.Messages;

namespace Daos.Transport;

/// <summary>
/// A response: the status from the handler and the body it wrote. The body lives in a pooled array;
/// <see cref="Dispose"/> returns it (once; a copy of this struct must not be disposed again).
/// </summary>
public struct RpcResponse : IDisposable
{
    private byte[]? _array;
    private readonly int _length;

    internal RpcResponse(DaosError status, byte[]? array, int length)
    {
        Status = status;
        _array = array;
        _length = length;
    }

    /// <summary>The handler's outcome.</summary>
    public DaosError Status { get; }

    /// <summary>Whether <see cref="Status"/> is <see cref="DaosError.None"/>.</summary>
    public readonly bool IsSuccess => Status == DaosError.None;

    /// <summary>The response body.</summary>
    public readonly ReadOnlyMemory<byte> Body => _array is null ? ReadOnlyMemory<byte>.Empty : _array.AsMemory(0, _length);

    /// <summary>Throws a <see cref="DaosException"/> carrying <see cref="Status"/> unless it is success; the message
    /// is the remote reason when the body carries one.</summary>
    public readonly void ThrowIfFailed()
    {
        if (Status == DaosError.None)
        {
            return;
        }

        string text = $"remote handler failed with {Status}";
        try
        {
            if (!Body.IsEmpty)
            {
                text = WireMessage.Decode<ErrorMessage>(Body.Span).Text;
            }
        }
        catch (DaosException)
        {
            // The body was the handler's own bytes, not a reason: keep the generic text.
        }

        throw new DaosException(Status, text);
    }

    /// <summary>Returns the body buffer to the pool.</summary>
    public void Dispose()
    {
        byte[]? array = _array;
        _array = null;
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
