namespace Daos.Harness.Network;

/// <summary>Counts of what the simulated network did to packets, so tests can see each fault applied.</summary>
public sealed class SimulatedNetworkStatistics
{
    /// <summary>Packets handed to the network.</summary>
    public long Sent { get; internal set; }

    /// <summary>Packets handed to a receiver (duplicates included).</summary>
    public long Delivered { get; internal set; }

    /// <summary>Packets lost at random.</summary>
    public long Lost { get; internal set; }

    /// <summary>Packets dropped because their link was partitioned.</summary>
    public long DroppedByPartition { get; internal set; }

    /// <summary>Extra copies made.</summary>
    public long Duplicated { get; internal set; }

    /// <summary>Packets delivered before a packet sent earlier on the same link.</summary>
    public long Reordered { get; internal set; }

    /// <summary>Packets held back by a clogged link.</summary>
    public long Clogged { get; internal set; }

    /// <summary>Packets that arrived for a connection already closed.</summary>
    public long DroppedClosed { get; internal set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"sent {Sent}, delivered {Delivered}, lost {Lost}, partitioned {DroppedByPartition}, duplicated {Duplicated}, " +
        $"reordered {Reordered}, clogged {Clogged}, closed {DroppedClosed}";
}
