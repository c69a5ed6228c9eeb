namespace Daos;

/// <summary>Helpers that render <see cref="DaosError"/> the way DAOS prints its error numbers.</summary>
public static class DaosErrorExtensions
{
    /// <summary>The negative return code a DAOS function would give for <paramref name="error"/>.</summary>
    public static int ToReturnCode(this DaosError error) => -(int)error;

    /// <summary>DAOS's symbolic name, such as <c>DER_NONEXIST</c>.</summary>
    public static string ToDerName(this DaosError error) => error switch
    {
        DaosError.None => "DER_SUCCESS",
        DaosError.NoPermission => "DER_NO_PERM",
        DaosError.NoHandle => "DER_NO_HDL",
        DaosError.InvalidArgument => "DER_INVAL",
        DaosError.Exists => "DER_EXIST",
        DaosError.NonExistent => "DER_NONEXIST",
        DaosError.Unreachable => "DER_UNREACH",
        DaosError.NoSpace => "DER_NOSPACE",
        DaosError.Already => "DER_ALREADY",
        DaosError.NoMemory => "DER_NOMEM",
        DaosError.NotImplemented => "DER_NOSYS",
        DaosError.Timeout => "DER_TIMEDOUT",
        DaosError.Busy => "DER_BUSY",
        DaosError.Again => "DER_AGAIN",
        DaosError.Protocol => "DER_PROTO",
        DaosError.Uninitialized => "DER_UNINIT",
        DaosError.Truncated => "DER_TRUNC",
        DaosError.Overflow => "DER_OVERFLOW",
        DaosError.Canceled => "DER_CANCELED",
        DaosError.OutOfGroup => "DER_OOG",
        DaosError.Unregistered => "DER_UNREG",
        DaosError.Miscellaneous => "DER_MISC",
        DaosError.BadPath => "DER_BADPATH",
        DaosError.NotDirectory => "DER_NOTDIR",
        DaosError.Mismatch => "DER_MISMATCH",
        DaosError.Excluded => "DER_EXCLUDED",
        DaosError.BadTarget => "DER_BAD_TARGET",
        DaosError.GroupVersion => "DER_GRPVER",
        DaosError.HlcSync => "DER_HLC_SYNC",
        DaosError.IO => "DER_IO",
        DaosError.EntryNotFound => "DER_ENOENT",
        DaosError.UnknownObjectType => "DER_NOTYPE",
        DaosError.Stale => "DER_STALE",
        DaosError.NotLeader => "DER_NOTLEADER",
        DaosError.TargetCreate => "DER_TGT_CREATE",
        DaosError.EpochReadOnly => "DER_EP_RO",
        DaosError.EpochTooOld => "DER_EP_OLD",
        DaosError.KeyTooBig => "DER_KEY2BIG",
        DaosError.RecordTooBig => "DER_REC2BIG",
        DaosError.IOInvalid => "DER_IO_INVAL",
        DaosError.Shutdown => "DER_SHUTDOWN",
        DaosError.InProgress => "DER_INPROGRESS",
        DaosError.NotReplica => "DER_NOTREPLICA",
        DaosError.Corrupted => "DER_CSUM",
        DaosError.DurableFormatInvalid => "DER_DF_INVAL",
        DaosError.DurableFormatIncompatible => "DER_DF_INCOMPT",
        DaosError.RecordSize => "DER_REC_SIZE",
        DaosError.TxRestart => "DER_TX_RESTART",
        DaosError.DataLoss => "DER_DATA_LOSS",
        DaosError.OperationCanceled => "DER_OP_CANCELED",
        DaosError.TxBusy => "DER_TX_BUSY",
        DaosError.NeedTx => "DER_NEED_TX",
        DaosError.RedundancyFactor => "DER_RF",
        DaosError.TxUncertain => "DER_TX_UNCERTAIN",
        DaosError.Unsupported => "DER_NOTSUPPORTED",
        DaosError.NoService => "DER_NO_SERVICE",
        _ => "DER_UNKNOWN",
    };

    /// <summary>
    /// True for errors that a caller may retry unchanged or after refreshing its view (stale map, leader change,
    /// restart, busy, timeouts, unreachable peers).
    /// </summary>
    public static bool IsRetryable(this DaosError error) => error is DaosError.Stale or DaosError.NotLeader
        or DaosError.TxRestart or DaosError.Busy or DaosError.Again or DaosError.Timeout or DaosError.Unreachable
        or DaosError.InProgress or DaosError.TxBusy or DaosError.NoService;
}
