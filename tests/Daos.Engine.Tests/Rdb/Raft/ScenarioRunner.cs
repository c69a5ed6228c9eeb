using System.Globalization;
using System.Text;
using Daos.Engine.Rdb.Raft;

namespace Daos.Engine.Tests.Rdb.Raft;

/// <summary>
/// Interprets scenario commands against a <see cref="RaftCluster"/> and returns each command's trace. Commands:
/// <code>
/// add-nodes N [voters=1,2,3|none] [prevote=bool] [checkquorum=bool] [lease=bool] [election=T] [heartbeat=T] [chunk=B] [maxproposal=B]
/// campaign ID | tick ID|all [N] | run TICKS | stabilize [quiet] | deliver
/// propose ID TEXT | propose-size ID BYTES | propose-conf ID add=X|remove=X|joint add=..,.. remove=..|leave-joint
/// transfer ID TARGET | read ID CONTEXT | compact ID
/// partition 1 2 | 3 | isolate ID | cut FROM TO | heal | crash ID | restart ID | drop-inflight
/// corrupt-snapshot TO | inject TO type=T from=F term=T [index= logterm= commit= entries=i/t,.. reject= hint= transfer=]
/// status [ID..] | log ID | applied ID | progress LEADER
/// </code>
/// </summary>
internal sealed class ScenarioRunner
{
    private readonly StringBuilder _output = new();
    private RaftCluster? _cluster;
    private ulong _nextId = 1;
    private int _corruptSnapshotsFor;

    public string Run(string command)
    {
        _output.Clear();
        string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            Execute(words[0], words[1..]);
        }
        catch (DaosException e)
        {
            Line($"error {e.Error}: {e.Message}");
        }

        return _output.ToString().TrimEnd('\n');
    }

    private RaftCluster Cluster => _cluster ?? throw new InvalidOperationException("add-nodes first");

    private void Execute(string verb, string[] args)
    {
        switch (verb)
        {
            case "add-nodes":
                AddNodes(args);
                break;
            case "campaign":
                if (!Node(args[0]).Campaign())
                {
                    Line("refused");
                }

                Cluster.ProcessAllReady();
                break;
            case "tick":
            {
                int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
                for (int i = 0; i < count; i++)
                {
                    if (args[0] == "all")
                    {
                        Cluster.TickAll();
                    }
                    else
                    {
                        Node(args[0]).Tick();
                        Cluster.ProcessAllReady();
                    }
                }

                break;
            }

            case "run":
            {
                // Ticks every live replica N times, delivering all messages between ticks.
                int count = int.Parse(args[0], CultureInfo.InvariantCulture);
                for (int i = 0; i < count; i++)
                {
                    Cluster.TickAll();
                    Cluster.Stabilize();
                }

                break;
            }

            case "stabilize":
                WithTrace(args.Length == 0 || args[0] != "quiet", () => Cluster.Stabilize());
                break;
            case "deliver":
                WithTrace(true, () =>
                {
                    Cluster.ProcessAllReady();
                    Cluster.DeliverRound();
                });
                break;
            case "propose":
            {
                ProposalResult result = Node(args[0]).Propose(Encoding.UTF8.GetBytes(string.Join(' ', args[1..])));
                Cluster.ProcessAllReady();
                Line(Describe(result));
                break;
            }

            case "propose-size":
            {
                ProposalResult result = Node(args[0]).Propose(new byte[int.Parse(args[1], CultureInfo.InvariantCulture)]);
                Cluster.ProcessAllReady();
                Line(Describe(result));
                break;
            }

            case "propose-conf":
            {
                ProposalResult result = Node(args[0]).ProposeConfigChange(ParseChange(args[1..]));
                Cluster.ProcessAllReady();
                Line(Describe(result));
                break;
            }

            case "transfer":
                Line(Node(args[0]).TransferLeadership(Id(args[1])) ? "transferring" : "refused");
                Cluster.ProcessAllReady();
                break;
            case "read":
                Line(Node(args[0]).RequestRead(Id(args[1])).ToString());
                WithTrace(true, Cluster.ProcessAllReady);
                break;
            case "compact":
            {
                RaftCluster.Replica replica = Cluster[Id(args[0])];
                Cluster.Compact(replica, replica.Node!.AppliedIndex);
                Line($"{replica.Id} snapshot={replica.Storage.Snapshot} first={replica.Storage.FirstIndex}");
                break;
            }

            case "partition":
                Cluster.Partition(ParseGroups(args));
                break;
            case "isolate":
                Cluster.Isolate(Id(args[0]));
                break;
            case "cut":
                Cluster.Cut(Id(args[0]), Id(args[1]));
                break;
            case "heal":
                Cluster.Heal();
                break;
            case "crash":
                Cluster.Crash(Id(args[0]));
                break;
            case "restart":
                Cluster.Restart(Id(args[0]));
                Line(Cluster.Describe(Cluster[Id(args[0])]));
                break;
            case "drop-inflight":
                Line($"dropped {Cluster.InFlight.Count} messages");
                Cluster.DropInFlight();
                break;
            case "corrupt-snapshot":
                _corruptSnapshotsFor = (int)Id(args[0]);
                break;
            case "inject":
                Inject(args);
                break;
            case "status":
                foreach (RaftCluster.Replica replica in Cluster.Replicas.Values)
                {
                    if (args.Length == 0 || args.Contains(replica.Id.ToString(CultureInfo.InvariantCulture)))
                    {
                        Line(Cluster.Describe(replica));
                    }
                }

                break;
            case "log":
            {
                RaftCluster.Replica replica = Cluster[Id(args[0])];
                Line($"snapshot {replica.Storage.Snapshot.Index}/{replica.Storage.Snapshot.Term} hard={replica.Storage.HardState}");
                foreach (LogEntry entry in replica.Storage.Entries)
                {
                    Line($"{entry} {Payload(entry)}");
                }

                break;
            }

            case "applied":
            {
                RaftCluster.Replica replica = Cluster[Id(args[0])];
                Line($"applied={replica.State.AppliedIndex} [{string.Join(", ", replica.State.AppliedPayloads)}] kv={{{replica.State.Digest()}}}");
                break;
            }

            case "progress":
            {
                RaftNode leader = Node(args[0]);
                foreach (ulong id in leader.Configuration.AllVoters())
                {
                    Line($"{id}: {leader.ProgressSummary(id)}");
                }

                break;
            }

            default:
                throw new FormatException($"unknown command '{verb}'");
        }
    }

    private void AddNodes(string[] args)
    {
        int count = int.Parse(args[0], CultureInfo.InvariantCulture);
        Dictionary<string, string> options = KeyValues(args[1..]);
        if (_cluster is null)
        {
            bool lease = Bool(options, "lease", false);
            var template = new RaftOptions
            {
                ReplicaId = 1,
                PreVote = Bool(options, "prevote", false),
                CheckQuorum = Bool(options, "checkquorum", false) || lease,
                ReadOnlyMode = lease ? ReadOnlyMode.LeaseBased : ReadOnlyMode.Safe,
                ElectionTicks = Int(options, "election", 10),
                HeartbeatTicks = Int(options, "heartbeat", 1),
                SnapshotChunkSizeBytes = Int(options, "chunk", 64 << 10),
                ProposalSizeBytesMax = Int(options, "maxproposal", 1 << 20),
                UncommittedEntriesMax = Int(options, "maxuncommitted", 4096),
            };
            _cluster = new RaftCluster(1, template) { Trace = null };
        }

        var ids = new List<ulong>();
        for (int i = 0; i < count; i++)
        {
            ids.Add(_nextId++);
        }

        RaftConfiguration? configuration = options.TryGetValue("voters", out string? voters)
            ? voters == "none" ? null : new RaftConfiguration(voters.Split(',').Select(Id))
            : new RaftConfiguration(ids);
        foreach (ulong id in ids)
        {
            _cluster.Add(id, configuration);
            Line(_cluster.Describe(_cluster[id]));
        }

        _cluster.Tamper = TamperSnapshot;
    }

    private RaftMessage? TamperSnapshot(RaftMessage message)
    {
        if (_corruptSnapshotsFor == 0 || message.Type != RaftMessageType.Snapshot || (int)message.To != _corruptSnapshotsFor
            || message.Chunk is not { Data.Length: > 0 } chunk)
        {
            return message;
        }

        _corruptSnapshotsFor = 0;
        byte[] data = chunk.Data.ToArray();
        data[0] ^= 0x40;
        return message with
        {
            Chunk = new SnapshotChunk(chunk.SnapshotIndex, chunk.SnapshotTerm, chunk.Configuration, chunk.TotalSizeBytes,
                chunk.Checksum, chunk.OffsetBytes, data),
        };
    }

    private void Inject(string[] args)
    {
        Dictionary<string, string> kv = KeyValues(args[1..]);
        ulong index = Long(kv, "index");
        var entries = new List<LogEntry>();
        if (kv.TryGetValue("entries", out string? list))
        {
            foreach (string item in list.Split(','))
            {
                string[] pair = item.Split('/');
                entries.Add(new LogEntry(Id(pair[0]), Id(pair[1]), LogEntryKind.Normal, Encoding.UTF8.GetBytes("injected")));
            }
        }

        var message = new RaftMessage
        {
            Type = Enum.Parse<RaftMessageType>(kv["type"], ignoreCase: true),
            From = Long(kv, "from"),
            To = Id(args[0]),
            Term = Long(kv, "term"),
            Index = index,
            LogTerm = Long(kv, "logterm"),
            Commit = Long(kv, "commit"),
            Entries = entries,
            Reject = kv.TryGetValue("reject", out string? reject) && bool.Parse(reject),
            RejectHint = Long(kv, "hint"),
            Transfer = kv.TryGetValue("transfer", out string? transfer) && bool.Parse(transfer),
        };
        RaftCluster.Replica target = Cluster[message.To];
        string before = Cluster.Describe(target);
        try
        {
            target.Node!.Step(message);
        }
        catch (DaosException e)
        {
            Line($"rejected {e.Error}: {e.Message}");
            Line(Cluster.Describe(target) == before ? "state unchanged" : "STATE CHANGED: " + Cluster.Describe(target));
            return;
        }

        int sentBefore = Cluster.InFlight.Count;
        Cluster.ProcessReady(target);
        for (int i = sentBefore; i < Cluster.InFlight.Count; i++)
        {
            Line($"sends {Cluster.InFlight[i]}");
        }

        Line(Cluster.Describe(target));
        if (target.Node!.UnknownSenderMessages > 0)
        {
            Line($"messages from untracked replicas dropped: {target.Node.UnknownSenderMessages}");
        }
    }

    private void WithTrace(bool enabled, Action action)
    {
        Cluster.Trace = enabled ? Line : null;
        try
        {
            action();
        }
        finally
        {
            Cluster.Trace = null;
        }
    }

    private RaftNode Node(string id) => Cluster[Id(id)].Node ?? throw new InvalidOperationException($"replica {id} is down");

    private void Line(string text) => _output.Append(text).Append('\n');

    private static string Describe(ProposalResult result) => result.Status == ProposalStatus.Accepted
        ? $"accepted index={result.Index} term={result.Term}"
        : $"{result.Status} leader-hint={result.LeaderHint}";

    private static ConfigChange ParseChange(string[] args)
    {
        if (args[0] == "leave-joint")
        {
            return ConfigChange.LeaveJoint();
        }

        if (args[0] == "joint")
        {
            Dictionary<string, string> kv = KeyValues(args[1..]);
            return ConfigChange.EnterJoint(Ids(kv, "add"), Ids(kv, "remove"));
        }

        string[] pair = args[0].Split('=');
        return pair[0] == "add" ? ConfigChange.AddVoter(Id(pair[1])) : ConfigChange.RemoveVoter(Id(pair[1]));
    }

    private static ulong[] Ids(Dictionary<string, string> kv, string key) =>
        kv.TryGetValue(key, out string? list) ? [.. list.Split(',').Select(Id)] : [];

    private static ulong[][] ParseGroups(string[] args)
    {
        var groups = new List<ulong[]>();
        var current = new List<ulong>();
        foreach (string arg in args)
        {
            if (arg == "|")
            {
                groups.Add([.. current]);
                current.Clear();
            }
            else
            {
                current.Add(Id(arg));
            }
        }

        groups.Add([.. current]);
        return [.. groups];
    }

    private static Dictionary<string, string> KeyValues(string[] args)
    {
        var result = new Dictionary<string, string>();
        foreach (string arg in args)
        {
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            result[arg[..eq]] = arg[(eq + 1)..];
        }

        return result;
    }

    private static string Payload(LogEntry entry) => entry.Kind == LogEntryKind.ConfigChange
        ? ConfigChange.Decode(entry.Data.Span).ToString()
        : entry.Data.IsEmpty ? "(empty)" : Encoding.UTF8.GetString(entry.Data.Span);

    private static ulong Id(string text) => ulong.Parse(text, CultureInfo.InvariantCulture);

    private static ulong Long(Dictionary<string, string> kv, string key) => kv.TryGetValue(key, out string? v) ? Id(v) : 0;

    private static int Int(Dictionary<string, string> kv, string key, int fallback) =>
        kv.TryGetValue(key, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static bool Bool(Dictionary<string, string> kv, string key, bool fallback) =>
        kv.TryGetValue(key, out string? v) ? bool.Parse(v) : fallback;
}
