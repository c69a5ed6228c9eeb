namespace Daos;

/// <summary>
/// Error codes of Daos.NET. Each value is DAOS's own <c>DER_*</c> number (gurt codes from 1000, DAOS codes from
/// 2000), so logs, wire frames and transcribed DAOS tests read the same numbers. DAOS functions return these
/// negated; <see cref="DaosErrorExtensions.ToReturnCode(DaosError)"/> gives that form.
/// </summary>
public enum DaosError
{
    /// <summary>No error (<c>DER_SUCCESS</c>).</summary>
    None = 0,

    /// <summary>Operation not permitted (<c>DER_NO_PERM</c>).</summary>
    NoPermission = 1001,
    /// <summary>Invalid or closed handle (<c>DER_NO_HDL</c>).</summary>
    NoHandle = 1002,
    /// <summary>Invalid parameters (<c>DER_INVAL</c>).</summary>
    InvalidArgument = 1003,
    /// <summary>Entity already exists (<c>DER_EXIST</c>).</summary>
    Exists = 1004,
    /// <summary>The entity does not exist (<c>DER_NONEXIST</c>).</summary>
    NonExistent = 1005,
    /// <summary>Unreachable node (<c>DER_UNREACH</c>).</summary>
    Unreachable = 1006,
    /// <summary>No space on the storage target (<c>DER_NOSPACE</c>).</summary>
    NoSpace = 1007,
    /// <summary>Operation already performed (<c>DER_ALREADY</c>).</summary>
    Already = 1008,
    /// <summary>Out of memory (<c>DER_NOMEM</c>).</summary>
    NoMemory = 1009,
    /// <summary>Function not implemented (<c>DER_NOSYS</c>).</summary>
    NotImplemented = 1010,
    /// <summary>Timed out (<c>DER_TIMEDOUT</c>).</summary>
    Timeout = 1011,
    /// <summary>Device or resource busy (<c>DER_BUSY</c>).</summary>
    Busy = 1012,
    /// <summary>Try again (<c>DER_AGAIN</c>).</summary>
    Again = 1013,
    /// <summary>Incompatible protocol or malformed message (<c>DER_PROTO</c>).</summary>
    Protocol = 1014,
    /// <summary>Not initialised (<c>DER_UNINIT</c>).</summary>
    Uninitialized = 1015,
    /// <summary>Buffer too short (<c>DER_TRUNC</c>).</summary>
    Truncated = 1016,
    /// <summary>Value too large for the data type or buffer (<c>DER_OVERFLOW</c>).</summary>
    Overflow = 1017,
    /// <summary>Operation canceled (<c>DER_CANCELED</c>).</summary>
    Canceled = 1018,
    /// <summary>Out of group or member list (<c>DER_OOG</c>).</summary>
    OutOfGroup = 1019,
    /// <summary>RPC or protocol version not registered (<c>DER_UNREG</c>).</summary>
    Unregistered = 1021,
    /// <summary>Miscellaneous error (<c>DER_MISC</c>).</summary>
    Miscellaneous = 1025,
    /// <summary>Bad path name (<c>DER_BADPATH</c>).</summary>
    BadPath = 1026,
    /// <summary>Not a directory (<c>DER_NOTDIR</c>).</summary>
    NotDirectory = 1027,
    /// <summary>Version mismatch (<c>DER_MISMATCH</c>).</summary>
    Mismatch = 1031,
    /// <summary>Rank has been excluded (<c>DER_EXCLUDED</c>).</summary>
    Excluded = 1032,
    /// <summary>Incorrect target for the RPC (<c>DER_BAD_TARGET</c>).</summary>
    BadTarget = 1035,
    /// <summary>Group version mismatch (<c>DER_GRPVER</c>).</summary>
    GroupVersion = 1036,
    /// <summary>A message's clock is too far ahead of the local clock (<c>DER_HLC_SYNC</c>).</summary>
    HlcSync = 1037,

    /// <summary>Generic I/O error (<c>DER_IO</c>).</summary>
    IO = 2001,
    /// <summary>Entry not found (<c>DER_ENOENT</c>).</summary>
    EntryNotFound = 2003,
    /// <summary>Unknown object type (<c>DER_NOTYPE</c>).</summary>
    UnknownObjectType = 2004,
    /// <summary>Stale pool map version (<c>DER_STALE</c>).</summary>
    Stale = 2007,
    /// <summary>Not the service leader (<c>DER_NOTLEADER</c>).</summary>
    NotLeader = 2008,
    /// <summary>Target create error (<c>DER_TGT_CREATE</c>).</summary>
    TargetCreate = 2009,
    /// <summary>Epoch is read only (<c>DER_EP_RO</c>).</summary>
    EpochReadOnly = 2010,
    /// <summary>Epoch is too old; its data has been aggregated away (<c>DER_EP_OLD</c>).</summary>
    EpochTooOld = 2011,
    /// <summary>Key is too large (<c>DER_KEY2BIG</c>).</summary>
    KeyTooBig = 2012,
    /// <summary>Record is too large (<c>DER_REC2BIG</c>).</summary>
    RecordTooBig = 2013,
    /// <summary>I/O buffers do not match the object extents (<c>DER_IO_INVAL</c>).</summary>
    IOInvalid = 2014,
    /// <summary>The service is shutting down (<c>DER_SHUTDOWN</c>).</summary>
    Shutdown = 2017,
    /// <summary>Operation now in progress (<c>DER_INPROGRESS</c>).</summary>
    InProgress = 2018,
    /// <summary>Not a service replica (<c>DER_NOTREPLICA</c>).</summary>
    NotReplica = 2020,
    /// <summary>Checksum mismatch: the data or metadata is corrupted (<c>DER_CSUM</c>).</summary>
    Corrupted = 2021,
    /// <summary>Unsupported durable format (<c>DER_DF_INVAL</c>).</summary>
    DurableFormatInvalid = 2022,
    /// <summary>Incompatible durable format version (<c>DER_DF_INCOMPT</c>).</summary>
    DurableFormatIncompatible = 2023,
    /// <summary>Record size error (<c>DER_REC_SIZE</c>).</summary>
    RecordSize = 2024,
    /// <summary>The transaction must restart at a newer epoch (<c>DER_TX_RESTART</c>).</summary>
    TxRestart = 2025,
    /// <summary>Data lost or not recoverable (<c>DER_DATA_LOSS</c>).</summary>
    DataLoss = 2026,
    /// <summary>Operation canceled (<c>DER_OP_CANCELED</c>).</summary>
    OperationCanceled = 2027,
    /// <summary>The transaction is not committed yet (<c>DER_TX_BUSY</c>).</summary>
    TxBusy = 2028,
    /// <summary>Must be handled by a distributed transaction (<c>DER_NEED_TX</c>).</summary>
    NeedTx = 2030,
    /// <summary>Failures exceed the redundancy factor (<c>DER_RF</c>).</summary>
    RedundancyFactor = 2031,
    /// <summary>Transaction status is uncertain (<c>DER_TX_UNCERTAIN</c>).</summary>
    TxUncertain = 2033,
    /// <summary>Operation not supported (<c>DER_NOTSUPPORTED</c>).</summary>
    Unsupported = 2037,
    /// <summary>No service available (<c>DER_NO_SERVICE</c>).</summary>
    NoService = 2039,
}
