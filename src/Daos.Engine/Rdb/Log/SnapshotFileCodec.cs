using System.Buffers.Binary;
using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Rdb.Log;

/// <summary>
/// Encodes and decodes the snapshot file (docs/formats/rdb.md, "Snapshot file"): a header naming the snapshot
/// (index, term, configuration, image size and CRC-64) protected by its own CRC32C, then the image.
/// </summary>
internal static class SnapshotFileCodec
{
    public const uint Magic = 0x53424452; // "RDBS"
    public const byte FormatVersion = 1;
    public const int FixedHeaderSizeBytes = 48;
    public const int VotersPerSetMax = 64;

    public static int HeaderSizeBytes(RaftConfiguration configuration) =>
        FixedHeaderSizeBytes + ((configuration.Voters.Count + configuration.OutgoingVoters.Count) * 8) + 4;

    public static byte[] Encode(RaftSnapshot snapshot)
    {
        RaftConfiguration configuration = snapshot.Configuration;
        if (configuration.Voters.Count > VotersPerSetMax || configuration.OutgoingVoters.Count > VotersPerSetMax)
        {
            ThrowHelper.InvalidArgument($"a configuration with more than {VotersPerSetMax} voters per set");
        }

        int headerSize = HeaderSizeBytes(configuration);
        var file = new byte[headerSize + snapshot.Data.Length];
        Span<byte> span = file;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        span[4] = FormatVersion;
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], snapshot.Index);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], snapshot.Term);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], (ulong)snapshot.Data.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], snapshot.Checksum);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)configuration.Voters.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(span[44..], (uint)configuration.OutgoingVoters.Count);
        int at = FixedHeaderSizeBytes;
        foreach (ulong id in configuration.Voters.Concat(configuration.OutgoingVoters))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[at..], id);
            at += 8;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32C.Compute(span[..at]));
        snapshot.Data.Span.CopyTo(span[headerSize..]);
        return file;
    }

    /// <summary>Decodes and verifies a snapshot file; any damage is <see cref="DaosError.Corrupted"/>.</summary>
    public static RaftSnapshot Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length < FixedHeaderSizeBytes + 4 || BinaryPrimitives.ReadUInt32LittleEndian(file) != Magic)
        {
            ThrowHelper.Corrupted("snapshot file has a bad magic number or is truncated");
        }

        uint voters = BinaryPrimitives.ReadUInt32LittleEndian(file[40..]);
        uint outgoing = BinaryPrimitives.ReadUInt32LittleEndian(file[44..]);
        if (voters > VotersPerSetMax || outgoing > VotersPerSetMax)
        {
            ThrowHelper.Corrupted($"snapshot file names {voters}+{outgoing} voters");
        }

        int idsEnd = FixedHeaderSizeBytes + (int)((voters + outgoing) * 8);
        if (file.Length < idsEnd + 4 || BinaryPrimitives.ReadUInt32LittleEndian(file[idsEnd..]) != Crc32C.Compute(file[..idsEnd]))
        {
            ThrowHelper.Corrupted("snapshot file header checksum mismatch");
        }

        if (file[4] != FormatVersion)
        {
            ThrowHelper.Throw(DaosError.DurableFormatIncompatible, $"snapshot file version {file[4]} is not {FormatVersion}");
        }

        ulong index = BinaryPrimitives.ReadUInt64LittleEndian(file[8..]);
        ulong term = BinaryPrimitives.ReadUInt64LittleEndian(file[16..]);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file[24..]);
        ulong checksum = BinaryPrimitives.ReadUInt64LittleEndian(file[32..]);
        int headerSize = idsEnd + 4;
        if (length != (ulong)(file.Length - headerSize) || index == 0 || term == 0)
        {
            ThrowHelper.Corrupted($"snapshot file of {file.Length} bytes does not hold the {length}-byte image it names");
        }

        var ids = new ulong[voters + outgoing];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = BinaryPrimitives.ReadUInt64LittleEndian(file[(FixedHeaderSizeBytes + (i * 8))..]);
            if (ids[i] == 0)
            {
                ThrowHelper.Corrupted("snapshot file names replica 0");
            }
        }

        var configuration = new RaftConfiguration(ids.Take((int)voters), ids.Skip((int)voters));
        var snapshot = new RaftSnapshot(index, term, configuration, file[headerSize..].ToArray(), checksum);
        if (!snapshot.IsChecksumValid)
        {
            ThrowHelper.Corrupted($"snapshot {index}/{term} image checksum mismatch");
        }

        return snapshot;
    }
}
