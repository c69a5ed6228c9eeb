namespace Daos.Transport.Messages;

/// <summary>
/// The body of an error response whose handler failed with an exception rather than returning a status: a short
/// human-readable reason. The status itself travels in the frame header.
/// </summary>
/// <param name="Text">The reason; at most <see cref="TextMaxBytes"/> UTF-8 bytes.</param>
public readonly record struct ErrorMessage(string Text) : IWireMessage<ErrorMessage>
{
    /// <summary>The longest reason carried; longer ones are cut before encoding.</summary>
    public const int TextMaxBytes = 1024;

    /// <inheritdoc/>
    public int EncodedSizeBytes => WireWriter.SizeOfString(Text);

    /// <summary>Builds a message from any text, cut to <see cref="TextMaxBytes"/> UTF-8 bytes.</summary>
    public static ErrorMessage FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Characters are at most 3 UTF-8 bytes in the BMP (4 for a surrogate pair, which counts as 2 chars).
        if (text.Length * 3 > TextMaxBytes)
        {
            int keep = TextMaxBytes / 3;
            if (char.IsHighSurrogate(text[keep - 1]))
            {
                keep--;
            }

            text = text[..keep];
        }

        return new ErrorMessage(text);
    }

    /// <inheritdoc/>
    public void Encode(ref WireWriter writer) => writer.WriteString(Text);

    /// <inheritdoc/>
    public static ErrorMessage Decode(ref WireReader reader) => new(reader.ReadString(TextMaxBytes));
}
